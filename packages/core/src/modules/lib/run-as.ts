// Commands of the configuration-management modules (ansible, puppet, chef, salt_minion,
// mcollective): run as another user the way cloud-init's distro `do_as` does (`su - USER
// -c "cd DIR && env PATH=$PATH CMD"`, every word quoted here, where cloud-init joins them
// unquoted), in a working directory, and only where they act on the tree being
// configured. Services are enabled, started and restarted with the distro's init system.
import type { ModuleContext } from '../types.js';
import type { ExecOptions, ExecResult } from '../../host/exec.js';
import { distroFacts } from '../../distro/facts.js';
import { shellWord } from './shell-vars.js';

export interface RunAs {
  /** The user the commands run as (`su -`), or null for root. */
  user: string | null;
  /** Environment for a command run as root (given to the process). */
  env?: Record<string, string>;
  /** Variables set in front of the command inside `su -c` (a login shell drops the process environment). */
  userEnv?: Record<string, string>;
  /** A directory added to the user's PATH inside `su -c` (pip --user's bin/). */
  extraPath?: string;
}

/** The argv that runs `argv` as `as.user` in `cwd` (pure). */
export function runAsArgv(argv: readonly string[], as: RunAs, cwd?: string): string[] {
  if (as.user === null) return cwd === undefined ? [...argv] : ['env', '-C', cwd, ...argv];
  const vars = Object.entries(as.userEnv ?? {}).map(([k, v]) => `${k}=${shellWord(v)}`);
  const line = `${cwd === undefined ? '' : `cd ${shellWord(cwd)} && `}env PATH=$PATH${as.extraPath === undefined ? '' : `:${shellWord(as.extraPath)}`} ${[...vars, ...argv.map(shellWord)].join(' ')}`;
  return ['su', '-', as.user, '-c', line];
}

/** Runs `argv` as `as.user` (see runAsArgv). */
export function runAs(ctx: ModuleContext, argv: readonly string[], as: RunAs, opts: ExecOptions & { cwd?: string } = {}): ExecResult {
  const { cwd, ...rest } = opts;
  const env = as.user === null && as.env !== undefined ? { ...as.env, ...(rest.env ?? {}) } : rest.env;
  return ctx.host.exec.run(runAsArgv(argv, as, cwd), env === undefined ? rest : { ...rest, env });
}

/**
 * Whether the module's commands (installers, agents) act on the tree: false only when
 * they would run on this machine for another tree (`--root DIR --exec host`), where
 * they would configure this machine instead.
 */
export function commandsReachTree(ctx: Pick<ModuleContext, 'host'>): boolean {
  return ctx.host.root === '/' || ctx.host.exec.mode !== 'host';
}

export type ServiceAction = 'enable' | 'disable' | 'start' | 'restart' | 'stop';
const DONE: Record<ServiceAction, string> = { enable: 'enabled', disable: 'disabled', start: 'started', restart: 'restarted', stop: 'stopped' };

/** argv of a service action as cloud-init's distro class runs it: systemctl, or on SysV `service NAME start|stop` for enable|disable (pure). */
export function serviceArgv(initSystem: 'systemd' | 'sysvinit', action: ServiceAction, service: string): string[] {
  if (initSystem === 'systemd') return ['systemctl', action, service];
  return ['service', service, action === 'enable' ? 'start' : action === 'disable' ? 'stop' : action];
}

/**
 * Runs a service action for the tree: on the running system (or recorded) always; on an
 * image tree under `--exec chroot` only `enable` and `disable` (a unit can be enabled in a
 * tree, not started); never for another tree under `--exec host`. Returns the result, or null
 * when it was not run (the reason is logged).
 */
export function serviceAction(ctx: ModuleContext, action: ServiceAction, service: string): ExecResult | null {
  const running = ctx.host.root === '/' || ctx.host.exec.mode === 'record';
  if (!running && !((action === 'enable' || action === 'disable') && ctx.host.exec.mode === 'chroot')) {
    ctx.log.info(`the tree under ${ctx.host.root} is not running: ${service} is not ${DONE[action]}`);
    return null;
  }
  return ctx.host.exec.run(serviceArgv(distroFacts(ctx.distro).initSystem, action, service), { output: 'log' });
}
