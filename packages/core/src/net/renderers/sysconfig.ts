// sysconfig for the rhel family: /etc/sysconfig/network-scripts/ifcfg-<name> (plus
// route-<name> and route6-<name>), /etc/sysconfig/network, /etc/resolv.conf and the
// udev naming rules. ifcfg files are sourced by shell scripts, so every value is
// checked against what its key holds and written quoted when it has a space; a value
// that fails its check is refused, naming the interface and the key.
import { isIPv4, isIPv6 } from '../ip-syntax.js';
import { byName, type Dns, type Iface, type NetworkState } from '../model.js';
import { isDnsName, isIfName, isMac, prefixToNetmask } from '../validate.js';
import { NM_HOSTNAME_CONF, NM_HOSTNAME_TEXT } from './network-manager.js';
import { ifupdown, nmcli } from './bring-up.js';
import { defineRenderer } from './types.js';
import { renderSysconfigSuse, SUSE_DIR, SUSE_UDEV_RULES_PATH } from './sysconfig-suse.js';
import { defaultGateway, dhcpOverrides, has, header, MAX_NAMESERVERS, noWarn, routesOf, statics, udevRules, UDEV_RULES_PATH, warnOverrides, type DhcpKey, type Rendered, type Warn } from './common.js';

export const SCRIPTS_DIR = '/etc/sysconfig/network-scripts';
const NETWORK_PATH = '/etc/sysconfig/network';
const RESOLV_CONF = '/etc/resolv.conf';
const NM_DNS_CONF = '/etc/NetworkManager/conf.d/99-cloud-init.conf';

export class RenderError extends Error {}

export type Kind = 'ifname' | 'ipv4' | 'ipv6' | 'ipv6cidr' | 'int' | 'mac' | 'word' | 'words' | 'dns' | 'yesno' | 'ifnames';

const CHECK: Record<Kind, (v: string) => boolean> = {
  ifname: isIfName,
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  ipv6cidr: (v) => v.split(' ').every((c) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c) && isIPv6(c.split('/')[0] as string) && Number(c.split('/')[1]) <= 128),
  int: (v) => /^\d{1,10}$/.test(v),
  mac: isMac,
  word: (v) => /^[A-Za-z0-9_.:+-]+$/.test(v),
  // ',' separates list values in BONDING_OPTS (arp_ip_target=a,b); it is inert in shell.
  words: (v) => /^[A-Za-z0-9_.:+=,-]+( [A-Za-z0-9_.:+=,-]+)*$/.test(v),
  dns: (v) => v.split(' ').every(isDnsName),
  yesno: (v) => v === 'yes' || v === 'no',
  ifnames: (v) => v.split(' ').every(isIfName),
};

/** KEY=value for a shell-sourced file, or a RenderError naming where the value came from. */
export function shellAssign(file: string, key: string, value: string, kind: Kind): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new RenderError(`${file}: ${key}: not a variable name`);
  if (!CHECK[kind](value)) throw new RenderError(`${file}: ${key}: refused ${JSON.stringify(value)} (expected ${kind})`);
  // The checks leave only [A-Za-z0-9_.:/+=,-] and single spaces: double quotes make the
  // spaces literal and nothing inside can expand.
  return `${key}=${value.includes(' ') || value.includes('=') || value.includes(',') ? `"${value}"` : value}\n`;
}

export class ShellFile {
  private readonly vars: [string, string, Kind][] = [];
  constructor(readonly path: string) {}
  set(key: string, value: string | number, kind: Kind): void {
    this.vars.push([key, String(value), kind]);
  }
  render(): string {
    const body = [...this.vars].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v, kind]) => shellAssign(this.path, k, v, kind));
    return header('#') + body.join('');
  }
}

const BOND_ORDER = [
  'mode',
  'xmit_hash_policy',
  'miimon',
  'lacp_rate',
  'updelay',
  'downdelay',
  'primary',
  'ad_select',
  'arp_interval',
  'arp_ip_target',
  'fail_over_mac',
  'primary_reselect',
  'min_links',
  'num_grat_arp',
];

// The overrides ifcfg has keys for (IPVn_ROUTE_METRIC, PEERDNS, PEERROUTES and their
// IPv6 forms); the rest are dhclient's or NetworkManager's global configuration.
const IFCFG_OVERRIDES: ReadonlySet<DhcpKey> = new Set<DhcpKey>(['routeMetric', 'useDns', 'useRoutes']);

function ifcfg(state: NetworkState, i: Iface, defaultOwner4: string | null, warn: Warn): ShellFile {
  const f = new ShellFile(`${SCRIPTS_DIR}/ifcfg-${i.name}`);
  f.set('DEVICE', i.name, 'ifname');
  // control: manual: configured, but not raised at boot.
  f.set('ONBOOT', i.manual ? 'no' : 'yes', 'yesno');
  f.set('USERCTL', 'no', 'yesno');
  // No NM_CONTROLLED=no: since cloud-init 23.x NetworkManager (its ifcfg-rh plugin) may
  // manage these files, as it does on current rhel-family images.
  if (i.type === 'physical') {
    f.set('TYPE', 'Ethernet', 'word');
    if (i.mac) f.set('HWADDR', i.mac, 'mac');
  } else if (i.type === 'bond') {
    f.set('TYPE', 'Bond', 'word');
    f.set('BONDING_MASTER', 'yes', 'yesno');
    const p = i.bond?.params ?? {};
    const rank = (k: string) => (BOND_ORDER.includes(k) ? BOND_ORDER.indexOf(k) : BOND_ORDER.length);
    const keys = Object.keys(p).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (keys.length > 0) f.set('BONDING_OPTS', keys.map((k) => `${k}=${p[k]}`).join(' '), 'words');
    (i.bond?.members ?? []).forEach((m, k) => f.set(`BONDING_SLAVE${k}`, m, 'ifname'));
    if (i.mac) f.set('MACADDR', i.mac, 'mac');
  } else if (i.type === 'vlan' && i.vlan) {
    f.set('VLAN', 'yes', 'yesno');
    f.set('PHYSDEV', i.vlan.link, 'ifname');
    if (i.name !== `${i.vlan.link}.${i.vlan.id}`) f.set('VLAN_ID', i.vlan.id, 'int');
    if (i.mac) f.set('MACADDR', i.mac, 'mac');
  } else if (i.type === 'bridge') {
    f.set('TYPE', 'Bridge', 'word');
    f.set('STP', i.bridge?.stp ? 'yes' : 'no', 'yesno');
    if (i.mac) f.set('MACADDR', i.mac, 'mac');
  }
  if (i.bondMaster) {
    f.set('MASTER', i.bondMaster, 'ifname');
    f.set('SLAVE', 'yes', 'yesno');
  }
  if (i.bridgeMaster) f.set('BRIDGE', i.bridgeMaster, 'ifname');
  if (i.mtu !== undefined) f.set('MTU', i.mtu, 'int');
  if (i.wakeOnLan) f.set('ETHTOOL_OPTS', 'wol g', 'words');
  const dhcp4 = has(i, 'dhcp4');
  f.set('BOOTPROTO', dhcp4 ? 'dhcp' : 'none', 'word');
  // One default route: DHCP elsewhere must not replace the static default gateway.
  if (dhcp4 && defaultOwner4 !== null && defaultOwner4 !== i.name) f.set('DHCLIENT_SET_DEFAULT_ROUTE', 'no', 'yesno');
  statics(i, 4).forEach((s, k) => {
    const n = k === 0 ? '' : String(k);
    f.set(`IPADDR${n}`, s.address, 'ipv4');
    f.set(`NETMASK${n}`, prefixToNetmask(s.prefix), 'ipv4');
  });
  const gw4 = defaultGateway(state, i, 4);
  if (gw4) f.set('GATEWAY', gw4.via, 'ipv4');
  // dhcp4-overrides / dhcp6-overrides in initscripts' (and NetworkManager's ifcfg-rh) terms.
  const o4 = dhcpOverrides(i, 'dhcp4');
  const o6 = dhcpOverrides(i, 'dhcp6');
  for (const t of ['dhcp4', 'dhcp6'] as const) warnOverrides(warn, i, t, IFCFG_OVERRIDES, 'ifcfg has no key for it');
  // GATEWAY has no metric of its own: a default route's metric is the interface's IPv4
  // route metric, as cloud-init writes it (else the metric would be lost).
  const metric4 = o4?.routeMetric ?? gw4?.metric;
  if (metric4 !== undefined) f.set('IPV4_ROUTE_METRIC', metric4, 'int');
  if (o4?.useDns === false) f.set('PEERDNS', 'no', 'yesno');
  if (o4?.useRoutes === false) f.set('PEERROUTES', 'no', 'yesno');
  if (o6?.routeMetric !== undefined) f.set('IPV6_ROUTE_METRIC', o6.routeMetric, 'int');
  if (o6?.useDns === false) f.set('IPV6_PEERDNS', 'no', 'yesno');
  if (o6?.useRoutes === false) f.set('IPV6_PEERROUTES', 'no', 'yesno');
  // DEFROUTE covers both families in initscripts and NetworkManager's ifcfg reader.
  if (gw4 || defaultGateway(state, i, 6)) f.set('DEFROUTE', 'yes', 'yesno');
  const v6 = statics(i, 6);
  // accept-ra: true alone (a v2 device with IPv6 only from router advertisements) is SLAAC.
  const slaac = has(i, 'slaac') || (i.acceptRa === true && v6.length === 0 && !has(i, 'dhcp6'));
  const dhcp6 = has(i, 'dhcp6');
  const gw6any = defaultGateway(state, i, 6) !== null || routesOf(state, i).some((r) => r.to.includes(':'));
  if (v6.length > 0 || slaac || dhcp6 || gw6any) {
    f.set('IPV6INIT', 'yes', 'yesno');
    if (dhcp6) f.set('DHCPV6C', 'yes', 'yesno');
    if (slaac) f.set('IPV6_AUTOCONF', 'yes', 'yesno');
    else if (v6.length > 0) f.set('IPV6_AUTOCONF', 'no', 'yesno');
    if ((!slaac && v6.length > 0) || (i.acceptRa !== undefined && !has(i, 'slaac'))) f.set('IPV6_FORCE_ACCEPT_RA', i.acceptRa ? 'yes' : 'no', 'yesno');
  }
  if (i.ipv6Mtu !== undefined) f.set('IPV6_MTU', i.ipv6Mtu, 'int');
  if (v6.length > 0) {
    f.set('IPV6ADDR', `${v6[0]!.address}/${v6[0]!.prefix}`, 'ipv6cidr');
    if (v6.length > 1)
      f.set(
        'IPV6ADDR_SECONDARIES',
        v6
          .slice(1)
          .map((s) => `${s.address}/${s.prefix}`)
          .join(' '),
        'ipv6cidr',
      );
  }
  const gw6 = defaultGateway(state, i, 6);
  if (gw6) f.set('IPV6_DEFAULTGW', gw6.via, 'ipv6');
  const ns = [...new Set(i.subnets.flatMap((s) => s.dns.nameservers))];
  if (ns.length > MAX_NAMESERVERS) warn(i.name, 'nameservers', `ifcfg takes ${MAX_NAMESERVERS} (DNS1-DNS${MAX_NAMESERVERS}); ${ns.slice(MAX_NAMESERVERS).join(', ')} left out`);
  ns.slice(0, MAX_NAMESERVERS).forEach((a, k) => f.set(`DNS${k + 1}`, a, a.includes(':') ? 'ipv6' : 'ipv4'));
  const search = [...new Set(i.subnets.flatMap((s) => s.dns.search))];
  if (search.length > 0) f.set('DOMAIN', search.join(' '), 'dns');
  return f;
}

function routeFiles(state: NetworkState, i: Iface): { v4: ShellFile | null; v6: string | null } {
  // The default route the ifcfg file names (GATEWAY / IPV6_DEFAULTGW) is not repeated;
  // another default (told apart by its metric) goes in the route file.
  const inIfcfg = new Set([defaultGateway(state, i, 4), defaultGateway(state, i, 6)].map((g) => g?.via));
  const routes = routesOf(state, i).filter((r) => r.prefix !== 0 || (r.via !== undefined && !inIfcfg.has(r.via)));
  const r4 = routes.filter((r) => !r.to.includes(':'));
  const r6 = routes.filter((r) => r.to.includes(':'));
  let v4: ShellFile | null = null;
  if (r4.length > 0) {
    v4 = new ShellFile(`${SCRIPTS_DIR}/route-${i.name}`);
    r4.forEach((r, k) => {
      v4!.set(`ADDRESS${k}`, r.to, 'ipv4');
      v4!.set(`NETMASK${k}`, prefixToNetmask(r.prefix), 'ipv4');
      if (r.via !== undefined) v4!.set(`GATEWAY${k}`, r.via, 'ipv4');
      if (r.metric !== undefined) v4!.set(`METRIC${k}`, r.metric, 'int');
    });
  }
  // route6 files are read by `ip -6 route add $line`: each part is checked the same way.
  let v6: string | null = null;
  if (r6.length > 0) {
    v6 =
      header('#') +
      r6
        .map((r) => {
          const parts = [`${r.to}/${r.prefix}`, ...(r.via !== undefined ? ['via', r.via] : []), 'dev', i.name, ...(r.metric !== undefined ? ['metric', String(r.metric)] : [])];
          if (!isIPv6(r.to) || (r.via !== undefined && !isIPv6(r.via)) || !isIfName(i.name)) throw new RenderError(`route6-${i.name}: refused route ${JSON.stringify(r)}`);
          return parts.join(' ') + '\n';
        })
        .join('');
  }
  return { v4, v6 };
}

// /etc/resolv.conf from the global DNS, and NetworkManager told to leave it (both flavours).
export function resolvFiles(dns: Dns, out: Rendered, warn: Warn): void {
  if (dns.nameservers.length > MAX_NAMESERVERS) warn('(global)', 'nameservers', `/etc/resolv.conf uses the first ${MAX_NAMESERVERS}; ${dns.nameservers.slice(MAX_NAMESERVERS).join(', ')} left out`);
  if (dns.nameservers.length > 0 || dns.search.length > 0) {
    const lines = dns.nameservers.slice(0, MAX_NAMESERVERS).map((n) => `nameserver ${n}\n`);
    if (dns.search.length > 0) lines.push(`search ${dns.search.join(' ')}\n`);
    out.set(RESOLV_CONF, { content: header(';') + lines.join(''), mode: 0o644 });
    // NetworkManager must then leave /etc/resolv.conf as written.
    out.set(NM_DNS_CONF, { content: header('#') + '[main]\ndns = none\n', mode: 0o644 });
  }
}

/** The distros cloud-init renders sysconfig for in its "suse" flavour (its suse OS family). */
export const SUSE_DISTROS: readonly string[] = ['opensuse', 'opensuse-leap', 'opensuse-microos', 'opensuse-tumbleweed', 'sle_hpc', 'sle-micro', 'sles', 'suse'];

export function sysconfigFlavor(distro: string | undefined): 'rhel' | 'suse' {
  return distro !== undefined && SUSE_DISTROS.includes(distro) ? 'suse' : 'rhel';
}

export function renderSysconfig(state: NetworkState, warn: Warn = noWarn): Rendered {
  const out: Rendered = new Map();
  const ifaces = byName(state);
  const owner4 = ifaces.find((i) => statics(i, 4).length > 0 && defaultGateway(state, i, 4) !== null)?.name ?? null;
  for (const i of ifaces) {
    const f = ifcfg(state, i, owner4, warn);
    out.set(f.path, { content: f.render(), mode: 0o644 });
    const r = routeFiles(state, i);
    if (r.v4) out.set(r.v4.path, { content: r.v4.render(), mode: 0o644 });
    if (r.v6) out.set(`${SCRIPTS_DIR}/route6-${i.name}`, { content: r.v6, mode: 0o644 });
  }
  const net = new ShellFile(NETWORK_PATH);
  net.set('NETWORKING', 'yes', 'yesno');
  const usesV6 = (i: Iface) =>
    i.acceptRa === true || i.subnets.some((s) => s.type === 'dhcp6' || s.type === 'slaac' || (s.type === 'static' && s.family === 6)) || routesOf(state, i).some((r) => r.to.includes(':'));
  if (ifaces.some(usesV6)) {
    net.set('NETWORKING_IPV6', 'yes', 'yesno');
    // Router advertisements are turned on per interface (IPV6_AUTOCONF=yes for SLAAC).
    net.set('IPV6_AUTOCONF', 'no', 'yesno');
  }
  out.set(NETWORK_PATH, { content: net.render(), mode: 0o644 });
  resolvFiles(state.dns, out, warn);
  // On NetworkManager-based rhel images (NM reading ifcfg), DHCP must not set the host name.
  out.set(NM_HOSTNAME_CONF, { content: NM_HOSTNAME_TEXT, mode: 0o644 });
  const udev = udevRules(ifaces);
  if (udev) out.set(UDEV_RULES_PATH, { content: udev, mode: 0o644 });
  return out;
}

export const sysconfig = defineRenderer({
  name: 'sysconfig',
  missing: (host) =>
    (host.fs.isDir(SCRIPTS_DIR) && (host.exec.has('ifup') || host.exec.has('NetworkManager'))) || (host.fs.isDir(SUSE_DIR) && (host.exec.has('wicked') || host.exec.has('NetworkManager')))
      ? null
      : 'needs /etc/sysconfig/network-scripts and ifup or NetworkManager (rhel), or /etc/sysconfig/network and wicked or NetworkManager (suse)',
  render: (state, distro, warn) => (sysconfigFlavor(distro) === 'suse' ? renderSysconfigSuse(state, warn) : renderSysconfig(state, warn)),
  // ifcfg-lo belongs to the distro (initscripts and wicked need it), never to nimbus.
  owned: [
    { dir: SCRIPTS_DIR, match: /^(?:ifcfg|route|route6)-(?!lo$)(?<iface>.+)$/ },
    { dir: SUSE_DIR, match: /^(?:ifcfg|ifroute)-(?!lo$)(?<iface>.+)$/ },
  ],
  alsoWrites: [NETWORK_PATH, RESOLV_CONF, NM_DNS_CONF, NM_HOSTNAME_CONF, UDEV_RULES_PATH, SUSE_UDEV_RULES_PATH],
  bringUp: [ifupdown, nmcli],
});
