// Command execution, always from an argv array (never a shell line built from data).
// Three modes: `host` runs the command here, `chroot` runs it inside the root, and
// `record` runs nothing and appends the argv to <root>/var/log/nimbus-commands.log, so
// a whole boot can be run on a temp tree and its commands inspected afterwards.
import { childProcess } from '../util/builtin.js';
import * as nodePath from 'node:path';
import type { RootFs } from './rootfs.js';

export type ExecMode = 'host' | 'chroot' | 'record';
export const EXEC_MODES: readonly ExecMode[] = ['host', 'chroot', 'record'];

export const COMMAND_RECORD = '/var/log/nimbus-commands.log';
export const OUTPUT_LOG = '/var/log/cloud-init-output.log';

export interface ExecOptions {
  /** Sent on standard input. Never recorded or logged: only its size is. */
  stdin?: string | Uint8Array;
  /** Extra environment variables (added to the current environment). */
  env?: Record<string, string>;
  /** `capture` (default) returns the output; `log` sends it to cloud-init-output.log. */
  output?: 'capture' | 'log';
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** true when the command was only recorded, not run. */
  recorded: boolean;
  /** Set when the command could not be started or was killed (timeout, signal). */
  error?: string;
}

export interface RecordedCommand {
  argv: string[];
  env?: Record<string, string>;
  stdin?: string;
  output?: 'log';
}

export class Exec {
  /**
   * Called before each command runs (or is recorded). The module runner uses it to mark
   * a module that has started running commands, so a crash cannot make them run twice.
   */
  beforeRun: ((argv: readonly string[]) => void) | null = null;

  constructor(
    readonly mode: ExecMode,
    private readonly fs: RootFs,
  ) {}

  /**
   * The path a command run by this Exec sees for an in-root path: the real path when
   * commands run on the host with a root other than "/", the path itself otherwise.
   */
  pathFor(inRootPath: string): string {
    return this.mode === 'host' ? this.fs.real(inRootPath) : inRootPath;
  }

  /** Whether `cmd` is installed in the root's usual binary directories. */
  has(cmd: string): boolean {
    for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
      const s = this.fs.stat(nodePath.posix.join(dir, cmd));
      if (s?.isFile && (s.mode & 0o111) !== 0) return true;
    }
    return false;
  }

  run(argv: readonly string[], opts: ExecOptions = {}): ExecResult {
    if (argv.length === 0) throw new Error('exec: empty argv');
    this.beforeRun?.(argv);
    if (this.mode === 'record') {
      const rec: RecordedCommand = { argv: [...argv] };
      if (opts.env && Object.keys(opts.env).length > 0) rec.env = opts.env;
      if (opts.stdin !== undefined) rec.stdin = `${Buffer.byteLength(opts.stdin)} bytes, not recorded`;
      if (opts.output === 'log') rec.output = 'log';
      this.fs.appendLog(COMMAND_RECORD, JSON.stringify(rec) + '\n', 0o600);
      return { code: 0, stdout: '', stderr: '', recorded: true };
    }
    // Inside a chroot a missing command is only chroot's exit 127 (its message may be in
    // a log): look first, so callers see "command not found" as on the host.
    if (this.mode === 'chroot' && !(argv[0] as string).includes('/') && !this.has(argv[0] as string)) {
      return { code: 127, stdout: '', stderr: '', recorded: false, error: `command not found: ${argv[0]} (not installed under ${this.fs.root})` };
    }
    const [cmd, ...args] = this.mode === 'chroot' ? ['chroot', this.fs.root, ...argv] : [...argv];
    let outFd: number | null = null;
    let toJournal = false;
    if (opts.output === 'log') {
      try {
        outFd = this.fs.openLog(OUTPUT_LOG, 0o640);
      } catch {
        // A full or read-only /var/log must not keep the command from running: its
        // output goes to this process's stdout and stderr (the journal) instead.
        toJournal = true;
      }
    }
    try {
      const out = outFd ?? (toJournal ? 'inherit' : 'pipe');
      const r = childProcess().spawnSync(cmd as string, args, {
        input: opts.stdin,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', out, out],
        timeout: opts.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      });
      const res: ExecResult = {
        code: r.status ?? -1,
        stdout: r.stdout ? r.stdout.toString('utf8') : '',
        stderr: r.stderr ? r.stderr.toString('utf8') : '',
        recorded: false,
      };
      if (r.error) res.error = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `command not found: ${cmd}` : r.error.message;
      else if (r.signal) res.error = `killed by ${r.signal}`;
      return res;
    } finally {
      if (outFd !== null) this.fs.closeFd(outFd);
    }
  }
}
