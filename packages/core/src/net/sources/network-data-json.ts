// OpenStack's network_data.json: links (phy and other physical kinds, bond, vlan),
// networks on those links (ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac and the
// dhcpv6 variants) with their routes, and dns services. Physical links carry no name:
// it comes from the machine's MAC → name map (or `-m NAME,MAC` in net-convert).
import { fail, type FieldPath, type Where } from '../errors.js';
import { finalizeState } from '../finalize.js';
import { emptyDns, type Iface, type NetworkState, type Subnet } from '../model.js';
import { cidr, familyOf, ifName, int, ipAddr, list, mac, maskToPrefix, mtu, record } from '../validate.js';
import { parseRoutes } from './subnets.js';
import { bondParam, bondValue } from './v1.js';

// Link types OpenStack uses for a port that is a NIC inside the guest.
const PHYSICAL = new Set(['bgpovs', 'bridge', 'cascading', 'dvs', 'ethernet', 'hw_veb', 'hyperv', 'ovs', 'phy', 'physical', 'tap', 'vhostuser', 'vif']);

function dnsServices(w: Where, path: FieldPath, v: unknown): string[] {
  const out: string[] = [];
  list(w, path, v).forEach((s, k) => {
    const svc = record(w, [...path, k], s);
    if (svc.type === 'dns') out.push(ipAddr(w, [...path, k, 'address'], svc.address));
  });
  return out;
}

/** `knownMacs` maps lower-case MAC → interface name on the machine being configured. */
export function parseNetworkDataJson(w: Where, doc: unknown, knownMacs: ReadonlyMap<string, string>): NetworkState {
  const root = record(w, [], doc);
  const state: NetworkState = { interfaces: [], routes: [], dns: emptyDns(), warnings: [] };
  const byId = new Map<string, Iface>();
  let bonds = 0;
  const links = list(w, ['links'], root.links).map((l, k) => ({ path: ['links', k] as FieldPath, link: record(w, ['links', k], l) }));
  // Bonds and vlans name the links they sit on, so physical links are read first.
  const order = (t: unknown) => (t === 'bond' ? 1 : t === 'vlan' ? 2 : 0);
  links.sort((a, b) => order(a.link.type) - order(b.link.type));
  for (const { path, link } of links) {
    const id = link.id;
    if (typeof id !== 'string' || id === '') fail(w, [...path, 'id'], 'a link id', id);
    let iface: Iface;
    const macKey = link.type === 'vlan' ? 'vlan_mac_address' : 'ethernet_mac_address';
    const linkMac = link[macKey] === undefined || link[macKey] === null ? undefined : mac(w, [...path, macKey], link[macKey]);
    if (typeof link.type === 'string' && PHYSICAL.has(link.type)) {
      let name: unknown = link.name;
      if (name === undefined && linkMac !== undefined) name = knownMacs.get(linkMac);
      if (name === undefined) fail(w, [...path, 'ethernet_mac_address'], `a MAC of a NIC on this machine (none has ${linkMac ?? 'no MAC given'})`);
      iface = { name: ifName(w, [...path, 'name'], name), type: 'physical', subnets: [] };
    } else if (link.type === 'bond') {
      const name = link.name ?? `bond${bonds++}`;
      const members = list(w, [...path, 'bond_links'], link.bond_links).map((m, k) => {
        const member = byId.get(String(m));
        if (!member) fail(w, [...path, 'bond_links', k], 'the id of a link defined before', m);
        return member.name;
      });
      const params: Record<string, string> = {};
      // Every bond_* key but bond_links is a bonding option, as cloud-init reads them.
      for (const [key, val] of Object.entries(link)) {
        if (!key.startsWith('bond_') || key === 'bond_links' || val === undefined || val === null || val === '') continue;
        const kernel = bondParam(key);
        if (kernel === null) state.warnings!.push(`${w.source}: ${[...path, key].join('.')}: not a kernel bonding option, ignored`);
        else params[kernel] = bondValue(w, [...path, key], val);
      }
      iface = { name: ifName(w, [...path, 'name'], name), type: 'bond', subnets: [], bond: { members, params } };
    } else if (link.type === 'vlan') {
      const parent = byId.get(String(link.vlan_link));
      if (!parent) fail(w, [...path, 'vlan_link'], 'the id of a link defined in links', link.vlan_link);
      const vid = int(w, [...path, 'vlan_id'], link.vlan_id, 1, 4094, 'a VLAN id');
      iface = { name: ifName(w, [...path, 'name'], link.name ?? `${parent.name}.${vid}`), type: 'vlan', subnets: [], vlan: { link: parent.name, id: vid } };
    } else {
      fail(w, [...path, 'type'], `a link type: bond, vlan or a physical kind (${[...PHYSICAL].join(', ')})`, link.type);
    }
    if (linkMac !== undefined) iface.mac = linkMac;
    if (link.mtu !== undefined && link.mtu !== null) iface.mtu = mtu(w, [...path, 'mtu'], link.mtu);
    byId.set(id, iface);
    state.interfaces.push(iface);
  }
  list(w, ['networks'], root.networks).forEach((n, k) => {
    const path: FieldPath = ['networks', k];
    const net = record(w, path, n);
    const iface = byId.get(String(net.link));
    if (!iface) fail(w, [...path, 'link'], 'the id of a link defined in links', net.link);
    const dns = { nameservers: dnsServices(w, [...path, 'services'], net.services), search: [] };
    const routes = parseRoutes(w, [...path, 'routes'], net.routes);
    let s: Subnet;
    switch (net.type) {
      case 'ipv4':
      case 'ipv6': {
        const c = cidr(w, [...path, 'ip_address'], net.ip_address);
        const family = familyOf(c.address);
        if (family !== (net.type === 'ipv4' ? 4 : 6)) fail(w, [...path, 'ip_address'], `an ${net.type} address`, net.ip_address);
        let prefix = c.prefix;
        // An empty netmask (OpenStack writes "" for some IPv6 networks) is none; without
        // one the prefix is /24 or /64, as cloud-init takes it.
        if (prefix === null && net.netmask !== undefined && net.netmask !== null && net.netmask !== '') prefix = maskToPrefix(w, [...path, 'netmask'], net.netmask, family);
        if (prefix === null) prefix = family === 4 ? 24 : 64;
        s = { type: 'static', family, address: c.address, prefix, dns, routes };
        if (family === 6 && iface.acceptRa === undefined) iface.acceptRa = false;
        break;
      }
      case 'ipv4_dhcp':
        s = { type: 'dhcp4', dns, routes };
        break;
      case 'ipv6_dhcp':
      case 'ipv6_dhcpv6-stateful':
        // DHCPv6 gives no routes: the default route comes from router advertisements.
        s = { type: 'dhcp6', dns, routes };
        iface.acceptRa = true;
        break;
      case 'ipv6_slaac':
      case 'ipv6_dhcpv6-stateless':
        s = { type: 'slaac', dns, routes };
        iface.acceptRa = true;
        break;
      default:
        fail(w, [...path, 'type'], 'ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac, ipv6_dhcpv6-stateless or ipv6_dhcpv6-stateful', net.type);
    }
    iface.subnets.push(s);
  });
  state.dns.nameservers = dnsServices(w, ['services'], root.services);
  return finalizeState(w, state);
}
