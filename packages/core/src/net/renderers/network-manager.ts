// NetworkManager keyfiles: /etc/NetworkManager/system-connections/cloud-init-<name>.nmconnection,
// mode 0600 (NetworkManager ignores keyfiles others can read). Connection UUIDs are
// name-based (UUIDv5), so a re-render gives the same ids and masters can be named by
// uuid before they exist. A conf.d file keeps DHCP from setting the host name.
import { crypto } from '../../util/builtin.js';
import { byName, type Iface, type NetworkState } from '../model.js';
import { dhcpOverrides, familyOfRoute, has, header, noWarn, routesOf, statics, warnMemberSubnets, warnOverrides, type DhcpKey, type Rendered, type Warn } from './common.js';
import { nmcli } from './bring-up.js';
import { defineRenderer } from './types.js';
import { emitIni, type IniSection } from './ini.js';

export const NM_DIR = '/etc/NetworkManager/system-connections';
// The same file and text the doctor writes as its fix (one definition, in boot/).
import { NM_FIX_FILE as NM_HOSTNAME_CONF, NM_FIX_TEXT as NM_HOSTNAME_TEXT } from '../../boot/nm-hostname.js';
export { NM_HOSTNAME_CONF, NM_HOSTNAME_TEXT };

// As cloud-init 23.x and later: SLAAC addresses from the MAC (EUI-64) unless a profile
// says otherwise, on NetworkManager 1.40 and later (older ones ignore the section).
export const NM_ADDR_GEN_CONF = '/etc/NetworkManager/conf.d/30-cloud-init-ip6-addr-gen-mode.conf';
const NM_ADDR_GEN_TEXT = header('#') + '[.config]\nenable=nm-version-min:1.40\n\n[connection.30-cloud-init-ip6-addr-gen-mode]\n# EUI-64 unless the profile says otherwise\nipv6.addr-gen-mode=0\n';

// nimbus's own UUID namespace for connection ids.
const NAMESPACE = Buffer.from('6f1c1b0e9d2a4c8e8a4f2b3c5d7e9f01', 'hex');

export function uuid5(name: string): string {
  const h = crypto().createHash('sha1').update(NAMESPACE).update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const uuidOf = (name: string) => uuid5(`cloud-init ${name}`);

// The overrides a keyfile has a per-connection key for (ipvN.route-metric, ignore-auto-*,
// dhcp-send-hostname, dhcp-hostname); use-domains, use-ntp and use-mtu have none, and the
// host name is NetworkManager's global hostname-mode, kept at none.
const NM_OVERRIDES: ReadonlySet<DhcpKey> = new Set<DhcpKey>(['routeMetric', 'useDns', 'useRoutes', 'sendHostname', 'hostname']);

function ipSection(state: NetworkState, i: Iface, family: 4 | 6, warn: Warn): [string, string][] | null {
  const st = statics(i, family);
  const dyn = family === 4 ? has(i, 'dhcp4') : has(i, 'dhcp6') || has(i, 'slaac');
  const isFam = (a: string) => (a.includes(':') ? 6 : 4) === family;
  const routes = routesOf(state, i).filter((r) => familyOfRoute(r) === family);
  const ns = [...new Set(i.subnets.flatMap((s) => s.dns.nameservers))].filter(isFam);
  // Global DNS goes with statically configured interfaces (DHCP ones get the server's).
  if (statics(i).length > 0) for (const n of state.dns.nameservers) if (isFam(n) && !ns.includes(n)) ns.push(n);
  // An IPv6 route or server on an interface with no IPv6 subnet (a v2 device with
  // accept-ra, say) still needs its section, else NetworkManager never sees it.
  const carried = family === 6 && st.length === 0 && !dyn && (routes.length > 0 || ns.length > 0);
  if (st.length === 0 && !dyn && !carried) {
    if (family === 6 && i.ipv6Mtu !== undefined) warn(i.name, 'ipv6-mtu', 'the keyfile has no [ipv6] section without IPv6 configuration');
    return null;
  }
  const e: [string, string][] = [];
  // IPv6 `auto` is router advertisements plus DHCPv6 when they ask for it, which is what
  // DHCPv6 needs for its default route; `dhcp` alone would leave the host without one.
  e.push(['method', carried ? (i.acceptRa === false ? 'link-local' : 'auto') : st.length > 0 && !dyn ? 'manual' : 'auto']);
  e.push(['may-fail', 'false']);
  st.forEach((s, k) => e.push([`address${k + 1}`, `${s.address}/${s.prefix}`]));
  const gw = st.find((s) => s.gateway)?.gateway;
  if (gw) e.push(['gateway', gw]);
  // A route with no gateway is dest/prefix; with a metric, the unspecified address
  // stands in for the gateway (NetworkManager reads it as none).
  const noGw = family === 4 ? '0.0.0.0' : '::';
  routes.forEach((r, k) =>
    e.push([`route${k + 1}`, `${r.to}/${r.prefix}${r.via !== undefined ? `,${r.via}` : r.metric !== undefined ? `,${noGw}` : ''}${r.metric !== undefined ? `,${r.metric}` : ''}`]),
  );
  if (ns.length > 0) e.push(['dns', ns.join(';') + ';']);
  const search = [...new Set(i.subnets.flatMap((s) => s.dns.search))];
  if (statics(i).length > 0) for (const d of state.dns.search) if (!search.includes(d)) search.push(d);
  if (search.length > 0) e.push(['dns-search', search.join(';') + ';']);
  warnOverrides(warn, i, family === 4 ? 'dhcp4' : 'dhcp6', NM_OVERRIDES, 'NetworkManager has no per-connection setting for it');
  const o = dhcpOverrides(i, family === 4 ? 'dhcp4' : 'dhcp6');
  if (o) {
    // dhcp4/6-overrides in NetworkManager's terms (cloud-init 25.1 writes none of them).
    if (o.routeMetric !== undefined) e.push(['route-metric', String(o.routeMetric)]);
    if (o.useDns === false) e.push(['ignore-auto-dns', 'true']);
    if (o.useRoutes === false) e.push(['ignore-auto-routes', 'true']);
    if (o.sendHostname !== undefined) e.push(['dhcp-send-hostname', o.sendHostname ? 'true' : 'false']);
    if (o.hostname !== undefined) e.push(['dhcp-hostname', o.hostname]);
  }
  if (family === 6 && i.ipv6Mtu !== undefined) e.push(['mtu', String(i.ipv6Mtu)]);
  return e;
}

function keyfile(state: NetworkState, i: Iface, warn: Warn): string {
  const s: IniSection[] = [];
  const type = i.type === 'physical' ? 'ethernet' : i.type;
  // autoconnect-priority 120 puts these profiles above the distro's own default ones
  // (cloud-init 23.4 and later write it too).
  const conn: [string, string][] = [
    ['id', `cloud-init ${i.name}`],
    ['uuid', uuidOf(i.name)],
    ['autoconnect-priority', '120'],
    ['type', type],
  ];
  if (i.manual) conn.push(['autoconnect', 'false']);
  if (i.type !== 'physical' || !i.mac) conn.push(['interface-name', i.name]);
  const master = i.bondMaster ?? i.bridgeMaster;
  if (master) conn.push(['slave-type', i.bondMaster ? 'bond' : 'bridge'], ['master', uuidOf(master)]);
  s.push(['connection', conn]);
  s.push(['user', [['org.freedesktop.NetworkManager.origin', 'cloud-init']]]);
  const eth: [string, string][] = [];
  if (i.mtu !== undefined) eth.push(['mtu', String(i.mtu)]);
  // 64 is NetworkManager's "magic packet" flag.
  if (i.wakeOnLan) eth.push(['wake-on-lan', '64']);
  if (i.mac) eth.push([i.type === 'physical' ? 'mac-address' : 'cloned-mac-address', i.mac.toUpperCase()]);
  if (eth.length > 0) s.push(['ethernet', eth]);
  if (i.bond) s.push(['bond', Object.entries(i.bond.params).map(([k, v]) => [k, v] as [string, string])]);
  if (i.bridge) s.push(['bridge', [['stp', i.bridge.stp ? 'true' : 'false']]]);
  if (i.vlan)
    s.push([
      'vlan',
      [
        ['id', String(i.vlan.id)],
        ['parent', uuidOf(i.vlan.link)],
      ],
    ]);
  warnMemberSubnets(warn, i, 'a port profile has no IP settings in NetworkManager');
  if (!master) {
    const v4 = ipSection(state, i, 4, warn);
    const v6 = ipSection(state, i, 6, warn);
    // Both families dynamic: either one succeeding is enough (as cloud-init 25.x), else a
    // network without DHCPv6 (or without RAs) would take the connection down.
    const dynamic = (e: [string, string][] | null) => e?.some(([k, v]) => k === 'method' && (v === 'auto' || v === 'dhcp'));
    if (dynamic(v4) === true && dynamic(v6) === true) for (const e of [v4!, v6!]) for (const kv of e) if (kv[0] === 'may-fail') kv[1] = 'true';
    // IPv6 alone: NetworkManager's IPv4 default is DHCP, which nobody asked for.
    s.push(['ipv4', v4 ?? [['method', 'disabled']]]);
    if (v6) s.push(['ipv6', v6]);
    // No IP at all: IPv6 off too, as cloud-init 25.1 writes for an address-less bond.
    if (!v4 && !v6) s.push(['ipv6', [['method', 'disabled']]]);
  }
  return header('#') + '\n' + emitIni(s);
}

export function renderNetworkManager(state: NetworkState, _distro?: string, warn: Warn = noWarn): Rendered {
  const out: Rendered = new Map();
  for (const i of byName(state)) out.set(`${NM_DIR}/cloud-init-${i.name}.nmconnection`, { content: keyfile(state, i, warn), mode: 0o600 });
  // The host name is set from metadata in the local stage; DHCP must not replace it.
  out.set(NM_HOSTNAME_CONF, { content: NM_HOSTNAME_TEXT, mode: 0o644 });
  out.set(NM_ADDR_GEN_CONF, { content: NM_ADDR_GEN_TEXT, mode: 0o600 });
  return out;
}

export const networkManager = defineRenderer({
  name: 'network-manager',
  missing: (host) => (host.exec.has('NetworkManager') || host.exec.has('nmcli') ? null : 'needs NetworkManager'),
  render: renderNetworkManager,
  owned: [{ dir: NM_DIR, match: /^cloud-init-(?<iface>.*?)\.nmconnection$/ }],
  alsoWrites: [NM_HOSTNAME_CONF, NM_ADDR_GEN_CONF],
  bringUp: [nmcli],
});
