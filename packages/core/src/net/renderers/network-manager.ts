// NetworkManager keyfiles: /etc/NetworkManager/system-connections/cloud-init-<name>.nmconnection,
// mode 0600 (NetworkManager ignores keyfiles others can read). Connection UUIDs are
// name-based (UUIDv5), so a re-render gives the same ids and masters can be named by
// uuid before they exist. A conf.d file keeps DHCP from setting the host name.
import { crypto } from '../../util/builtin.js';
import { byName, type Iface, type NetworkState } from '../model.js';
import { has, header, routesOf, statics, type Rendered } from './common.js';
import { nmcli } from './bring-up.js';
import { defineRenderer } from './types.js';
import { emitIni, type IniSection } from './ini.js';

export const NM_DIR = '/etc/NetworkManager/system-connections';
// The same file and text the doctor writes as its fix (one definition, in boot/).
import { NM_FIX_FILE as NM_HOSTNAME_CONF, NM_FIX_TEXT as NM_HOSTNAME_TEXT } from '../../boot/nm-hostname.js';
export { NM_HOSTNAME_CONF, NM_HOSTNAME_TEXT };

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

function ipSection(state: NetworkState, i: Iface, family: 4 | 6): [string, string][] | null {
  const st = statics(i, family);
  const dyn = family === 4 ? has(i, 'dhcp4') : has(i, 'dhcp6') || has(i, 'slaac');
  if (st.length === 0 && !dyn) return null;
  const e: [string, string][] = [];
  // IPv6 `auto` is router advertisements plus DHCPv6 when they ask for it, which is what
  // DHCPv6 needs for its default route; `dhcp` alone would leave the host without one.
  e.push(['method', st.length > 0 && !dyn ? 'manual' : 'auto']);
  e.push(['may-fail', 'false']);
  st.forEach((s, k) => e.push([`address${k + 1}`, `${s.address}/${s.prefix}`]));
  const gw = st.find((s) => s.gateway)?.gateway;
  if (gw) e.push(['gateway', gw]);
  routesOf(state, i)
    .filter((r) => (r.to.includes(':') ? 6 : 4) === family)
    .forEach((r, k) => e.push([`route${k + 1}`, `${r.to}/${r.prefix},${r.via}${r.metric !== undefined ? `,${r.metric}` : ''}`]));
  const isFam = (a: string) => (a.includes(':') ? 6 : 4) === family;
  const ns = [...new Set(i.subnets.flatMap((s) => s.dns.nameservers))].filter(isFam);
  if (st.length > 0) for (const n of state.dns.nameservers) if (isFam(n) && !ns.includes(n)) ns.push(n);
  if (ns.length > 0) e.push(['dns', ns.join(';') + ';']);
  const search = [...new Set(i.subnets.flatMap((s) => s.dns.search))];
  if (st.length > 0) for (const d of state.dns.search) if (!search.includes(d)) search.push(d);
  if (search.length > 0) e.push(['dns-search', search.join(';') + ';']);
  return e;
}

function keyfile(state: NetworkState, i: Iface): string {
  const s: IniSection[] = [];
  const type = i.type === 'physical' ? 'ethernet' : i.type;
  const conn: [string, string][] = [
    ['id', `cloud-init ${i.name}`],
    ['uuid', uuidOf(i.name)],
    ['type', type],
  ];
  if (i.type !== 'physical' || !i.mac) conn.push(['interface-name', i.name]);
  const master = i.bondMaster ?? i.bridgeMaster;
  if (master) conn.push(['slave-type', i.bondMaster ? 'bond' : 'bridge'], ['master', uuidOf(master)]);
  s.push(['connection', conn]);
  s.push(['user', [['org.freedesktop.NetworkManager.origin', 'cloud-init']]]);
  const eth: [string, string][] = [];
  if (i.mtu !== undefined) eth.push(['mtu', String(i.mtu)]);
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
  if (!master) {
    const v4 = ipSection(state, i, 4);
    const v6 = ipSection(state, i, 6);
    if (v4) s.push(['ipv4', v4]);
    if (v6) s.push(['ipv6', v6]);
    if (!v4 && !v6) s.push(['ipv4', [['method', 'disabled']]], ['ipv6', [['method', 'ignore']]]);
  }
  return header('#') + '\n' + emitIni(s);
}

export function renderNetworkManager(state: NetworkState): Rendered {
  const out: Rendered = new Map();
  for (const i of byName(state)) out.set(`${NM_DIR}/cloud-init-${i.name}.nmconnection`, { content: keyfile(state, i), mode: 0o600 });
  // The host name is set from metadata in the local stage; DHCP must not replace it.
  out.set(NM_HOSTNAME_CONF, { content: NM_HOSTNAME_TEXT, mode: 0o644 });
  return out;
}

export const networkManager = defineRenderer({
  name: 'network-manager',
  missing: (host) => (host.exec.has('NetworkManager') || host.exec.has('nmcli') ? null : 'needs NetworkManager'),
  render: renderNetworkManager,
  owned: [{ dir: NM_DIR, match: /^cloud-init-(?<iface>.*?)\.nmconnection$/ }],
  alsoWrites: [NM_HOSTNAME_CONF],
  bringUp: [nmcli],
});
