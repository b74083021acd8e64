// Debian's ifupdown: /etc/network/interfaces.d/50-cloud-init (sourced by the image's
// /etc/network/interfaces) and the udev naming rules. Routes are `ip route` hooks, as
// Debian images ship iproute2 but often not net-tools' `route`.
import { byName, type Iface, type NetworkState, type Route, type Subnet } from '../model.js';
import { ifupdown } from './bring-up.js';
import { defineRenderer } from './types.js';
import { has, header, noWarn, routesOf, udevRules, UDEV_RULES_PATH, inSubnet, statics, warnOverrides, type DhcpKey, type Rendered, type Warn } from './common.js';

export const ENI_PATH = '/etc/network/interfaces.d/50-cloud-init';

const KIND_ORDER: Record<Iface['type'], number> = { physical: 0, bond: 1, bridge: 2, vlan: 3 };

function routeHooks(r: Route, dev: string): string[] {
  const fam = r.to.includes(':') ? '-6 ' : '';
  const spec = `${r.prefix === 0 ? 'default' : `${r.to}/${r.prefix}`}${r.via !== undefined ? ` via ${r.via}` : ''} dev ${dev}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
  return [`post-up ip ${fam}route add ${spec} || true`, `pre-down ip ${fam}route del ${spec} || true`];
}

function linkOptions(i: Iface): string[] {
  const o: string[] = [];
  if (i.bondMaster) o.push(`bond-master ${i.bondMaster}`);
  if (i.type === 'bond') o.push(`bond-slaves none`);
  for (const [k, v] of Object.entries(i.bond?.params ?? {}).sort()) o.push(`bond-${k.replace(/_/g, '-')} ${v}`);
  if (i.bridge) {
    o.push(`bridge_ports ${i.bridge.ports.length > 0 ? i.bridge.ports.join(' ') : 'none'}`);
    if (i.bridge.stp !== undefined) o.push(`bridge_stp ${i.bridge.stp ? 'on' : 'off'}`);
  }
  if (i.vlan) o.push(`vlan-raw-device ${i.vlan.link}`, `vlan_id ${i.vlan.id}`);
  if (i.type !== 'physical' && i.mac) o.push(`hwaddress ${i.mac}`);
  if (i.mtu !== undefined) o.push(`mtu ${i.mtu}`);
  // ethtool's ifupdown hook: wake on the magic packet.
  if (i.wakeOnLan) o.push('ethernet-wol g');
  return o;
}

// `mtu` on an inet6 static stanza is the IPv6 MTU only beside an IPv4 stanza; on an
// interface without IPv4 it would be the link's MTU (and is read back as such).
function ipv6MtuWritable(i: Iface): boolean {
  return i.ipv6Mtu !== undefined && statics(i, 6).length > 0 && i.subnets.some((x) => x.type === 'dhcp4' || (x.type === 'static' && x.family === 4));
}

function stanza(i: Iface, s: Subnet | null, first: boolean, routes: Route[]): string {
  const fam = s === null ? 'inet' : s.type === 'dhcp4' || (s.type === 'static' && s.family === 4) ? 'inet' : 'inet6';
  const method = s === null ? 'manual' : s.type === 'static' ? 'static' : s.type === 'slaac' ? 'auto' : 'dhcp';
  const o: string[] = first ? linkOptions(i) : [];
  if (s?.type === 'static') {
    o.push(`address ${s.address}/${s.prefix}`);
    if (s.gateway) o.push(`gateway ${s.gateway}`);
  }
  if (s?.type === 'slaac') o.push('dhcp 0');
  const inet6 = s !== null && (s.type === 'dhcp6' || (s.type === 'static' && s.family === 6));
  // accept_ra either way, as cloud-init writes it for DHCPv6 and static IPv6 stanzas.
  if (inet6 && i.acceptRa !== undefined) o.push(`accept_ra ${i.acceptRa ? 1 : 0}`);
  if (s?.type === 'static' && s.family === 6 && ipv6MtuWritable(i) && s === statics(i, 6)[0]) o.push(`mtu ${i.ipv6Mtu}`);
  if (s?.type === 'dhcp4' && s.overrides?.routeMetric !== undefined) o.push(`metric ${s.overrides.routeMetric}`);
  if (s) {
    if (s.dns.nameservers.length > 0) o.push(`dns-nameservers ${s.dns.nameservers.join(' ')}`);
    if (s.dns.search.length > 0) o.push(`dns-search ${s.dns.search.join(' ')}`);
  }
  for (const r of routes) o.push(...routeHooks(r, i.name));
  const head = !first ? `# control-alias ${i.name}\n` : i.manual ? `# control-manual ${i.name}\n` : `auto ${i.name}\n`;
  return head + `iface ${i.name} ${fam} ${method}\n` + o.map((l) => `    ${l}\n`).join('');
}

// ifupdown's dhcp method takes a route metric (inet only); the other overrides are
// dhclient's own configuration, which is global, and it never replaces a host name
// already set (so use-hostname: false holds without a key).
const DHCP4_KEYS: ReadonlySet<DhcpKey> = new Set<DhcpKey>(['routeMetric']);
const NONE: ReadonlySet<DhcpKey> = new Set<DhcpKey>();

/** What no stanza can carry for this interface: told, not dropped. */
function warnLost(i: Iface, warn: Warn): void {
  warnOverrides(warn, i, 'dhcp4', DHCP4_KEYS, "ifupdown's dhcp method has no option for it");
  warnOverrides(warn, i, 'dhcp6', NONE, "ifupdown's inet6 dhcp method has no option for it");
  const v6stanza = has(i, 'dhcp6') || statics(i, 6).length > 0;
  if (i.ipv6Mtu !== undefined && !ipv6MtuWritable(i)) warn(i.name, 'ipv6-mtu', "ifupdown takes an IPv6-only MTU on an inet6 static stanza after an inet one (alone, its mtu is the link's)");
  if (i.acceptRa !== undefined && !v6stanza && !(has(i, 'slaac') && i.acceptRa)) warn(i.name, 'accept-ra', 'ifupdown takes accept_ra only on an inet6 dhcp or static stanza');
}

export function renderEni(state: NetworkState, _distro?: string, warn: Warn = noWarn): Rendered {
  const ifaces = byName(state).sort((a, b) => KIND_ORDER[a.type] - KIND_ORDER[b.type]);
  const parts: string[] = [];
  const lo: string[] = ['auto lo', 'iface lo inet loopback'];
  if (state.dns.nameservers.length > 0) lo.push(`    dns-nameservers ${state.dns.nameservers.join(' ')}`);
  if (state.dns.search.length > 0) lo.push(`    dns-search ${state.dns.search.join(' ')}`);
  for (const i of ifaces) {
    warnLost(i, warn);
    // As cloud-init: each route on the stanza of the subnet that carries it (a default
    // route that repeats the stanza's own gateway is not written twice); global routes
    // on the static stanza whose subnet holds their gateway.
    const own = new Set(i.subnets.flatMap((s) => s.routes));
    const global = routesOf(state, i).filter((r) => !own.has(r));
    const subnets = i.subnets.length > 0 ? i.subnets : [null];
    const text = subnets.map((s, k) => {
      if (s === null) return stanza(i, s, k === 0, []);
      const mine = s.routes.filter((r) => !(s.type === 'static' && s.gateway && r.prefix === 0 && r.via === s.gateway));
      for (const r of global) {
        const home = statics(i).find((x) => r.via !== undefined && inSubnet(r.via, x));
        if (home === s) mine.push(r);
      }
      return stanza(i, s, k === 0, mine);
    });
    // An interface with only link settings is configured but not raised at boot unless it
    // carries a bond, as ifupdown raises VLAN raw devices and bridge ports itself.
    const body = text.join('\n');
    // An address-less NIC is not raised at boot, but bonds and their members are (ifenslave
    // needs both up, and cloud-init writes `auto` for them).
    parts.push(i.subnets.length === 0 && !i.bondMaster && !i.bond && statics(i).length === 0 ? body.replace(/^auto .*\n/, '') : body);
  }
  const content = header('#') + [lo.join('\n') + '\n', ...parts].join('\n');
  const out: Rendered = new Map([[ENI_PATH, { content, mode: 0o644 }]]);
  const udev = udevRules(ifaces);
  if (udev) out.set(UDEV_RULES_PATH, { content: udev, mode: 0o644 });
  return out;
}

export const eni = defineRenderer({
  name: 'eni',
  missing: (host) => (host.fs.exists('/etc/network/interfaces') && host.exec.has('ifup') ? null : 'needs /etc/network/interfaces and ifup (ifupdown)'),
  render: renderEni,
  owned: [{ dir: '/etc/network/interfaces.d', match: /^50-cloud-init$/ }],
  alsoWrites: [UDEV_RULES_PATH],
  bringUp: [ifupdown],
});
