// The entry of the four stage daemons (nimbus-local.js, ...): each is a oneshot that
// runs its stage. They take the CLI's global options: --root, --exec, --debug. Each
// daemon passes in its own stage function, so its bundle holds only that stage's code
// (the local stage, on every boot's critical path, carries no module or schema code).
import { createHost, type Host, type HostOptions } from '../host/host.js';
import { STATUS_STAGE_OF, type BootStage, type StatusStage } from './stage-names.js';
import { EXEC_MODES, type ExecMode } from '../host/exec.js';
import { Console } from '../host/console.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { disabledReason, openStage, type StageEnv } from './env.js';
import { guarded } from './guard.js';

const USAGE = (s: BootStage) => `usage: nimbus-${s} [--root DIR] [--exec host|chroot|record] [--debug]\n`;

export function parseDaemonArgs(stage: BootStage, argv: string[]): { opts: HostOptions; debug: boolean } | string {
  const opts: HostOptions = {};
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--root') {
      const v = value();
      if (!v) return `--root needs a directory\n${USAGE(stage)}`;
      opts.root = v;
    } else if (flag === '--exec') {
      const v = value();
      if (!v || !(EXEC_MODES as readonly string[]).includes(v)) return `--exec must be one of ${EXEC_MODES.join(', ')}\n${USAGE(stage)}`;
      opts.exec = v as ExecMode;
    } else if (flag === '--debug' || flag === '-d') debug = true;
    else if (flag === '--version' || flag === '-v') return `nimbus-${stage} ${NIMBUS_VERSION_STRING}\n`;
    else if (flag === '--help' || flag === '-h') return USAGE(stage);
    else return `unknown argument ${a}\n${USAGE(stage)}`;
  }
  return { opts, debug };
}

export async function runStageDaemon(stage: BootStage, argv: string[], run: (env: StageEnv) => Promise<number>): Promise<number> {
  const parsed = parseDaemonArgs(stage, argv);
  if (typeof parsed === 'string') {
    // --version and --help answer on stdout and succeed; a bad argument is an error.
    const ok = parsed.startsWith(`nimbus-${stage} `) || parsed.startsWith('usage:');
    const out = new Console();
    if (ok) out.stdout(parsed);
    else out.stderr(parsed);
    return ok ? 0 : 2;
  }
  return runStage(createHost(parsed.opts), STATUS_STAGE_OF[stage], parsed.debug, run, `nimbus-${stage}`);
}

/**
 * One boot stage, as the daemons and the CLI's init/modules run it: nothing when nimbus
 * is switched off, else the stage opened (logger, distro, config) and guarded.
 */
export async function runStage(host: Host, name: StatusStage, debug: boolean, run: (env: StageEnv) => Promise<number>, label: string): Promise<number> {
  const why = disabledReason(host);
  if (why !== null) {
    host.console.stderr(`${label}: ${why}; nothing to do\n`);
    return 0;
  }
  const env = openStage(host, name, { debug });
  return guarded(env, name, () => run(env), 1);
}
