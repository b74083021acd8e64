// seed_random: entropy for the kernel's pool, once per instance, also with nothing
// configured, as cloud-init does: random_seed.data (raw, base64 or gzip) and then the
// metadata's random_seed (OpenStack and config drives give one, base64) are appended to
// random_seed.file (/dev/urandom), then random_seed.command, if given and installed,
// runs with RANDOM_SEED_FILE set. Nothing is appended to an image tree that is not
// running (--root with --exec host or chroot): its /dev is not this boot's.
import type { Module, ModuleContext } from './types.js';
import { isDict } from '../config/merge.js';
import { decodeContent } from './lib/write-file-entries.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { pathProblem } from './lib/validators.js';

const ENCODINGS = ['raw', 'base64', 'b64', 'gzip', 'gz'] as const;

/** The metadata's seed as bytes: OpenStack-format datasources give it base64, others as text (pure). */
export function metadataSeed(dsname: string, v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || v === '') return new Uint8Array();
  if (dsname === 'OpenStack' || dsname === 'ConfigDrive') return new Uint8Array(Buffer.from(v, 'base64'));
  return new Uint8Array(Buffer.from(v, 'utf8'));
}

function run(ctx: ModuleContext): void {
  const raw = ctx.cfg.random_seed;
  if (raw !== undefined && raw !== null && !isDict(raw)) throw new Error(`${ctx.source.where(['random_seed'])}random_seed must be a mapping`);
  const c = isDict(raw) ? raw : {};
  const file = c.file === undefined ? '/dev/urandom' : c.file;
  const why = pathProblem(file);
  if (why !== null) throw new Error(`${ctx.source.where(['random_seed', 'file'])}random_seed.file: ${why}`);
  const enc = c.encoding === undefined || c.encoding === null ? 'raw' : String(c.encoding).toLowerCase();
  if (!(ENCODINGS as readonly string[]).includes(enc))
    throw new Error(`${ctx.source.where(['random_seed', 'encoding'])}random_seed.encoding ${JSON.stringify(c.encoding)} is not one of ${ENCODINGS.join(', ')}`);
  const parts: Uint8Array[] = [];
  if (c.data !== undefined && c.data !== null && c.data !== '') {
    try {
      parts.push(decodeContent(c.data, enc === 'raw' ? 'text/plain' : enc, 'random_seed.data'));
    } catch (e) {
      throw new Error(`${ctx.source.where(['random_seed', 'data'])}${(e as Error).message}`);
    }
  }
  parts.push(metadataSeed(ctx.ds.dsname, ctx.ds.metadata.random_seed));
  const seed = Buffer.concat(parts);
  const command = c.command;
  if (command !== undefined && command !== null && !(Array.isArray(command) && command.every((a) => typeof a === 'string') && command.length > 0))
    throw new Error(`${ctx.source.where(['random_seed', 'command'])}random_seed.command must be a non-empty list of strings (an argv)`);
  const required = c.command_required === true;
  if (c.command_required !== undefined && typeof c.command_required !== 'boolean')
    throw new Error(`${ctx.source.where(['random_seed', 'command_required'])}random_seed.command_required must be true or false`);
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`the tree under ${ctx.host.root} is not running: no seed added to ${file as string} and no seed command run`);
    return;
  }
  if (seed.length > 0) {
    ctx.host.fs.appendLog(file as string, seed, 0o600);
    ctx.log.debug(`added ${seed.length} bytes of random seed to ${file as string}`);
  }
  if (!Array.isArray(command)) {
    if (required) throw new Error(`${ctx.source.where(['random_seed', 'command_required'])}random_seed.command_required is true but no command is given`);
    return;
  }
  const argv = command as string[];
  const cmd = argv[0] as string;
  const there = cmd.includes('/') ? ctx.host.fs.stat(cmd)?.isFile === true : ctx.host.exec.has(cmd);
  if (!there) {
    if (required) throw new Error(`${ctx.source.where(['random_seed', 'command'])}random_seed.command ${cmd} is not installed and command_required is true`);
    ctx.log.debug(`random_seed.command ${cmd} is not installed: not run`);
    return;
  }
  const fail = failure(ctx.host.exec.run(argv, { env: { RANDOM_SEED_FILE: file as string }, output: 'log' }));
  if (fail !== null) throw new Error(`random_seed.command ${argv.join(' ')} failed: ${fail}`);
}

export const seedRandom: Module = {
  name: 'seed_random',
  frequency: 'once-per-instance',
  keys: ['random_seed'],
  alwaysRun: true,
  schema: (z) =>
    z.object({
      random_seed: z
        .object({
          file: z.string().optional(),
          data: z.union([z.string(), z.instanceof(Uint8Array)]).optional(),
          encoding: z.enum(ENCODINGS).optional(),
          command: z.array(z.string()).optional(),
          command_required: z.boolean().optional(),
        })
        .strict()
        .optional(),
    }),
  examples: [
    `#cloud-config
# Add data to /dev/urandom, then run pollinate (when installed) with RANDOM_SEED_FILE set.
random_seed:
  file: /dev/urandom
  data: my random string
  encoding: raw
  command: ['sh', '-c', 'dd if=/dev/urandom of=$RANDOM_SEED_FILE']
  command_required: true
`,
    `#cloud-config
# Use pollinate to gather data from a remote entropy server and write it to /dev/urandom.
random_seed:
  file: /dev/urandom
  command: ["pollinate", "--server=http://local.polinate.server"]
  command_required: true
`,
  ],
  run,
};
