// snap: snapd assertions and snap commands from `snap`, once per instance, on Ubuntu,
// as cloud-init 25.x runs them: first `snap wait system seed.loaded` (once per
// machine, when the image has snap), then every assertion joined into the instance's
// snapd.assertions file and acknowledged with `snap ack`, then each command in order.
// A list command gets `snap` put in front unless it starts with it (a leading null
// keeps it as given); a string command runs through the shell, with a warning when it
// does not start with "snap ". Every command runs; failures are reported together.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';
import { agentReachesTree } from './lib/agent-target.js';
import { orderedItems } from './lib/ordered-items.js';
import { waitForSnapSeeded } from './lib/snap-seeded.js';

export const SNAP_DISTROS = ['ubuntu'] as const;

const snapSchema = (z: Z) => {
  const command = z.union([z.string(), z.array(z.string().nullable())]);
  return z.object({
    snap: z
      .object({
        assertions: z.union([z.array(z.string()).min(1), z.record(z.string(), z.string())]).optional(),
        commands: z.union([z.array(command).min(1), z.record(z.string(), command)]).optional(),
      })
      .strict()
      .optional(),
  });
};

export type SnapCommand = { argv: string[] } | { shell: string };

/**
 * The commands cloud-init runs for snap.commands, or why an item cannot run (pure).
 * `warn` collects string commands that are not snap commands.
 */
export function snapCommands(commands: unknown): { commands: SnapCommand[]; bad: { key: string | number; why: string }[]; notSnap: string[] } {
  const items = orderedItems(commands);
  if (items === null) return { commands: [], bad: [{ key: '', why: 'expected a list or a mapping of commands' }], notSnap: [] };
  const out: SnapCommand[] = [];
  const bad: { key: string | number; why: string }[] = [];
  const notSnap: string[] = [];
  for (const { key, value } of items) {
    if (typeof value === 'string') {
      if (!value.startsWith('snap ')) notSnap.push(value);
      out.push({ shell: value });
    } else if (Array.isArray(value) && value.length > 0) {
      const words = value[0] === null ? value.slice(1) : value[0] === 'snap' ? value : ['snap', ...value];
      if (words.length === 0 || !words.every((w) => typeof w === 'string' || typeof w === 'number' || typeof w === 'boolean')) {
        bad.push({ key, why: 'a command list holds words (strings)' });
        continue;
      }
      out.push({ argv: words.map(String) });
    } else {
      bad.push({ key, why: `expected a command (a string or a list of words), got ${value === null ? 'null' : Array.isArray(value) ? 'an empty list' : typeof value}` });
    }
  }
  return { commands: out, bad, notSnap };
}

function run(ctx: ModuleContext): void {
  if (!agentReachesTree(ctx, 'snap')) return;
  const cfg = ctx.cfg.snap;
  if (!isDict(cfg)) throw new Error(`${ctx.source.where(['snap'])}snap must be a mapping with assertions and/or commands`);
  if (Object.keys(cfg).length === 0) return;
  const unknown = Object.keys(cfg).filter((k) => k !== 'assertions' && k !== 'commands');
  if (unknown.length > 0) throw new Error(`${ctx.source.where(['snap', unknown[0] as string])}snap.${unknown[0]} is not a snap key (assertions, commands); nothing was run`);
  let assertions: string[] = [];
  if (cfg.assertions !== undefined && cfg.assertions !== null) {
    const items = orderedItems(cfg.assertions);
    if (items === null) throw new Error(`${ctx.source.where(['snap', 'assertions'])}snap.assertions must be a list or a mapping of assertions; nothing was run`);
    const badItem = items.find((i) => typeof i.value !== 'string');
    if (badItem !== undefined) throw new Error(`${ctx.source.where(['snap', 'assertions', badItem.key])}snap.assertions: each assertion is a string; nothing was run`);
    assertions = items.map((i) => i.value as string);
  }
  const planned = cfg.commands === undefined || cfg.commands === null ? { commands: [], bad: [], notSnap: [] } : snapCommands(cfg.commands);
  if (planned.bad.length > 0) {
    for (const b of planned.bad) ctx.log.error(`${ctx.source.where(b.key === '' ? ['snap', 'commands'] : ['snap', 'commands', b.key])}snap.commands${b.key === '' ? '' : `.${b.key}`}: ${b.why}`);
    throw new Error('snap: no snap command was run');
  }
  waitForSnapSeeded(ctx);
  if (assertions.length > 0) {
    // cloud-init names the file through the instance link, and so does the ack.
    const file = `${ctx.paths.instanceLink}/snapd.assertions`;
    for (const a of assertions) ctx.log.debug(`snap acking: ${a.split('\n').slice(0, 2).join(' | ')}`);
    ctx.host.fs.write(file, assertions.join('\n'), { mode: 0o644 });
    const why = failure(ctx.host.exec.run(['snap', 'ack', ctx.host.exec.pathFor(file)]));
    if (why !== null) throw new Error(`snap: snap ack ${file} failed: ${why}; no snap command was run`);
  }
  if (planned.notSnap.length > 0) ctx.log.warn(`non-snap commands in snap config:\n${planned.notSnap.join('\n')}`);
  const failures: string[] = [];
  for (const c of planned.commands) {
    const argv = 'argv' in c ? c.argv : ['sh', '-c', c.shell];
    const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
    if (why !== null) failures.push(`${'argv' in c ? c.argv.join(' ') : c.shell}: ${why}`);
  }
  if (failures.length > 0) throw new Error(`snap: failures running snap commands:\n${failures.join('\n')}`);
}

export const snap: Module = {
  name: 'snap',
  frequency: 'once-per-instance',
  distros: SNAP_DISTROS,
  keys: ['snap'],
  schema: snapSchema,
  examples: [
    '#cloud-config\nsnap:\n  assertions:\n    00: |\n      signed_assertion_blob_here\n    02: |\n      signed_assertion_blob_here\n  commands:\n    00: snap create-user --sudoer --known <snap-user>@mydomain.com\n    01: snap install canonical-livepatch\n    02: canonical-livepatch enable <AUTH_TOKEN>\n',
    '#cloud-config\nsnap:\n  commands:\n    0: [install, vlc]\n    1: [snap, install, vlc]\n    2: snap install vlc\n    3: snap install vlc\n',
    "#cloud-config\nsnap:\n  commands:\n    - [install, vlc]\n    - ['snap', 'install', 'vlc']\n    - snap install vlc\n    - 'snap install vlc'\n",
    '#cloud-config\nsnap:\n  assertions:\n    - signed_assertion_blob_here\n    - |\n      signed_assertion_blob_here\n',
  ],
  run,
};
