// The meaning of rendered network files, as a set of facts ("file section key=value"),
// so nimbus's output and cloud-init's can be compared without comments, key order,
// quoting, generated UUIDs or equivalent spellings getting in the way.
import { loadYaml } from '../../packages/core/src/index.js';

export type Files = Map<string, string>;

function shellFacts(file: string, text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l.trim());
    if (!m) continue;
    let v = (m[2] as string).replace(/^"(.*)"$/, '$1');
    if (m[1] === 'BONDING_OPTS' || m[1] === 'BONDING_MODULE_OPTS') v = v.split(' ').sort().join(' ');
    out.push(`${file} ${m[1]}=${v}`);
  }
  return out;
}

function iniFacts(file: string, text: string, uuids: Map<string, string>): string[] {
  const out: string[] = [];
  let section = '';
  const counts = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const s = /^\[(.*)\]$/.exec(l);
    if (s) {
      // Repeated sections ([Route], [Address]) are told apart by their content, not their order.
      section = s[1] as string;
      counts.set(section, (counts.get(section) ?? 0) + 1);
      continue;
    }
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    const k = l.slice(0, eq).trim();
    let v = l.slice(eq + 1).trim();
    if (k === 'uuid') continue;
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(v)) v = `<connection ${uuids.get(v) ?? '?'}>`;
    // systemd reads booleans in any case and as yes/no or true/false (cloud-init writes Python's True/False).
    if (/\.(network|netdev|link)$/.test(file) && /^(yes|no|true|false)$/i.test(v)) v = /^(yes|true)$/i.test(v) ? 'yes' : 'no';
    for (const part of k === 'DNS' || k === 'Domains' ? v.split(' ') : [v]) out.push(`${file} [${section}] ${k}=${part}`);
  }
  return out;
}

function flatten(prefix: string, v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    for (const x of v) flatten(`${prefix}[]`, x, out);
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('to' in o && 'via' in o) {
      const to = o.to === '0.0.0.0/0' || o.to === '::/0' ? 'default' : String(o.to);
      out.push(`${prefix} route ${to} via ${String(o.via)}${o.metric !== undefined ? ` metric ${String(o.metric)}` : ''}`);
      return;
    }
    for (const [k, x] of Object.entries(o)) {
      if (k === 'gateway4' || k === 'gateway6') out.push(`${prefix}.routes[] route default via ${String(x)}`);
      else flatten(`${prefix}.${k}`, x, out);
    }
  } else out.push(`${prefix}=${String(v)}`);
}

function eniFacts(file: string, text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const l = raw.trim().replace(/\s+/g, ' ');
    if (l === '' || l.startsWith('#')) continue;
    const w = l.split(' ');
    if (w[0] === 'auto') {
      out.push(`${file} auto ${w[1]}`);
      continue;
    }
    if (w[0] === 'iface') {
      cur = `${w[1]} ${w[2]}`;
      out.push(`${file} iface ${w[1]} ${w[2]} ${w[3]}`);
      continue;
    }
    // route hooks: `route add -net X gw Y` (or -host) and `ip route add X via Y` mean the same.
    const route =
      /^(post-up|pre-down) (?:route (?:add|del)(?: -A inet6)?(?: -net| -host)? (\S+) gw (\S+)(?: metric (\d+))?|ip(?: -6)? route (?:add|del) (\S+)(?: via (\S+))?(?: dev \S+)?(?: metric (\d+))?)/.exec(
        l,
      );
    if (route) {
      const dest = route[2] ?? route[5];
      const via = route[3] ?? route[6];
      const metric = route[4] ?? route[7];
      if (route[1] === 'post-up') out.push(`${file} ${cur} route ${dest}${via ? ` via ${via}` : ''}${metric ? ` metric ${metric}` : ''}`);
      continue;
    }
    const key = (w[0] as string).replace(/_/g, '-');
    out.push(`${file} ${cur} ${key} ${w.slice(1).join(' ')}`);
  }
  return out;
}

export function facts(files: Files): Set<string> {
  const uuids = new Map<string, string>();
  for (const text of files.values()) {
    const id = /^id=(.*)$/m.exec(text)?.[1];
    const uuid = /^uuid=(.*)$/m.exec(text)?.[1];
    if (id && uuid) uuids.set(uuid, id);
  }
  const out: string[] = [];
  for (const [file, text] of files) {
    const body = text
      .split('\n')
      .filter((l) => !/^\s*[#;]/.test(l))
      .join('\n')
      .trim();
    if (body === '') continue; // a file of only comments says nothing
    if (file.includes('/network-scripts/') || file === '/etc/sysconfig/network' || file.startsWith('/etc/sysconfig/network/ifcfg-')) out.push(...shellFacts(file, text));
    else if (file.endsWith('.yaml')) flatten(file, loadYaml(text, file).value, out);
    else if (file.includes('/interfaces.d/')) out.push(...eniFacts(file, text));
    else if (/\.(network|netdev|link|nmconnection|conf)$/.test(file)) out.push(...iniFacts(file, text, uuids));
    else for (const l of body.split('\n')) out.push(`${file} ${l.trim()}`);
  }
  // IPv6 addresses are the same in any case (cloud-init copies `FEDC::1` as given,
  // nimbus writes the canonical lower case).
  return new Set(out.map((f) => f.replace(/[0-9A-Fa-f]*::?[0-9A-Fa-f:]*::[0-9A-Fa-f:]*|[0-9A-Fa-f]*::[0-9A-Fa-f:]*/g, (a) => a.toLowerCase())));
}
