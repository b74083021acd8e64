// timezone: the system time zone from `timezone`, once per instance, as cloud-init's
// distros set it: Debian names the zone in /etc/timezone and links /etc/localtime to
// the zone file (or copies it over a real file an image keeps there); the rhel family
// links /etc/localtime under systemd, and on SysV-era releases sets ZONE= in
// /etc/sysconfig/clock and copies the zone file.
import type { Module, ModuleContext } from './types.js';
import { distroFacts } from '../distro/facts.js';
import { setShellVars } from './lib/shell-vars.js';

const ZONEINFO = '/usr/share/zoneinfo';

/** Why `zone` is not a zone name that can stand in a path under zoneinfo and in a sourced file, or null (pure). */
export function timezoneProblem(zone: unknown): string | null {
  if (typeof zone !== 'string') return `expected a time zone name, got ${zone === null ? 'null' : typeof zone}`;
  if (!/^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return `${JSON.stringify(zone)} is not a time zone name (letters, digits, _ + - and / between parts)`;
  return null;
}

function run(ctx: ModuleContext): void {
  const zone = ctx.cfg.timezone;
  // cloud-init skips a false or empty value: there is nothing to set.
  if (zone === false || zone === '') {
    ctx.log.debug('timezone is empty: the time zone is left as it is');
    return;
  }
  const why = timezoneProblem(zone);
  if (why !== null) throw new Error(`${ctx.source.where(['timezone'])}timezone: ${why}`);
  const name = zone as string;
  const file = `${ZONEINFO}/${name}`;
  if (!(ctx.host.fs.stat(file)?.isFile ?? false)) throw new Error(`${ctx.source.where(['timezone'])}timezone ${name}: no zone file ${file} in this image`);
  const fs = ctx.host.fs;
  if (ctx.distro.family === 'debian') {
    fs.write('/etc/timezone', `${name}\n`, { mode: 0o644 });
    // A real file an image keeps as /etc/localtime stays a file, as cloud-init copies over it.
    const cur = fs.stat('/etc/localtime', false);
    if (cur === null || cur.isSymlink) {
      fs.remove('/etc/localtime');
      fs.symlink(file, '/etc/localtime');
    } else fs.write('/etc/localtime', fs.read(file) as Buffer, { mode: cur.mode });
  } else if (distroFacts(ctx.distro).initSystem === 'systemd') {
    fs.remove('/etc/localtime');
    fs.symlink(file, '/etc/localtime');
  } else {
    fs.write('/etc/sysconfig/clock', setShellVars(fs.readText('/etc/sysconfig/clock'), { ZONE: name }), { mode: 0o644 });
    fs.write('/etc/localtime', fs.read(file) as Buffer, { mode: 0o644 });
  }
  ctx.log.info(`time zone set to ${name}`);
}

export const timezone: Module = {
  name: 'timezone',
  frequency: 'once-per-instance',
  keys: ['timezone'],
  schema: (z) => z.object({ timezone: z.string().optional() }),
  examples: ['#cloud-config\ntimezone: US/Eastern\n'],
  run,
};
