// sysconfig for the suse family (openSUSE, SLES; read by wicked or NetworkManager's
// ifcfg reader): /etc/sysconfig/network/ifcfg-<name> and ifroute-<name>, in the keys
// cloud-init 25.1's sysconfig renderer writes for its "suse" flavour (BOOTPROTO
// static/dhcp4/dhcp6/dhcp, STARTMODE, LLADDR, BONDING_MODULE_OPTS, ETHERDEVICE,
// BRIDGE_PORTS), none of the rhel-only ones (DEVICE, TYPE, ONBOOT, USERCTL, GATEWAY,
// DNSn, IPV6INIT). Values go through the same checked shell assignment as rhel's.
import { isIPv6 } from '../ip-syntax.js';
import { byName, type Dns, type Iface, type NetworkState, type Route } from '../model.js';
import { isIfName, prefixToNetmask } from '../validate.js';
import { defaultGateway, has, header, noWarn, routesOf, statics, udevRules, warnMemberSubnets, warnOverrides, type DhcpKey, type Rendered, type Warn } from './common.js';
import { RenderError, resolvFiles, ShellFile } from './sysconfig.js';

export const SUSE_DIR = '/etc/sysconfig/network';
/** The udev rules file cloud-init names for the suse family. */
export const SUSE_UDEV_RULES_PATH = '/etc/udev/rules.d/85-persistent-net-cloud-init.rules';

// The order cloud-init writes bonding options in (its bond template list).
const BOND_ORDER = [
  'mode',
  'xmit_hash_policy',
  'miimon',
  'min_links',
  'arp_interval',
  'arp_ip_target',
  'arp_validate',
  'ad_select',
  'num_grat_arp',
  'downdelay',
  'updelay',
  'lacp_rate',
  'fail_over_mac',
  'primary',
  'primary_reselect',
];

/** BOOTPROTO as the suse flavour says it: which families a DHCP client runs for. */
function bootproto(i: Iface): string {
  const v4 = has(i, 'dhcp4');
  const v6 = has(i, 'dhcp6') || has(i, 'slaac');
  if (v4 && v6) return 'dhcp';
  if (v4) return 'dhcp4';
  if (v6) return 'dhcp6';
  return 'static';
}

const NONE: ReadonlySet<DhcpKey> = new Set<DhcpKey>();

// What this flavour has no per-interface key for (as cloud-init 25.1's suse flavour):
// DHCP client settings are global in /etc/sysconfig/network/dhcp, and wicked takes RAs
// and the IPv6 MTU from sysctl, not from ifcfg.
function warnLost(i: Iface, warn: Warn): void {
  const why = 'DHCP client settings are global in /etc/sysconfig/network/dhcp';
  warnOverrides(warn, i, 'dhcp4', NONE, why);
  warnOverrides(warn, i, 'dhcp6', NONE, why);
  if (i.acceptRa !== undefined) warn(i.name, 'accept-ra', 'suse ifcfg has no key for it');
  if (i.ipv6Mtu !== undefined) warn(i.name, 'ipv6-mtu', 'suse ifcfg has no key for it');
  if (i.mac && i.type === 'vlan') warn(i.name, 'macaddress', 'a VLAN takes the MAC of its link in suse ifcfg');
  if (i.bondMaster !== undefined) warnMemberSubnets(warn, i, 'a bond member has only STARTMODE=hotplug and BOOTPROTO=none');
}

function ifcfg(i: Iface, warn: Warn): ShellFile {
  warnLost(i, warn);
  const f = new ShellFile(`${SUSE_DIR}/ifcfg-${i.name}`);
  const member = i.bondMaster !== undefined;
  // Bond members are raised by their bond (hotplug) and carry no addresses of their own.
  f.set('STARTMODE', member ? 'hotplug' : i.manual ? 'manual' : 'auto', 'word');
  f.set('BOOTPROTO', member ? 'none' : bootproto(i), 'word');
  // dhcp6 is stateful DHCPv6 (managed); SLAAC asks DHCPv6 for information only.
  if (!member && has(i, 'dhcp6')) f.set('DHCLIENT6_MODE', 'managed', 'word');
  else if (!member && has(i, 'slaac')) f.set('DHCLIENT6_MODE', 'info', 'word');
  if (i.mac && i.type !== 'vlan') f.set('LLADDR', i.mac, 'mac');
  if (i.mtu !== undefined) f.set('MTU', i.mtu, 'int');
  if (i.wakeOnLan) f.set('ETHTOOL_OPTS', 'wol g', 'words');
  if (i.type === 'bond') {
    f.set('BONDING_MASTER', 'yes', 'yesno');
    const p = i.bond?.params ?? {};
    const rank = (k: string) => (BOND_ORDER.includes(k) ? BOND_ORDER.indexOf(k) : BOND_ORDER.length);
    const keys = Object.keys(p).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length > 0) f.set('BONDING_MODULE_OPTS', keys.map((k) => `${k}=${p[k]}`).join(' '), 'words');
    [...(i.bond?.members ?? [])].sort().forEach((m, k) => f.set(`BONDING_SLAVE_${k}`, m, 'ifname'));
  } else if (i.type === 'vlan' && i.vlan) {
    f.set('ETHERDEVICE', i.vlan.link, 'ifname');
    f.set('VLAN_ID', i.vlan.id, 'int');
  } else if (i.type === 'bridge') {
    // wicked knows a bridge by BRIDGE=yes on the bridge itself (cloud-init writes it on the ports).
    f.set('BRIDGE', 'yes', 'yesno');
    if ((i.bridge?.ports ?? []).length > 0) f.set('BRIDGE_PORTS', (i.bridge?.ports ?? []).join(' '), 'ifnames');
    if (i.bridge?.stp !== undefined) f.set('BRIDGE_STP', i.bridge.stp ? 'on' : 'off', 'word');
  }
  if (member) return f;
  statics(i, 4).forEach((s, k) => {
    const n = k === 0 ? '' : String(k);
    f.set(`IPADDR${n}`, s.address, 'ipv4');
    f.set(`NETMASK${n}`, prefixToNetmask(s.prefix), 'ipv4');
  });
  statics(i, 6).forEach((s, k) => f.set(k === 0 ? 'IPADDR6' : `IPADDR6_${k}`, `${s.address}/${s.prefix}`, 'ipv6cidr'));
  return f;
}

// ifroute-<name> (routes(5)): "DESTINATION GATEWAY NETMASK INTERFACE [OPTIONS]", one per
// line, read by wicked; "-" for an empty column. Each part is checked before it is joined.
function ifroute(state: NetworkState, i: Iface): string | null {
  const lines: string[] = [];
  const line = (to: string, via: string | undefined, metric: number | undefined): void => {
    const parts = [to, via ?? '-', '-', i.name, ...(metric !== undefined ? ['metric', String(metric)] : [])];
    if (parts.some((p) => !/^[0-9A-Za-z.:/_-]+$/.test(p)) || !isIfName(i.name)) throw new RenderError(`${SUSE_DIR}/ifroute-${i.name}: refused route ${JSON.stringify({ to, via, metric })}`);
    lines.push(parts.join(' ') + '\n');
  };
  const defaults = new Set<string>();
  for (const family of [4, 6] as const) {
    const g = defaultGateway(state, i, family);
    if (g) {
      defaults.add(g.via);
      line('default', g.via, g.metric);
    }
  }
  for (const r of routesOf(state, i) as Route[]) {
    if (r.prefix === 0 && r.via !== undefined && defaults.has(r.via)) continue;
    const to = r.prefix === 0 ? 'default' : `${r.to}/${r.prefix}`;
    if (r.via !== undefined && isIPv6(r.via) !== r.to.includes(':')) throw new RenderError(`${SUSE_DIR}/ifroute-${i.name}: route to ${to} via a gateway of the other family`);
    line(to, r.via, r.metric);
  }
  return lines.length === 0 ? null : header('#') + lines.join('');
}

// ifcfg has no DNS keys in this flavour: every interface's servers and search domains go
// to /etc/resolv.conf, the interfaces' first, then the global ones (cloud-init's order).
function resolvDns(state: NetworkState): Dns {
  const dns: Dns = { nameservers: [], search: [] };
  const add = (d: Dns) => {
    for (const n of d.nameservers) if (!dns.nameservers.includes(n)) dns.nameservers.push(n);
    for (const x of d.search) if (!dns.search.includes(x)) dns.search.push(x);
  };
  for (const i of state.interfaces) for (const s of i.subnets) add(s.dns);
  add(state.dns);
  return dns;
}

export function renderSysconfigSuse(state: NetworkState, warn: Warn = noWarn): Rendered {
  const out: Rendered = new Map();
  const ifaces = byName(state);
  for (const i of ifaces) {
    const f = ifcfg(i, warn);
    out.set(f.path, { content: f.render(), mode: 0o644 });
    const r = ifroute(state, i);
    if (r) out.set(`${SUSE_DIR}/ifroute-${i.name}`, { content: r, mode: 0o644 });
  }
  resolvFiles(resolvDns(state), out, warn);
  const udev = udevRules(ifaces);
  if (udev) out.set(SUSE_UDEV_RULES_PATH, { content: udev, mode: 0o644 });
  return out;
}
