// systemd-networkd: /etc/systemd/network/10-cloud-init-<name>.network for every
// interface, .netdev for the bonds, bridges and VLANs networkd must create, and .link
// files that name physical NICs by MAC. DHCP is told not to set the host name.
import { allDns, byName, type DhcpOverrides, type Iface, type NetworkState } from '../model.js';
import { dhcpOverrides, has, header, noWarn, routesOf, statics, warnOverrides, type DhcpKey, type Rendered, type Warn } from './common.js';
import { networkctl } from './bring-up.js';
import { defineRenderer } from './types.js';
import { emitIni, type IniSection } from './ini.js';

export const NETWORKD_DIR = '/etc/systemd/network';

const BOND: Record<string, [string, (v: string) => string]> = {
  mode: ['Mode', (v) => v],
  miimon: ['MIIMonitorSec', (v) => `${v}ms`],
  xmit_hash_policy: ['TransmitHashPolicy', (v) => v],
  lacp_rate: ['LACPTransmitRate', (v) => v],
  updelay: ['UpDelaySec', (v) => `${v}ms`],
  downdelay: ['DownDelaySec', (v) => `${v}ms`],
  ad_select: ['AdSelect', (v) => v],
  arp_interval: ['ARPIntervalSec', (v) => `${v}ms`],
  fail_over_mac: ['FailOverMACPolicy', (v) => v],
  primary_reselect: ['PrimaryReselectPolicy', (v) => v],
  min_links: ['MinLinks', (v) => v],
  num_grat_arp: ['GratuitousARP', (v) => v],
  arp_validate: ['ARPValidate', (v) => v],
  arp_all_targets: ['ARPAllTargets', (v) => v],
  arp_ip_target: ['ARPIPTargets', (v) => v.split(',').join(' ')],
  all_slaves_active: ['AllSlavesActive', (v) => (v === '1' || v === 'true' ? 'yes' : 'no')],
  packets_per_slave: ['PacketsPerSlave', (v) => v],
  resend_igmp: ['ResendIGMP', (v) => v],
  lp_interval: ['LearnPacketIntervalSec', (v) => `${v}s`],
  ad_actor_sys_prio: ['AdActorSystemPriority', (v) => v],
  ad_actor_system: ['AdActorSystem', (v) => v],
  ad_user_port_key: ['AdUserPortKey', (v) => v],
  tlb_dynamic_lb: ['DynamicTransmitLoadBalancing', (v) => (v === '1' || v === 'true' ? 'yes' : 'no')],
  peer_notif_delay: ['PeerNotifyDelaySec', (v) => `${v}ms`],
};

// [DHCPv4] takes every override; [DHCPv6] these; a DHCPv6 route metric, MTU, routes or host name to send
// have no key there (cloud-init 25.x writes the same four).
const DHCPV6_KEYS: ReadonlySet<DhcpKey> = new Set<DhcpKey>(['useDns', 'useDomains', 'useHostname', 'useNtp']);

function network(state: NetworkState, i: Iface, children: Iface[], warn: Warn): string {
  const s: IniSection[] = [];
  const match: [string, string][] = [['Name', i.name]];
  if (i.type === 'physical' && i.mac) match.unshift(['MACAddress', i.mac]);
  s.push(['Match', match]);
  const link: [string, string][] = [];
  if (i.mtu !== undefined) link.push(['MTUBytes', String(i.mtu)]);
  // control: manual: networkd configures the link but leaves it down until asked.
  if (i.manual) link.push(['ActivationPolicy', 'manual']);
  if (link.length > 0) s.push(['Link', link]);
  const net: [string, string][] = [];
  const d4 = has(i, 'dhcp4');
  const d6 = has(i, 'dhcp6');
  net.push(['DHCP', d4 && d6 ? 'yes' : d4 ? 'ipv4' : d6 ? 'ipv6' : 'no']);
  // An explicit accept-ra wins (DHCPv6 without RAs is what the user asked for); else
  // SLAAC and DHCPv6 need router advertisements.
  if (i.acceptRa !== undefined) net.push(['IPv6AcceptRA', i.acceptRa ? 'yes' : 'no']);
  else if (has(i, 'slaac') || d6) net.push(['IPv6AcceptRA', 'yes']);
  if (i.ipv6Mtu !== undefined) net.push(['IPv6MTUBytes', String(i.ipv6Mtu)]);
  if (i.bondMaster) net.push(['Bond', i.bondMaster]);
  if (i.bridgeMaster) net.push(['Bridge', i.bridgeMaster]);
  for (const c of children) net.push(['VLAN', c.name]);
  // Global DNS goes on every interface, as networkd has no global list of its own here.
  const dns = allDns({ ...state, interfaces: [i] });
  if (dns.nameservers.length > 0) net.push(['DNS', dns.nameservers.join(' ')]);
  if (dns.search.length > 0) net.push(['Domains', dns.search.join(' ')]);
  s.push(['Network', net]);
  for (const a of statics(i)) s.push(['Address', [['Address', `${a.address}/${a.prefix}`]]]);
  for (const a of statics(i)) if (a.gateway) s.push(['Route', [['Gateway', a.gateway]]]);
  for (const r of routesOf(state, i)) {
    const e: [string, string][] = [['Destination', `${r.to}/${r.prefix}`]];
    if (r.via !== undefined) e.push(['Gateway', r.via]);
    if (r.metric !== undefined) e.push(['Metric', String(r.metric)]);
    s.push(['Route', e]);
  }
  if (d4) s.push(['DHCPv4', dhcpSection(dhcpOverrides(i, 'dhcp4') ?? {}, 4)]);
  warnOverrides(warn, i, 'dhcp6', DHCPV6_KEYS, "networkd's [DHCPv6] section has no key for it");
  const o6 = dhcpOverrides(i, 'dhcp6');
  if (d6 && o6) {
    const e = dhcpSection(o6, 6);
    if (e.length > 0) s.push(['DHCPv6', e]);
  }
  return header('#') + emitIni(s);
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

// dhcp4-overrides / dhcp6-overrides as cloud-init 25.x writes them: [DHCPv4] takes all
// of them, [DHCPv6] the DNS, domain, host name and NTP ones.
function dhcpSection(o: DhcpOverrides, family: 4 | 6): [string, string][] {
  const e: [string, string][] = [];
  if (o.useDns !== undefined) e.push(['UseDNS', yesNo(o.useDns)]);
  if (o.useDomains !== undefined) e.push(['UseDomains', yesNo(o.useDomains)]);
  // The host name comes from metadata: DHCPv4 must not replace it unless asked to.
  if (family === 4 || o.useHostname !== undefined) e.push(['UseHostname', yesNo(o.useHostname ?? false)]);
  if (o.useNtp !== undefined) e.push(['UseNTP', yesNo(o.useNtp)]);
  if (family === 4) {
    if (o.sendHostname !== undefined) e.push(['SendHostname', yesNo(o.sendHostname)]);
    if (o.hostname !== undefined) e.push(['Hostname', o.hostname]);
    if (o.routeMetric !== undefined) e.push(['RouteMetric', String(o.routeMetric)]);
    if (o.useMtu !== undefined) e.push(['UseMTU', yesNo(o.useMtu)]);
    if (o.useRoutes !== undefined) e.push(['UseRoutes', yesNo(o.useRoutes)]);
  }
  return e;
}

function netdev(i: Iface, warn: Warn): string | null {
  const s: IniSection[] = [];
  const nd: [string, string][] = [['Name', i.name]];
  if (i.mac) nd.push(['MACAddress', i.mac]);
  if (i.type === 'bond' && i.bond) {
    nd.push(['Kind', 'bond']);
    s.push(['NetDev', nd]);
    const b: [string, string][] = [];
    for (const [k, v] of Object.entries(i.bond.params)) {
      const m = BOND[k];
      if (m) b.push([m[0], m[1](v)]);
      else if (k === 'primary')
        continue; // networkd sets the primary on the member (PrimarySlave=)
      else warn(i.name, `bond parameter ${k}`, "networkd's [Bond] section has no key for it");
    }
    if (b.length > 0) s.push(['Bond', b]);
  } else if (i.type === 'vlan' && i.vlan) {
    nd.push(['Kind', 'vlan']);
    s.push(['NetDev', nd], ['VLAN', [['Id', String(i.vlan.id)]]]);
  } else if (i.type === 'bridge') {
    nd.push(['Kind', 'bridge']);
    s.push(['NetDev', nd]);
    if (i.bridge?.stp !== undefined) s.push(['Bridge', [['STP', i.bridge.stp ? 'yes' : 'no']]]);
  } else return null;
  return header('#') + emitIni(s);
}

export function renderNetworkd(state: NetworkState, _distro?: string, warn: Warn = noWarn): Rendered {
  const out: Rendered = new Map();
  const ifaces = byName(state);
  for (const i of ifaces) {
    const children = ifaces.filter((c) => c.vlan?.link === i.name);
    let text = network(state, i, children, warn);
    const primary = state.interfaces.find((b) => b.name === i.bondMaster)?.bond?.params.primary;
    if (primary === i.name) text = text.replace(/\[Network\]\n/, '[Network]\nPrimarySlave=yes\n');
    out.set(`${NETWORKD_DIR}/10-cloud-init-${i.name}.network`, { content: text, mode: 0o644 });
    const nd = netdev(i, warn);
    if (nd) out.set(`${NETWORKD_DIR}/10-cloud-init-${i.name}.netdev`, { content: nd, mode: 0o644 });
    if (i.type === 'physical' && i.mac) {
      const link: [string, string][] = [['Name', i.name]];
      // Wake-on-LAN is a .link setting (udev applies it), so it needs the MAC match too.
      if (i.wakeOnLan) link.push(['WakeOnLan', 'magic']);
      out.set(`${NETWORKD_DIR}/10-cloud-init-${i.name}.link`, {
        content:
          header('#') +
          emitIni([
            ['Match', [['MACAddress', i.mac]]],
            ['Link', link],
          ]),
        mode: 0o644,
      });
    } else if (i.wakeOnLan) warn(i.name, 'wakeonlan', 'networkd sets Wake-on-LAN in a .link file, which nimbus writes only for a NIC matched by MAC');
  }
  return out;
}

export const networkd = defineRenderer({
  name: 'networkd',
  missing: (host) => (host.fs.exists('/lib/systemd/systemd-networkd') || host.fs.exists('/usr/lib/systemd/systemd-networkd') ? null : 'needs systemd-networkd'),
  render: renderNetworkd,
  owned: [{ dir: NETWORKD_DIR, match: /^10-cloud-init-(?<iface>.*?)\.(?:network|netdev|link)$/ }],
  alsoWrites: [],
  bringUp: [networkctl],
});
