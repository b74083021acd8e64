// Registering nimbus's scripts on a host whose rc links insserv makes (Debian with
// sysv-rc): insserv reads every script's LSB block, renumbers the links and rewrites
// /etc/init.d/.depend.*, which is what Debian's /lib/init/rc actually starts from.
// Links made by hand there would be left out of the .depend files, so the scripts
// would not run; `update-rc.d <name> defaults` does exactly this insserv call.
import type { Host } from '../host/host.js';
import { BOOT_STAGES, STAGE_UNITS } from './stages.js';
import { DEPEND_BOOT, DEPEND_START, checkDependOrder, parseDependFile } from './insserv-depend.js';
import type { RcLayout } from './rc-tree.js';

/** Where update-rc.d looks for insserv, in its order. */
const INSSERV_PATHS = ['/sbin/insserv', '/usr/sbin/insserv', '/usr/lib/insserv/insserv'];

/**
 * insserv's path when the host orders its rc links with it: installed and configured
 * (/etc/insserv.conf), update-rc.d's own test. Debian layout only.
 */
export function insservOf(host: Host, layout: RcLayout): string | null {
  if (layout.style !== 'debian' || !host.fs.exists('/etc/insserv.conf')) return null;
  for (const p of INSSERV_PATHS) {
    const st = host.fs.stat(p);
    if (st?.isFile && (st.mode & 0o111) !== 0) return p;
  }
  return null;
}

export type InsservResult =
  | { ok: true; argv: string[]; recorded: boolean; warnings: string[] }
  | {
      ok: false;
      problems: string[];
      /** Whether insserv itself succeeded (and changed the links) before nimbus's check failed. */
      ranInsserv: boolean;
    };

const names = (): string[] => BOOT_STAGES.map((s) => STAGE_UNITS[s].name);

function run(host: Host, argv: string[]): InsservResult {
  if (host.exec.mode === 'host' && host.root !== '/') {
    // insserv has no option for another root: -p moves only the script directory, the
    // .depend files and links would still be written under this machine's /etc.
    return {
      ok: false,
      ranInsserv: false,
      problems: [`not supported: running insserv for the tree ${host.root} from outside it; pass --exec chroot (insserv then runs inside the tree) or --exec record`],
    };
  }
  const r = host.exec.run(argv);
  const warnings = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (r.error !== undefined || r.code !== 0) {
    return { ok: false, ranInsserv: false, problems: [`${argv.join(' ')} failed (${r.error ?? `exit ${r.code}`})`, ...warnings] };
  }
  return { ok: true, argv, recorded: r.recorded, warnings };
}

/** The order startpar will follow, read back from the .depend files insserv wrote. */
export function dependProblems(host: Host): string[] {
  const boot = host.fs.readText(DEPEND_BOOT);
  const start = host.fs.readText(DEPEND_START);
  if (boot === null || start === null) return [`insserv wrote no ${boot === null ? DEPEND_BOOT : DEPEND_START}`];
  return checkDependOrder(parseDependFile(boot), parseDependFile(start));
}

/**
 * Runs insserv on the four scripts (already in /etc/init.d) and checks the order it
 * made. Scripts are named in stage order, though insserv resolves them together.
 */
export function registerWithInsserv(host: Host, insserv: string): InsservResult {
  const r = run(host, [insserv, ...names()]);
  if (!r.ok || r.recorded) return r;
  const problems = dependProblems(host);
  if (problems.length > 0) return { ok: false, ranInsserv: true, problems: [`insserv ordered the scripts, but not as nimbus needs (check their LSB headers and the other scripts'):`, ...problems] };
  return r;
}

/** `insserv -r` on the four scripts: their links go and the .depend files are rewritten. */
export function unregisterWithInsserv(host: Host, insserv: string): InsservResult {
  const present = names().filter((n) => host.fs.exists(`/etc/init.d/${n}`));
  if (present.length === 0) return { ok: true, argv: [], recorded: false, warnings: [] };
  return run(host, [insserv, '-r', ...present.reverse()]);
}
