// NetworkManager takes the hostname from DHCP or reverse DNS unless `[main]
// hostname-mode=none`, replacing the one the local stage set from the metadata. This
// reads NetworkManager's configuration as NetworkManager merges it.
import type { Host } from '../host/host.js';

export const NM_CONF = '/etc/NetworkManager/NetworkManager.conf';
export const NM_CONF_DIRS: readonly string[] = ['/usr/lib/NetworkManager/conf.d', '/run/NetworkManager/conf.d', '/etc/NetworkManager/conf.d'];
export const NM_FIX_FILE = '/etc/NetworkManager/conf.d/99-nimbus-hostname.conf';
export const NM_FIX_TEXT = '# Written by nimbus: the hostname comes from the instance metadata, not DHCP.\n[main]\nhostname-mode=none\n';

export interface KeyfileValue {
  value: string;
  file: string;
  line: number;
}

/** The value of one key of a keyfile-format section, the last assignment winning. */
export function keyfileValue(files: readonly { path: string; text: string }[], section: string, key: string): KeyfileValue | null {
  let found: KeyfileValue | null = null;
  for (const f of files) {
    let sec = '';
    f.text.split('\n').forEach((raw, i) => {
      const t = raw.trim();
      if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
      const s = /^\[([^\]]+)\]$/.exec(t);
      if (s !== null) {
        sec = s[1]!.trim();
        return;
      }
      const eq = t.indexOf('=');
      if (eq > 0 && sec === section && t.slice(0, eq).trim() === key) found = { value: t.slice(eq + 1).trim(), file: f.path, line: i + 1 };
    });
  }
  return found;
}

/** NetworkManager.conf first, then the conf.d snippets by file name (/etc shadowing /run and /usr/lib). */
export function readNmConfig(host: Host): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const main = host.fs.readText(NM_CONF);
  if (main !== null) out.push({ path: NM_CONF, text: main });
  const byName = new Map<string, string>();
  for (const dir of NM_CONF_DIRS) for (const f of host.fs.list(dir)) if (f.endsWith('.conf')) byName.set(f, `${dir}/${f}`);
  for (const f of [...byName.keys()].sort()) {
    const p = byName.get(f)!;
    out.push({ path: p, text: host.fs.readText(p) ?? '' });
  }
  return out;
}

export function networkManagerInstalled(host: Host): boolean {
  return host.exec.has('NetworkManager') || host.fs.exists(NM_CONF);
}

/** null when NetworkManager leaves the hostname alone; else where the setting comes from. */
export function nmManagesHostname(host: Host): { mode: string; source: string } | null {
  const v = keyfileValue(readNmConfig(host), 'main', 'hostname-mode');
  if (v !== null && v.value === 'none') return null;
  return v === null ? { mode: 'default', source: 'no hostname-mode set, so NetworkManager uses its default' } : { mode: v.value, source: `${v.file} line ${v.line}` };
}
