// sshd facts shared by ssh, users_groups and set_passwords: cloud-init's refusal
// prefix for disabled logins, and setting one option in sshd's configuration.
import type { ModuleContext } from '../types.js';
import { distroFacts, serviceCommand } from '../../distro/facts.js';
import { failure, treeIsRunning } from './tree-exec.js';

/** cloud-init's options on keys of a login that is refused ($USER: whom to use instead). */
export const DISABLE_USER_OPTS =
  'no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo \'Please login as the user \\"$USER\\" rather than the user \\"$DISABLE_USER\\".\';echo;sleep 10;exit 142"';

/** sshd_config text with `key value` set (pure): the first active line of key replaced, else appended; null when unchanged. */
export function sshdConfigWith(text: string, key: string, value: string): string | null {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const re = new RegExp(`^\\s*${key}(\\s|=)`, 'i');
  const matchAt = lines.findIndex((l) => /^\s*match\s/i.test(l));
  const limit = matchAt < 0 ? lines.length : matchAt;
  const i = lines.slice(0, limit).findIndex((l) => re.test(l));
  const want = `${key} ${value}`;
  if (i >= 0) {
    if ((lines[i] as string).trim() === want) return null;
    lines[i] = want;
  } else if (matchAt >= 0) lines.splice(matchAt, 0, want);
  else lines.push(want);
  return lines.join('\n') + '\n';
}

/** Whether sshd_config has an Include of sshd_config.d before any Match block (Debian 11+, RHEL 9+ images have). */
export function includesDropins(text: string, dir: string): boolean {
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (/^match\s/i.test(l)) return false;
    const m = /^include\s+(.+)$/i.exec(l);
    if (m && (m[1] as string).split(/\s+/).some((p) => p.startsWith(dir))) return true;
  }
  return false;
}

export const SSHD_DROPIN = '50-cloud-init.conf';

/**
 * Sets one sshd option where sshd will read it first: in sshd_config.d/50-cloud-init.conf
 * when sshd_config includes that directory (the first value sshd reads wins, and the
 * Include comes first), else in sshd_config itself. Returns the file changed, or null.
 */
export function setSshdOption(ctx: ModuleContext, key: string, value: string): string | null {
  const facts = distroFacts(ctx.distro);
  const main = ctx.host.fs.readText(facts.sshdConfig);
  if (main === null) {
    ctx.log.warn(`${facts.sshdConfig} does not exist (is openssh-server installed?): ${key} ${value} was not set`);
    return null;
  }
  const dir = facts.sshdConfigDir ?? '/etc/ssh/sshd_config.d';
  if (includesDropins(main, dir)) {
    const path = `${dir}/${SSHD_DROPIN}`;
    const next = sshdConfigWith(ctx.host.fs.readText(path) ?? '', key, value);
    if (next === null) return null;
    ctx.host.fs.write(path, next, { mode: 0o600 });
    return path;
  }
  const next = sshdConfigWith(main, key, value);
  if (next === null) return null;
  const st = ctx.host.fs.stat(facts.sshdConfig);
  ctx.host.fs.write(facts.sshdConfig, next, { mode: st === null ? 0o644 : st.mode & 0o7777 });
  return facts.sshdConfig;
}

/** Restarts sshd when it is running (a stopped or absent service is left alone, as cloud-init does). */
export function restartSshd(ctx: ModuleContext): void {
  const facts = distroFacts(ctx.distro);
  const sys = ctx.cfg.system_info;
  const svc = sys !== null && typeof sys === 'object' && typeof (sys as Record<string, unknown>).ssh_svcname === 'string' ? ((sys as Record<string, unknown>).ssh_svcname as string) : facts.sshService;
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`${ctx.host.root} is not the running system: ${svc} is not restarted`);
    return;
  }
  if (!/^[A-Za-z0-9@._-]+$/.test(svc)) {
    ctx.log.error(`system_info.ssh_svcname ${JSON.stringify(svc)} is not a service name; sshd was not restarted`);
    return;
  }
  const status = ctx.host.exec.run(serviceCommand(facts, 'status', svc));
  if (!status.recorded && (status.error !== undefined || status.code !== 0)) {
    ctx.log.info(`${svc} is not running: the new setting applies when it starts`);
    return;
  }
  const why = failure(ctx.host.exec.run(serviceCommand(facts, 'restart', svc)));
  if (why !== null) ctx.log.warn(`restarting ${svc} failed (${why}): the new setting applies when it restarts`);
}
