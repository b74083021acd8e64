// Finds nimbus's units on a host the way systemd does (unit directories by precedence,
// drop-ins merged by name) and reads or makes their enablement links.
import * as posix from 'node:path/posix';
import type { Host } from '../host/host.js';
import { listSetting, parseUnitFile, type UnitFile } from './unit-file.js';

/** systemd's system unit directories, highest precedence first. */
export const UNIT_DIRS: readonly string[] = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
export const ADMIN_UNIT_DIR = '/etc/systemd/system';

export type FoundUnit =
  | { state: 'missing'; name: string }
  | { state: 'masked'; name: string; path: string }
  | { state: 'found'; name: string; path: string /** The file the path resolves to. */; real: string; files: UnitFile[] };

/** Resolves a symlink chain inside the root (also for root "/", where fs.real does not). */
export function resolveUnitLink(host: Host, path: string): string {
  let p = path;
  for (let i = 0; i < 40; i++) {
    const t = host.fs.readlink(p);
    if (t === null) return p;
    p = t.startsWith('/') ? posix.normalize(t) : posix.normalize(posix.join(posix.dirname(p), t));
  }
  return p;
}

export function findUnit(host: Host, name: string): FoundUnit {
  for (const dir of UNIT_DIRS) {
    const path = `${dir}/${name}`;
    if (host.fs.stat(path, false) === null) continue;
    const real = resolveUnitLink(host, path);
    if (real === '/dev/null') return { state: 'masked', name, path };
    const text = host.fs.readText(real);
    if (text === null) continue; // a dangling link does not load
    return { state: 'found', name, path, real, files: [parseUnitFile(path, text), ...dropIns(host, name)] };
  }
  return { state: 'missing', name };
}

/** <name>.d/*.conf from every unit directory; a higher directory's file shadows a same-named lower one. */
function dropIns(host: Host, name: string): UnitFile[] {
  const chosen = new Map<string, string>();
  for (const dir of UNIT_DIRS) {
    for (const f of host.fs.list(`${dir}/${name}.d`)) {
      if (f.endsWith('.conf') && !chosen.has(f)) chosen.set(f, `${dir}/${name}.d/${f}`);
    }
  }
  return [...chosen.keys()].sort().map((f) => {
    const p = chosen.get(f)!;
    return parseUnitFile(p, host.fs.readText(p) ?? '');
  });
}

export interface EnableLink {
  /** The link `systemctl enable` makes, e.g. /etc/systemd/system/nimbus.target.wants/nimbus-init.service. */
  path: string;
  target: string;
}

/** The links `systemctl enable` would make for a unit, from its [Install] section. */
export function enableLinks(unit: Extract<FoundUnit, { state: 'found' }>): EnableLink[] {
  const target = unit.real;
  const out: EnableLink[] = [];
  for (const w of listSetting(unit.files, 'Install', 'WantedBy')) out.push({ path: `${ADMIN_UNIT_DIR}/${w}.wants/${unit.name}`, target });
  for (const w of listSetting(unit.files, 'Install', 'RequiredBy')) out.push({ path: `${ADMIN_UNIT_DIR}/${w}.requires/${unit.name}`, target });
  for (const a of listSetting(unit.files, 'Install', 'Alias')) out.push({ path: `${ADMIN_UNIT_DIR}/${a}`, target });
  return out;
}

/**
 * Whether an enable link is in place: a wants/requires link in any unit directory, under
 * the wanting unit's name or one of its aliases; an alias link pointing at this unit.
 */
export function enableLinkPresent(host: Host, link: EnableLink, unitName: string, aliasesOf: (unit: string) => string[]): boolean {
  const m = /^\/etc\/systemd\/system\/(.+)\.(wants|requires)\/[^/]+$/.exec(link.path);
  if (m === null) {
    // An alias: present when the name resolves to this unit's file.
    if (host.fs.stat(link.path, false) === null) return false;
    return posix.basename(resolveUnitLink(host, link.path)) === unitName;
  }
  const names = [m[1]!, ...aliasesOf(m[1]!)];
  return UNIT_DIRS.some((dir) => names.some((n) => host.fs.stat(`${dir}/${n}.${m[2]}/${unitName}`, false) !== null));
}

export function makeEnableLink(host: Host, link: EnableLink): void {
  host.fs.symlink(link.target, link.path);
}
