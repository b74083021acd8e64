// Network config version 1: a list of typed entries (physical, bond, vlan, bridge,
// nameserver, route), each interface with a list of subnets.
import { fail, type FieldPath, type Where } from '../errors.js';
import { finalizeState } from '../finalize.js';
import { emptyDns, type Iface, type IfaceType, type NetworkState, type Subnet } from '../model.js';
import { bool, cidr, familyOf, ifName, int, ipAddr, list, mac, maskToPrefix, mtu, optionValue, record } from '../validate.js';
import { parseDns, parseRoute, parseRoutes } from './subnets.js';

const BOND_KEYS: Record<string, string> = {
  'bond-mode': 'mode',
  'bond-miimon': 'miimon',
  'bond-xmit-hash-policy': 'xmit_hash_policy',
  'bond-primary': 'primary',
  'bond-lacp-rate': 'lacp_rate',
  'bond-updelay': 'updelay',
  'bond-downdelay': 'downdelay',
  'bond-ad-select': 'ad_select',
  'bond-arp-interval': 'arp_interval',
  'bond-arp-ip-target': 'arp_ip_target',
  'bond-fail-over-mac': 'fail_over_mac',
  'bond-primary-reselect': 'primary_reselect',
  'bond-min-links': 'min_links',
  'bond-num-grat-arp': 'num_grat_arp',
};

/** Kernel bonding option names accepted with '-' or '_' and with or without the bond- prefix. */
export function bondParam(key: string): string | null {
  const k = key.replace(/_/g, '-');
  const full = k.startsWith('bond-') ? k : `bond-${k}`;
  return BOND_KEYS[full] ?? null;
}

function subnet(w: Where, path: FieldPath, v: unknown): Subnet | null {
  const s = record(w, path, v);
  const dns = parseDns(w, path, s.dns_nameservers, s.dns_search, 'dns_nameservers', 'dns_search');
  const routes = parseRoutes(w, [...path, 'routes'], s.routes);
  switch (s.type) {
    case 'dhcp':
    case 'dhcp4':
      return { type: 'dhcp4', dns, routes };
    case 'dhcp6':
    case 'ipv6_dhcpv6-stateful':
      return { type: 'dhcp6', dns, routes };
    case 'ipv6_slaac':
    case 'ipv6_dhcpv6-stateless':
      return { type: 'slaac', dns, routes };
    case 'manual':
      return null;
    case 'static':
    case 'static6': {
      const c = cidr(w, [...path, 'address'], s.address);
      const family = familyOf(c.address);
      let prefix = c.prefix;
      if (s.netmask !== undefined) prefix = maskToPrefix(w, [...path, 'netmask'], s.netmask, family);
      else if (s.prefix !== undefined) prefix = maskToPrefix(w, [...path, 'prefix'], s.prefix, family);
      if (prefix === null) prefix = family === 4 ? 24 : 64; // cloud-init's defaults for a bare address
      const out: Subnet = { type: 'static', family, address: c.address, prefix, dns, routes };
      if (s.gateway !== undefined && s.gateway !== null) {
        const gw = ipAddr(w, [...path, 'gateway'], s.gateway);
        if (familyOf(gw) !== family) fail(w, [...path, 'gateway'], `an IPv${family} gateway for ${c.address}`, s.gateway);
        out.gateway = gw;
      }
      return out;
    }
    default:
      fail(w, [...path, 'type'], 'one of static, static6, dhcp, dhcp4, dhcp6, ipv6_slaac, ipv6_dhcpv6-stateless, ipv6_dhcpv6-stateful, manual', s.type);
  }
}

// Entry keys nimbus reads; others are reported and not carried over.
const KNOWN = new Set(['type', 'name', 'mac_address', 'mtu', 'accept-ra', 'subnets', 'params', 'bond_interfaces', 'vlan_link', 'vlan_id', 'bridge_interfaces']);
const SUBNET_KNOWN = new Set(['type', 'address', 'netmask', 'prefix', 'gateway', 'dns_nameservers', 'dns_search', 'routes']);

function iface(w: Where, path: FieldPath, e: Record<string, unknown>, type: IfaceType, warnings: string[]): Iface {
  for (const k of Object.keys(e)) if (!KNOWN.has(k)) warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, k].join('.')}: not supported, ignored`);
  list(w, [...path, 'subnets'], e.subnets).forEach((s, n) => {
    if (s && typeof s === 'object')
      for (const k of Object.keys(s)) if (!SUBNET_KNOWN.has(k)) warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'subnets', n, k].join('.')}: not supported, ignored`);
  });
  const name = ifName(w, [...path, 'name'], e.name);
  const i: Iface = { name, type, subnets: [] };
  if (e.mac_address !== undefined && e.mac_address !== null) i.mac = mac(w, [...path, 'mac_address'], e.mac_address);
  if (e.mtu !== undefined && e.mtu !== null) i.mtu = mtu(w, [...path, 'mtu'], e.mtu);
  if (e['accept-ra'] !== undefined && e['accept-ra'] !== null) i.acceptRa = bool(w, [...path, 'accept-ra'], e['accept-ra']);
  i.subnets = list(w, [...path, 'subnets'], e.subnets)
    .map((s, k) => subnet(w, [...path, 'subnets', k], s))
    .filter((s): s is Subnet => s !== null);
  return i;
}

/** Parses a v1 document: `{version: 1, config: [...]}` (already unwrapped from `network:`). */
export function parseV1(w: Where, doc: Record<string, unknown>): NetworkState {
  const state: NetworkState = { interfaces: [], routes: [], dns: emptyDns(), warnings: [] };
  const warnings = state.warnings!;
  const entries = list(w, ['config'], doc.config);
  entries.forEach((raw, k) => {
    const path: FieldPath = ['config', k];
    const e = record(w, path, raw);
    switch (e.type) {
      case 'physical':
        state.interfaces.push(iface(w, path, e, 'physical', warnings));
        break;
      case 'bond': {
        const i = iface(w, path, e, 'bond', warnings);
        const params: Record<string, string> = {};
        const p = e.params === undefined || e.params === null ? {} : record(w, [...path, 'params'], e.params);
        for (const [key, val] of Object.entries(p)) {
          const kernel = bondParam(key);
          if (kernel === null) fail(w, [...path, 'params', key], `a bonding option (${Object.keys(BOND_KEYS).join(', ')})`);
          params[kernel] = optionValue(w, [...path, 'params', key], val);
        }
        const members = list(w, [...path, 'bond_interfaces'], e.bond_interfaces).map((m, n) => ifName(w, [...path, 'bond_interfaces', n], m));
        i.bond = { members, params };
        state.interfaces.push(i);
        break;
      }
      case 'vlan': {
        const i = iface(w, path, e, 'vlan', warnings);
        i.vlan = { link: ifName(w, [...path, 'vlan_link'], e.vlan_link), id: int(w, [...path, 'vlan_id'], e.vlan_id, 1, 4094, 'a VLAN id') };
        state.interfaces.push(i);
        break;
      }
      case 'bridge': {
        const i = iface(w, path, e, 'bridge', warnings);
        const ports = list(w, [...path, 'bridge_interfaces'], e.bridge_interfaces).map((m, n) => ifName(w, [...path, 'bridge_interfaces', n], m));
        i.bridge = { ports };
        const p = e.params === undefined || e.params === null ? {} : record(w, [...path, 'params'], e.params);
        for (const [key, val] of Object.entries(p)) {
          if (key === 'bridge_stp') i.bridge.stp = bool(w, [...path, 'params', key], val);
          else fail(w, [...path, 'params', key], 'bridge_stp (other bridge options are not supported)');
        }
        state.interfaces.push(i);
        break;
      }
      case 'nameserver': {
        const d = parseDns(w, path, e.address, e.search, 'address', 'search');
        state.dns.nameservers.push(...d.nameservers.filter((n) => !state.dns.nameservers.includes(n)));
        state.dns.search.push(...d.search.filter((n) => !state.dns.search.includes(n)));
        break;
      }
      case 'route':
        state.routes.push(parseRoute(w, path, e));
        break;
      default:
        fail(w, [...path, 'type'], 'one of physical, bond, vlan, bridge, nameserver, route (not supported: infiniband, loopback)', e.type);
    }
  });
  return finalizeState(w, state);
}
