// Debian's /etc/network/interfaces: `auto`/`allow-*` lines, `iface NAME inet|inet6
// METHOD` stanzas with indented options, and `source` / `source-directory` lines that
// pull in other files (read through the reader given, i.e. host.fs under the root).
import type { Where } from '../errors.js';
import { finalizeState } from '../finalize.js';
import { emptyDns, type Iface, type NetworkState, type Route, type Subnet } from '../model.js';
import { bondParam, bondValue } from './v1.js';
import { cidr, dnsName, familyOf, ifName, int, ipAddr, mac, maskToPrefix, mtu } from '../validate.js';
import { fail } from '../errors.js';

export interface EniReader {
  read(path: string): string | null;
  list(dir: string): string[];
}

interface Line {
  file: string;
  line: number;
  words: string[];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

// run-parts' name rule, which source-directory follows: letters, digits, _ and -.
const RUN_PARTS = /^[A-Za-z0-9_-]+$/;

/** Reads `file` and everything it sources, in order, as tokenised lines. */
function collect(file: string, text: string, reader: EniReader, depth: number, out: Line[]): void {
  if (depth > 10) throw new Error(`${file}: source nesting deeper than 10 (a loop?)`);
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let raw = lines[n] as string;
    const start = n;
    while (raw.endsWith('\\') && n + 1 < lines.length) raw = raw.slice(0, -1) + ' ' + lines[++n];
    const t = raw.trim();
    // cloud-init (and nimbus) mark a `control: manual` interface with this comment in
    // place of its `auto` line; it is the only comment that means something.
    const manual = /^#\s*control-manual\s+(\S+)$/.exec(t);
    if (manual) out.push({ file, line: start + 1, words: ['control-manual', manual[1] as string] });
    if (t === '' || t.startsWith('#')) continue;
    const words = t.split(/\s+/);
    if (words[0] === 'source' || words[0] === 'source-directory') {
      const target = words[1] ?? '';
      const abs = target.startsWith('/') ? target : `${dirname(file)}/${target}`;
      if (words[0] === 'source') {
        const dir = dirname(abs);
        const re = globToRegExp(abs.slice(dir.length + 1));
        const hits = /[*?]/.test(abs)
          ? reader
              .list(dir)
              .filter((f) => re.test(f))
              .map((f) => `${dir === '/' ? '' : dir}/${f}`)
          : [abs];
        for (const f of hits) {
          const t2 = reader.read(f);
          if (t2 !== null) collect(f, t2, reader, depth + 1, out);
        }
      } else {
        for (const f of reader.list(abs).filter((x) => RUN_PARTS.test(x))) {
          const t2 = reader.read(`${abs}/${f}`);
          if (t2 !== null) collect(`${abs}/${f}`, t2, reader, depth + 1, out);
        }
      }
      continue;
    }
    out.push({ file, line: start + 1, words });
  }
}

/**
 * A route from an `up`/`post-up` hook: `ip [-4|-6] route add DEST via GW [dev X] [metric N]`
 * or `route add [-A inet6] [-net] DEST [netmask M] gw GW [metric N]`, optionally followed by
 * `|| true`. Anything else is a hook nimbus does not interpret (null).
 */
function hookRoute(w: Where, args: string[]): Route | null {
  const text = args.join(' ').replace(/\s*\|\|\s*true\s*$/, '');
  const ipForm = /^ip(?: -([46]))? route add (\S+)(?: via (\S+))?(?: dev \S+)?(?: metric (\d+))?$/.exec(text);
  const rtForm = /^route add(?: -A inet6)?(?: -net| -host)? (\S+)(?: netmask (\S+))? gw (\S+)(?: metric (\d+))?$/.exec(text);
  let dest: string, via: string | undefined, metric: string | undefined, mask: string | undefined;
  let flag: string | undefined;
  if (ipForm) [flag, dest, via, metric] = [ipForm[1], ipForm[2] as string, ipForm[3], ipForm[4]];
  else if (rtForm) [dest, mask, via, metric] = [rtForm[1] as string, rtForm[2], rtForm[3] as string, rtForm[4]];
  else return null;
  const gw = via === undefined ? undefined : ipAddr(w, ['route', 'gateway'], via);
  let to: string;
  let prefix: number;
  if (dest === 'default') {
    // A default route onto the link names its family with -6 (ip's default is IPv4).
    const fam = gw !== undefined ? familyOf(gw) : flag === '6' ? 6 : 4;
    [to, prefix] = [fam === 4 ? '0.0.0.0' : '::', 0];
  } else {
    const c = cidr(w, ['route', 'destination'], dest);
    to = c.address;
    const fam = familyOf(to);
    prefix = mask !== undefined ? maskToPrefix(w, ['route', 'netmask'], mask, fam) : (c.prefix ?? (fam === 4 ? 32 : 128));
  }
  if (gw !== undefined && familyOf(to) !== familyOf(gw)) fail(w, ['route', 'gateway'], `a gateway of the same family as ${to}`, via);
  return { to, prefix, ...(gw !== undefined ? { via: gw } : {}), ...(metric !== undefined ? { metric: Number(metric) } : {}) };
}

/** Parses ENI text found at `file` (for messages and relative sources). */
export function parseEni(file: string, text: string, reader: EniReader): NetworkState {
  const lines: Line[] = [];
  collect(file, text, reader, 0, lines);
  const state: NetworkState = { interfaces: [], routes: [], dns: emptyDns() };
  const ifaces = new Map<string, Iface>();
  let current: { iface: Iface; subnet: Subnet | null; family: 4 | 6 } | null = null;
  // Options of the loopback stanza: only its DNS lines mean something here (global DNS).
  let inLo = false;
  const manual = new Set<string>();
  const at = (l: Line): Where => ({ source: `${l.file}:${l.line}` });
  for (const l of lines) {
    const [kw, ...args] = l.words as [string, ...string[]];
    const w = at(l);
    if (kw === 'control-manual') {
      manual.add(args[0] as string);
      continue;
    }
    if (kw === 'auto' || kw.startsWith('allow-') || kw === 'mapping' || kw === 'no-auto-down' || kw === 'no-scripts') {
      current = null;
      inLo = false;
      continue;
    }
    if (kw === 'iface') {
      inLo = false;
      const [name, fam, method] = args;
      if (name === undefined || fam === undefined || method === undefined) fail(w, ['iface'], 'iface NAME inet|inet6 METHOD', l.words.join(' '));
      if (fam !== 'inet' && fam !== 'inet6') fail(w, ['iface', 'family'], 'inet or inet6 (not supported: ipx, can)', fam);
      if (name === 'lo') {
        current = null;
        inLo = true;
        continue;
      }
      const nm = ifName(w, ['iface', 'name'], name);
      let iface = ifaces.get(nm);
      if (!iface) {
        iface = { name: nm, type: 'physical', subnets: [] };
        ifaces.set(nm, iface);
        state.interfaces.push(iface);
      }
      const family = fam === 'inet' ? 4 : 6;
      let subnet: Subnet | null;
      switch (method) {
        case 'static':
          // address comes in an option line; filled in below
          subnet = { type: 'static', family, address: '', prefix: family === 4 ? 24 : 64, dns: emptyDns(), routes: [] };
          break;
        case 'dhcp':
          subnet = { type: family === 4 ? 'dhcp4' : 'dhcp6', dns: emptyDns(), routes: [] };
          break;
        case 'auto':
          if (family === 4) fail(w, ['iface', 'method'], 'auto only with inet6', method);
          subnet = { type: 'slaac', dns: emptyDns(), routes: [] };
          break;
        case 'manual':
          subnet = null;
          break;
        default:
          fail(w, ['iface', 'method'], 'static, dhcp, manual or (inet6) auto (not supported: ppp, bootp, tunnel, wvdial, v4tunnel, 6to4)', method);
      }
      if (subnet) iface.subnets.push(subnet);
      current = { iface, subnet, family };
      continue;
    }
    if (inLo) {
      if (kw === 'dns-nameservers') for (const a of args) state.dns.nameservers.push(ipAddr(w, [kw], a));
      else if (kw === 'dns-search') for (const d of args) state.dns.search.push(dnsName(w, [kw], d));
      else if (kw === 'post-up' || kw === 'up') {
        const r = hookRoute(w, args);
        if (r) state.routes.push(r);
      }
      continue;
    }
    if (!current) fail(w, [kw], 'auto, allow-*, iface, source or source-directory (an option outside an iface stanza)', l.words.join(' '));
    const { iface, subnet } = current;
    const value = args.join(' ');
    const st = subnet && subnet.type === 'static' ? subnet : null;
    switch (kw) {
      case 'address': {
        if (!st) fail(w, [kw], 'address only in a static stanza');
        const c = cidr(w, [kw], args[0]);
        if (familyOf(c.address) !== current.family) fail(w, [kw], `an IPv${current.family} address`, args[0]);
        st.address = c.address;
        if (c.prefix !== null) st.prefix = c.prefix;
        break;
      }
      case 'netmask':
        if (!st) fail(w, [kw], 'netmask only in a static stanza');
        st.prefix = maskToPrefix(w, [kw], args[0], current.family);
        break;
      case 'gateway':
        if (!st) fail(w, [kw], 'gateway only in a static stanza');
        st.gateway = ipAddr(w, [kw], args[0]);
        break;
      case 'mtu':
        // On an inet6 stanza next to an inet one it is IPv6's (cloud-init writes an IPv6
        // subnet's MTU there); otherwise the link's.
        if (current.family === 6 && iface.subnets.some((x) => x.type === 'dhcp4' || (x.type === 'static' && x.family === 4))) iface.ipv6Mtu = mtu(w, [kw], args[0]);
        else iface.mtu = mtu(w, [kw], args[0]);
        break;
      case 'metric':
        if (subnet?.type === 'dhcp4') subnet.overrides = { ...subnet.overrides, routeMetric: int(w, [kw], args[0], 0, 4294967295, 'a route metric') };
        break;
      case 'ethernet-wol':
      case 'ethernet_wol':
        // ethtool's hook: `g` is the magic packet; `d` (or anything else) is no wake-up.
        iface.wakeOnLan = args[0] === 'g';
        break;
      case 'hwaddress':
        iface.mac = mac(w, [kw], args[0] === 'ether' ? args[1] : args[0]);
        break;
      case 'dns-nameservers':
        for (const a of args) (subnet ?? iface.subnets[0])?.dns.nameservers.push(ipAddr(w, [kw], a)) ?? state.dns.nameservers.push(ipAddr(w, [kw], a));
        break;
      case 'dns-search':
        for (const d of args) (subnet ?? iface.subnets[0])?.dns.search.push(dnsName(w, [kw], d)) ?? state.dns.search.push(dnsName(w, [kw], d));
        break;
      case 'vlan-raw-device':
      case 'vlan_raw_device':
        iface.type = 'vlan';
        iface.vlan = { link: ifName(w, [kw], args[0]), id: iface.vlan?.id ?? Number(/\.(\d+)$/.exec(iface.name)?.[1] ?? 0) };
        break;
      case 'vlan-id':
      case 'vlan_id':
        iface.type = 'vlan';
        iface.vlan = { link: iface.vlan?.link ?? '', id: int(w, [kw], args[0], 1, 4094, 'a VLAN id') };
        break;
      case 'bond-slaves':
      case 'bond_slaves':
        iface.type = 'bond';
        iface.bond = { members: args[0] === 'none' ? (iface.bond?.members ?? []) : args.map((a) => ifName(w, [kw], a)), params: iface.bond?.params ?? {} };
        break;
      case 'bond-master':
      case 'bond_master':
        iface.bondMaster = ifName(w, [kw], args[0]);
        break;
      case 'bridge_ports':
      case 'bridge-ports':
        iface.type = 'bridge';
        iface.bridge = { ports: args[0] === 'none' ? [] : args.map((a) => ifName(w, [kw], a)), ...(iface.bridge?.stp !== undefined ? { stp: iface.bridge.stp } : {}) };
        break;
      case 'bridge_stp':
      case 'bridge-stp':
        iface.bridge = { ports: iface.bridge?.ports ?? [], stp: args[0] === 'on' || args[0] === 'yes' };
        break;
      case 'accept_ra':
      case 'accept-ra':
        if (!['0', '1', '2'].includes(args[0] ?? '')) fail(w, [kw], '0, 1 or 2', args[0]);
        iface.acceptRa = args[0] !== '0';
        break;
      case 'up':
      case 'post-up': {
        // Static routes are commonly added by hooks; the two usual spellings are read.
        const r = hookRoute(w, args);
        if (r) (subnet ?? iface.subnets[0])?.routes.push(r) ?? state.routes.push(r);
        break;
      }
      default: {
        const bp = /^bond[-_]/.test(kw) ? bondParam(kw) : null;
        if (bp !== null && !kw.endsWith('master') && !kw.endsWith('slaves')) {
          if (iface.type !== 'bond' && !iface.bondMaster) iface.type = 'bond';
          iface.bond ??= { members: [], params: {} };
          iface.bond.params[bp] = bondValue(w, [kw], value.trim().includes(' ') ? value.trim().split(/\s+/) : value);
        }
        // Other options (hooks like up/post-up, wireless-*, ...) are ENI's own business:
        // they are not network state and are not carried over.
      }
    }
  }
  for (const i of state.interfaces) {
    if (manual.has(i.name)) i.manual = true;
    for (const s of i.subnets) if (s.type === 'static' && s.address === '') fail({ source: file }, [i.name], 'an address line in each static stanza');
    if (i.vlan && i.vlan.link === '') fail({ source: file }, [i.name, 'vlan-raw-device'], 'a vlan-raw-device for a vlan');
    // A bond member in ENI names its master, and a bond names its members or "none".
    if (i.bondMaster) {
      const m = ifaces.get(i.bondMaster);
      if (m) {
        m.type = 'bond';
        m.bond ??= { members: [], params: {} };
        if (!m.bond.members.includes(i.name)) m.bond.members.push(i.name);
      }
      if (i.type === 'bond' && i.bond && i.bond.members.length === 0) {
        // options copied onto a member (a common ENI habit) do not make it a bond
        i.type = 'physical';
        delete i.bond;
      }
    }
  }
  for (const i of state.interfaces) delete i.bondMaster;
  return finalizeState({ source: file }, state);
}
