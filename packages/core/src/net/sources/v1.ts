// Network config version 1: a list of typed entries (physical, bond, vlan, bridge,
// nameserver, route), each interface with a list of subnets.
import { fail, type FieldPath, type Where } from '../errors.js';
import { checkDefaults, finalizeState } from '../finalize.js';
import { type Dns, emptyDns, type Iface, type IfaceType, type NetworkState, type Subnet } from '../model.js';
import { bool, cidr, familyOf, ifName, int, ipAddr, list, mac, maskToPrefix, mtu, onOff, optionValue, record } from '../validate.js';
import { parseDns, parseRoute, parseRoutes } from './subnets.js';

// Kernel bonding options (the names under /sys/class/net/BOND/bonding/), each also
// accepted as bond-NAME with '-' for '_' as cloud-init's v1 and ENI spell them.
export const KERNEL_BOND_OPTIONS = [
  'mode',
  'miimon',
  'xmit_hash_policy',
  'primary',
  'lacp_rate',
  'updelay',
  'downdelay',
  'ad_select',
  'arp_interval',
  'arp_ip_target',
  'arp_validate',
  'arp_all_targets',
  'fail_over_mac',
  'primary_reselect',
  'min_links',
  'num_grat_arp',
  'num_unsol_na',
  'active_slave',
  'ad_actor_sys_prio',
  'ad_actor_system',
  'ad_user_port_key',
  'all_slaves_active',
  'lp_interval',
  'packets_per_slave',
  'peer_notif_delay',
  'resend_igmp',
  'tlb_dynamic_lb',
  'use_carrier',
] as const;

/** Kernel bonding option names accepted with '-' or '_' and with or without the bond- prefix. */
export function bondParam(key: string): string | null {
  const k = key.replace(/-/g, '_').replace(/^bond_/, '');
  return (KERNEL_BOND_OPTIONS as readonly string[]).includes(k) ? k : null;
}

/** A bonding option's value; lists (arp_ip_target) are joined with ',' as the kernel reads them. */
export function bondValue(w: Where, path: FieldPath, v: unknown): string {
  if (Array.isArray(v)) return v.map((x, k) => optionValue(w, [...path, k], x)).join(',');
  if (typeof v === 'string' && /^[^\s,]+(,[^\s,]+)+$/.test(v))
    return v
      .split(',')
      .map((x) => optionValue(w, path, x))
      .join(',');
  return optionValue(w, path, v);
}

/** What a subnet says about its interface rather than its addresses. */
interface SubnetLink {
  mtu?: number;
  manual: boolean;
}

const given = (x: unknown) => x !== undefined && x !== null && x !== '';

function subnetLink(w: Where, path: FieldPath, s: Record<string, unknown>): SubnetLink {
  const out: SubnetLink = { manual: false };
  if (given(s.mtu)) out.mtu = mtu(w, [...path, 'mtu'], s.mtu);
  if (given(s.control)) {
    if (s.control !== 'auto' && s.control !== 'hotplug' && s.control !== 'manual') fail(w, [...path, 'control'], 'auto, hotplug or manual', s.control);
    out.manual = s.control === 'manual';
  }
  return out;
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
      // An empty netmask is no netmask, as in cloud-init (OpenStack writes "" for IPv6).
      if (prefix === null && given(s.netmask)) prefix = maskToPrefix(w, [...path, 'netmask'], s.netmask, family);
      else if (prefix === null && given(s.prefix)) prefix = maskToPrefix(w, [...path, 'prefix'], s.prefix, family);
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
const KNOWN = new Set(['type', 'name', 'mac_address', 'mtu', 'accept-ra', 'subnets', 'params', 'bond_interfaces', 'vlan_link', 'vlan_id', 'bridge_interfaces', 'wakeonlan']);
const SUBNET_KNOWN = new Set(['type', 'address', 'netmask', 'prefix', 'gateway', 'dns_nameservers', 'dns_search', 'routes', 'mtu', 'control']);

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
  if (e.wakeonlan !== undefined && e.wakeonlan !== null) i.wakeOnLan = bool(w, [...path, 'wakeonlan'], e.wakeonlan);
  const raw = list(w, [...path, 'subnets'], e.subnets);
  const all = raw.map((s, k) => subnet(w, [...path, 'subnets', k], s));
  i.subnets = all.filter((s): s is Subnet => s !== null);
  raw.forEach((s, k) => {
    const link = subnetLink(w, [...path, 'subnets', k], record(w, [...path, 'subnets', k], s));
    const parsed = all[k] ?? null;
    if (link.manual) i.manual = true;
    if (link.mtu === undefined) return;
    // An IPv4 (or DHCPv4, manual) subnet's MTU is the link's, over the interface's own, as
    // in cloud-init; an IPv6 subnet's is the MTU for IPv6 alone.
    const v6 = parsed !== null && (parsed.type === 'dhcp6' || parsed.type === 'slaac' || (parsed.type === 'static' && parsed.family === 6));
    if (v6) i.ipv6Mtu = link.mtu;
    else {
      if (i.mtu !== undefined && i.mtu !== link.mtu)
        warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'subnets', k, 'mtu'].join('.')}: the subnet's MTU ${link.mtu} is used, not the interface's ${i.mtu}`);
      i.mtu = link.mtu;
    }
  });
  checkDefaults(w, i, path);
  return i;
}

/** Parses a v1 document: `{version: 1, config: [...]}` (already unwrapped from `network:`). */
export function parseV1(w: Where, doc: Record<string, unknown>): NetworkState {
  const state: NetworkState = { interfaces: [], routes: [], dns: emptyDns(), warnings: [] };
  const warnings = state.warnings!;
  const entries = list(w, ['config'], doc.config);
  // `type: nameserver` with `interface:` belongs to that interface (cloud-init 22.4 and
  // later): applied after every interface is known, as it may come first.
  const ifaceDns: { path: FieldPath; name: string; dns: Dns }[] = [];
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
          // cloud-init passes any bond-* key on to the ENI file; nimbus renders the kernel's
          // options and says which others it leaves out.
          if (kernel === null) {
            warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'params', key].join('.')}: not a kernel bonding option, ignored`);
            continue;
          }
          if (val === null || val === undefined || val === '') continue;
          params[kernel] = bondValue(w, [...path, 'params', key], val);
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
          if (key === 'bridge_stp') i.bridge.stp = onOff(w, [...path, 'params', key], val);
          else warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'params', key].join('.')}: not supported (only bridge_stp), ignored`);
        }
        state.interfaces.push(i);
        break;
      }
      case 'nameserver': {
        const d = parseDns(w, path, e.address, e.search, 'address', 'search');
        if (e.interface !== undefined) {
          ifaceDns.push({ path: [...path, 'interface'], name: ifName(w, [...path, 'interface'], e.interface), dns: d });
          break;
        }
        state.dns.nameservers.push(...d.nameservers.filter((n) => !state.dns.nameservers.includes(n)));
        state.dns.search.push(...d.search.filter((n) => !state.dns.search.includes(n)));
        break;
      }
      case 'route':
        state.routes.push(parseRoute(w, path, e));
        break;
      case 'infiniband':
      case 'loopback':
        // cloud-init renders these; nimbus has no renderer support for them yet, and one
        // such entry must not cost the machine the rest of its network.
        warnings.push(`${w.source}: ${[...(w.base ?? []), ...path].join('.')}: type ${e.type} is not supported, ignored`);
        break;
      default:
        fail(w, [...path, 'type'], 'one of physical, bond, vlan, bridge, nameserver, route (not supported, ignored with a warning: infiniband, loopback)', e.type);
    }
  });
  for (const { path, name, dns } of ifaceDns) {
    const i = state.interfaces.find((x) => x.name === name);
    if (i === undefined) fail(w, path, 'the name of an interface defined in config (as cloud-init requires)', name);
    // Its servers come before those of the interface's subnets, as cloud-init writes them.
    const s = i.subnets.find((x) => x.type === 'static') ?? i.subnets[0];
    if (s === undefined) {
      warnings.push(`${w.source}: ${[...(w.base ?? []), ...path].join('.')}: ${name} has no subnet for its nameservers, ignored`);
      continue;
    }
    s.dns = { nameservers: [...dns.nameservers, ...s.dns.nameservers.filter((n) => !dns.nameservers.includes(n))], search: [...dns.search, ...s.dns.search.filter((n) => !dns.search.includes(n))] };
  }
  return finalizeState(w, state);
}
