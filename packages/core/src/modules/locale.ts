// locale: the system locale, once per instance, also with nothing configured, as
// cloud-init does: `locale` (default: the image's LANG, else the distro's default,
// C.UTF-8 on Debian and en_US.UTF-8 on the rhel family as cloud-init 25.x has them)
// becomes LANG in the locale file. Debian generates it with locale-gen and sets it with
// update-locale; the rhel family sets LANG= in /etc/locale.conf (or /etc/sysconfig/i18n
// on SysV-era releases). `locale: false` leaves the locale alone.
import type { Module, ModuleContext } from './types.js';
import type { DistroFamily } from '../distro/types.js';
import { distroFacts, packageInstallCommand } from '../distro/facts.js';
import { readShellVar, setShellVars } from './lib/shell-vars.js';
import { failure } from './lib/tree-exec.js';
import { pathProblem } from './lib/validators.js';

/** cloud-init's util.is_false spellings of a value that turns the module off. */
const OFF = new Set(['false', 'off', '0', 'no']);

/** The locale names that need no generating (`locale -a` always lists them). */
const BUILTIN_LOCALES = new Set(['c', 'c.utf-8', 'posix']);

/** Why `v` is not a locale name (ll_CC.charset@modifier, C, POSIX), or null (pure). */
export function localeProblem(v: unknown): string | null {
  if (typeof v !== 'string') return `expected a locale name or false, got ${v === null ? 'null' : typeof v}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@+-]*$/.test(v) || v.length > 64) return `${JSON.stringify(v)} is not a locale name (such as en_US.UTF-8)`;
  return null;
}

export function defaultLocale(family: DistroFamily): string {
  return family === 'debian' ? 'C.UTF-8' : 'en_US.UTF-8';
}

function localeFile(ctx: ModuleContext): string {
  if (ctx.distro.family === 'debian') return '/etc/default/locale';
  return distroFacts(ctx.distro).initSystem === 'systemd' ? '/etc/locale.conf' : '/etc/sysconfig/i18n';
}

function run(ctx: ModuleContext): void {
  const fs = ctx.host.fs;
  const raw = ctx.cfg.locale;
  if (raw === false || (typeof raw === 'string' && OFF.has(raw.trim().toLowerCase()))) {
    ctx.log.debug('locale is false: the locale is left as it is');
    return;
  }
  const distroFile = localeFile(ctx);
  let file = distroFile;
  if (ctx.cfg.locale_configfile !== undefined && ctx.cfg.locale_configfile !== null) {
    const why = pathProblem(ctx.cfg.locale_configfile);
    if (why !== null) throw new Error(`${ctx.source.where(['locale_configfile'])}locale_configfile: ${why}`);
    file = ctx.cfg.locale_configfile as string;
  }
  // The image's own locale is read from the distro's file, as cloud-init's get_locale does.
  const system = readShellVar(fs.readText(distroFile), 'LANG');
  // `locale: true` asks for the default (cloud-init would try to generate a locale named "True").
  const wanted = raw === undefined || raw === null || raw === true ? (system ?? defaultLocale(ctx.distro.family)) : raw;
  const why = localeProblem(wanted);
  if (why !== null) throw new Error(`${ctx.source.where(['locale'])}locale: ${why}`);
  const locale = wanted as string;
  // suse with systemd writes LANG= to /etc/locale.conf too (cloud-init's opensuse apply_locale).
  if (ctx.distro.family !== 'debian') {
    fs.write(file, setShellVars(fs.readText(file), { LANG: locale }), { mode: 0o644 });
    ctx.log.info(`locale set to ${locale} in ${file}`);
    return;
  }
  const current = system ?? defaultLocale('debian');
  const fileThere = fs.exists(file);
  const needed = locale.toLowerCase() !== current.toLowerCase() || !fileThere || system === null;
  if (!needed) {
    ctx.log.debug(`locale ${locale} is already the system's (${distroFile}): nothing to do`);
    return;
  }
  const facts = distroFacts(ctx.distro);
  const runOrFail = (argv: string[]) => {
    const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
    if (why !== null) throw new Error(`locale ${locale}: ${argv.join(' ')} failed: ${why}`);
  };
  if (!BUILTIN_LOCALES.has(locale.toLowerCase())) {
    if (!ctx.host.exec.has('locale-gen')) runOrFail(packageInstallCommand(facts, ['locales']));
    runOrFail(['locale-gen', locale]);
  }
  if (ctx.host.exec.has('update-locale') || !BUILTIN_LOCALES.has(locale.toLowerCase())) {
    runOrFail(['update-locale', `--locale-file=${file}`, `LANG=${locale}`]);
  } else {
    // A minimal image without the locales package: C.UTF-8 needs nothing generated, so
    // nimbus writes the file itself rather than install a package at boot for it.
    fs.write(file, setShellVars(fs.readText(file), { LANG: locale }), { mode: 0o644 });
  }
  ctx.log.info(`locale set to ${locale} in ${file}`);
}

export const locale: Module = {
  name: 'locale',
  frequency: 'once-per-instance',
  keys: ['locale', 'locale_configfile'],
  alwaysRun: true,
  schema: (z) => z.object({ locale: z.union([z.boolean(), z.string()]).optional(), locale_configfile: z.string().optional() }),
  examples: [
    '#cloud-config\nlocale: ar_AE\n',
    '#cloud-config\nlocale: fr_CA\nlocale_configfile: /etc/alternate_path/locale\n',
    "#cloud-config\n# keep the image's locale: nothing is generated or written\nlocale: false\n",
  ],
  run,
};
