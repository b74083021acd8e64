// ssh_import_id: once per instance, public keys fetched by ssh-import-id (from GitHub
// `gh:NAME`, Launchpad `lp:NAME` or a plain Launchpad name) into a user's
// authorized_keys. The top-level `ssh_import_id` is the default user's, `users[].ssh_import_id`
// each user's own. The tool runs as the user, through sudo (else doas), as cloud-init
// runs it. Without the tool in the image it is an error, never a skipped login.
import type { Module, ModuleContext, Z } from './types.js';
import { Accounts } from './lib/accounts.js';
import { failure } from './lib/tree-exec.js';
import { normalizeUsers, userPath, type UserConfig } from './lib/normalize-users.js';

const TOOL = 'ssh-import-id';

/** Whether a key is set anywhere in the config: cloud-init activates the module so. */
function anywhere(v: unknown, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && anywhere(x, key));
  if (v === null || typeof v !== 'object') return false;
  return Object.entries(v as Record<string, unknown>).some(([k, x]) => k === key || (x !== null && typeof x === 'object' && anywhere(x, key)));
}

/**
 * The ids of one setting (pure), as cloud-init reads them: a list as it is, a string
 * (a user's own) split on commas; duplicates dropped. An id that could pass for an
 * option of ssh-import-id, or that is not text, is a problem, with its index.
 */
export function importIds(v: unknown, splitString: boolean): { ids: string[]; problems: { index: number | null; message: string }[] } {
  const problems: { index: number | null; message: string }[] = [];
  let raw: unknown[];
  if (v === undefined || v === null) raw = [];
  else if (Array.isArray(v)) raw = v;
  else if (typeof v === 'string')
    raw = splitString
      ? v
          .trim()
          .split(',')
          .filter((x) => x !== '')
      : [v];
  else return { ids: [], problems: [{ index: null, message: 'must be a list of ids such as gh:octocat or lp:name' }] };
  const ids: string[] = [];
  raw.forEach((x, i) => {
    const id = typeof x === 'number' ? String(x) : x;
    if (typeof id !== 'string' || id.trim() === '') problems.push({ index: Array.isArray(v) ? i : null, message: `${JSON.stringify(x)} is not an id such as gh:octocat` });
    else if (id.startsWith('-') || /[\s\0]/.test(id))
      problems.push({ index: Array.isArray(v) ? i : null, message: `${JSON.stringify(id)} is not an id (an id never starts with "-" or holds a blank)` });
    else if (!ids.includes(id)) ids.push(id);
  });
  return { ids, problems };
}

/** The command cloud-init runs to import ids as a user (pure); null with neither sudo nor doas. */
export function importCommand(user: string, ids: readonly string[], has: (cmd: string) => boolean): string[] | null {
  if (has('sudo')) return ['sudo', '--preserve-env=https_proxy', '-Hu', user, TOOL, ...ids];
  if (has('doas')) return ['doas', '-u', user, TOOL, ...ids];
  return null;
}

function run(ctx: ModuleContext): void {
  if (!anywhere(ctx.cfg, 'ssh_import_id')) {
    ctx.log.debug('no ssh_import_id anywhere in the configuration');
    return;
  }
  const plan: { user: UserConfig; ids: string[]; path: (string | number)[] }[] = [];
  const errors: string[] = [];
  for (const u of normalizeUsers(ctx.cfg).users) {
    const own = userPath(ctx.cfg, u, 'ssh_import_id');
    const sets: { v: unknown; path: (string | number)[]; split: boolean }[] = [];
    // The default user takes the top-level list (cloud-init reads only that one); nimbus also keeps its own.
    if (u.isDefault) sets.push({ v: ctx.cfg.ssh_import_id, path: ['ssh_import_id'], split: false });
    if (u.ssh_import_id !== undefined) sets.push({ v: u.ssh_import_id, path: own, split: true });
    const ids: string[] = [];
    for (const s of sets) {
      const r = importIds(s.v, s.split);
      for (const p of r.problems) errors.push(`${ctx.source.where(p.index === null ? s.path : [...s.path, p.index])}ssh_import_id of user ${u.name}: ${p.message}`);
      for (const id of r.ids) if (!ids.includes(id)) ids.push(id);
    }
    if (ids.length > 0) plan.push({ user: u, ids, path: sets[0]?.path ?? own });
  }
  if (ctx.cfg.ssh_import_id !== undefined && !normalizeUsers(ctx.cfg).users.some((u) => u.isDefault)) {
    ctx.log.warn(`${ctx.source.where(['ssh_import_id'])}ssh_import_id is for the default user, and users does not list one: nothing was imported for it`);
  }
  if (plan.length > 0 && !ctx.host.exec.has(TOOL)) {
    const who = plan.map((p) => `${p.user.name} (${p.ids.join(', ')})`).join(', ');
    errors.push(`${ctx.source.where(plan[0]?.path ?? ['ssh_import_id'])}${TOOL} is not installed in this image: no keys were imported for ${who}`);
    plan.length = 0;
  }
  const acc = new Accounts(ctx);
  for (const p of plan) {
    const name = p.user.name;
    // Under --exec record useradd only ran on paper: the user is not in the tree's passwd.
    if (acc.user(name) === null && ctx.host.exec.mode !== 'record') {
      errors.push(`${ctx.source.where(p.path)}ssh_import_id: user ${name} does not exist; ${p.ids.join(', ')} not imported`);
      continue;
    }
    const argv = importCommand(name, p.ids, (c) => ctx.host.exec.has(c));
    if (argv === null) {
      errors.push(`${ctx.source.where(p.path)}ssh_import_id: neither sudo nor doas is installed to run ${TOOL} as user ${name}; ${p.ids.join(', ')} not imported`);
      continue;
    }
    const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
    if (why !== null) errors.push(`${TOOL} for user ${name} (${p.ids.join(', ')}) failed: ${why}; its output is in /var/log/cloud-init-output.log`);
    else ctx.log.info(`imported the SSH keys of ${p.ids.join(', ')} for user ${name}`);
  }
  if (errors.length === 1) throw new Error(errors[0]);
  if (errors.length > 1) throw new Error(`${errors.length} ssh_import_id problems:\n${errors.join('\n')}`);
}

export const sshImportId: Module = {
  name: 'ssh_import_id',
  frequency: 'once-per-instance',
  keys: ['ssh_import_id'],
  // users[].ssh_import_id configures it too, with no top-level key.
  alwaysRun: true,
  schema: (z: Z) => z.object({ ssh_import_id: z.array(z.string()).optional() }),
  examples: ["#cloud-config\nssh_import_id: [user, 'gh:user2', 'lp:user3']\n", "#cloud-config\nssh_import_id: ['lp:user3']\nusers:\n  - default\n  - name: ops\n    ssh_import_id: ['gh:octocat']\n"],
  run,
};
