// Network config version 2 (netplan's format): ethernets, bonds, vlans and bridges keyed
// by id; a physical NIC is matched by MAC and renamed with set-name. Routes may say
// `to: default` (netplan's spelling of 0.0.0.0/0 and ::/0).
import { fail, locate, type FieldPath, type Where } from '../errors.js';
import { checkDefaults, finalizeState } from '../finalize.js';
import { emptyDns, type NetplanOnlyKey, type PlainYaml, type DhcpOverrides, type Dns, type Iface, type IfaceType, type NetworkState, type Subnet, type Route } from '../model.js';
import { bool, cidr, dnsName, familyOf, ifName, int, ipAddr, list, mac, mtu, onOff, record } from '../validate.js';
import { parseDns, parseRoutes } from './subnets.js';
import { bondValue } from './v1.js';

// netplan bond parameter → kernel bonding option.
const BOND_PARAMS: Record<string, string> = {
  mode: 'mode',
  'mii-monitor-interval': 'miimon',
  'transmit-hash-policy': 'xmit_hash_policy',
  primary: 'primary',
  'lacp-rate': 'lacp_rate',
  'up-delay': 'updelay',
  'down-delay': 'downdelay',
  'ad-select': 'ad_select',
  'arp-interval': 'arp_interval',
  'fail-over-mac-policy': 'fail_over_mac',
  'primary-reselect-policy': 'primary_reselect',
  'min-links': 'min_links',
  'gratuitous-arp': 'num_grat_arp',
  // cloud-init's own misspelling, which it reads as gratuitous-arp
  'gratuitious-arp': 'num_grat_arp',
  'arp-ip-targets': 'arp_ip_target',
  'arp-validate': 'arp_validate',
  'arp-all-targets': 'arp_all_targets',
  'all-slaves-active': 'all_slaves_active',
  'all-members-active': 'all_slaves_active',
  'packets-per-slave': 'packets_per_slave',
  'packets-per-member': 'packets_per_slave',
  'resend-igmp': 'resend_igmp',
  'learn-packet-interval': 'lp_interval',
};

// dhcp4-overrides / dhcp6-overrides keys, as netplan names them.
const OVERRIDE_FLAGS: Record<string, keyof DhcpOverrides> = {
  'use-dns': 'useDns',
  'use-domains': 'useDomains',
  'use-hostname': 'useHostname',
  'use-ntp': 'useNtp',
  'use-mtu': 'useMtu',
  'use-routes': 'useRoutes',
  'send-hostname': 'sendHostname',
};

function overrides(w: Where, path: FieldPath, v: unknown, warnings: string[]): DhcpOverrides {
  const o: DhcpOverrides = {};
  if (v === undefined || v === null) return o;
  for (const [k, x] of Object.entries(record(w, path, v))) {
    const flag = OVERRIDE_FLAGS[k];
    if (flag !== undefined) (o as Record<string, boolean>)[flag] = bool(w, [...path, k], x);
    else if (k === 'route-metric') o.routeMetric = int(w, [...path, k], x, 0, 4294967295, 'a route metric');
    else if (k === 'hostname') o.hostname = dnsName(w, [...path, k], x);
    else warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, k].join('.')}: not supported, ignored`);
  }
  return o;
}

const SECTIONS: [string, IfaceType][] = [
  ['ethernets', 'physical'],
  ['bonds', 'bond'],
  ['bridges', 'bridge'],
  ['vlans', 'vlan'],
];

// Device keys nimbus reads; any other netplan key is reported and not carried over.
const KNOWN = new Set([
  'match',
  'set-name',
  'macaddress',
  'mtu',
  'accept-ra',
  'nameservers',
  'routes',
  'gateway4',
  'gateway6',
  'dhcp4',
  'dhcp6',
  'dhcp4-overrides',
  'dhcp6-overrides',
  'activation-mode',
  'ipv6-mtu',
  'wakeonlan',
  'addresses',
  'interfaces',
  'parameters',
  'id',
  'link',
]);

// A member, port or VLAN link names a device by its id (renamed by set-name), which
// need not be a valid interface name itself (`provisioningport` is 16 characters);
// only a reference that is no id must be one.
function deviceRef(w: Where, path: FieldPath, ids: ReadonlyMap<string, string>, v: unknown): string {
  return typeof v === 'string' && ids.has(v) ? (ids.get(v) as string) : ifName(w, path, v);
}

function device(w: Where, path: FieldPath, id: string, d: Record<string, unknown>, type: IfaceType, warnings: string[], ids: ReadonlyMap<string, string>): Iface {
  for (const k of Object.keys(d)) if (!KNOWN.has(k)) warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, k].join('.')}: not supported, ignored`);
  let name = id;
  if (d['set-name'] !== undefined) name = d['set-name'] as string;
  const i: Iface = { name: ifName(w, d['set-name'] !== undefined ? [...path, 'set-name'] : path, name), type, subnets: [] };
  if (d.match !== undefined) {
    const m = record(w, [...path, 'match'], d.match);
    for (const k of Object.keys(m)) if (k !== 'macaddress') fail(w, [...path, 'match', k], 'match by macaddress (not supported: match by name or driver)');
    if (m.macaddress !== undefined) i.mac = mac(w, [...path, 'match', 'macaddress'], m.macaddress);
  }
  if (d.macaddress !== undefined) {
    const m = mac(w, [...path, 'macaddress'], d.macaddress);
    // On an ethernet, `macaddress` sets the NIC's MAC (netplan); it is not what the NIC is
    // matched by, and nimbus's model has no place for a new MAC of a NIC: told, not taken
    // as a match (which would miss the NIC).
    if (type === 'physical') warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'macaddress'].join('.')}: setting a NIC's MAC is not supported, ignored`);
    else i.mac = m;
  }
  if (d.mtu !== undefined) i.mtu = mtu(w, [...path, 'mtu'], d.mtu);
  if (d['accept-ra'] !== undefined) i.acceptRa = bool(w, [...path, 'accept-ra'], d['accept-ra']);
  if (d.wakeonlan !== undefined) i.wakeOnLan = bool(w, [...path, 'wakeonlan'], d.wakeonlan);
  if (d['ipv6-mtu'] !== undefined) i.ipv6Mtu = mtu(w, [...path, 'ipv6-mtu'], d['ipv6-mtu']);
  if (d['activation-mode'] !== undefined) {
    if (d['activation-mode'] !== 'manual' && d['activation-mode'] !== 'off') fail(w, [...path, 'activation-mode'], 'manual or off', d['activation-mode']);
    i.manual = true;
  }
  const ns = d.nameservers === undefined ? {} : record(w, [...path, 'nameservers'], d.nameservers);
  const dns: Dns = parseDns(w, [...path, 'nameservers'], ns.addresses, ns.search, 'addresses', 'search');
  const routes: Route[] = parseRoutes(w, [...path, 'routes'], d.routes);
  const subnets: Subnet[] = [];
  const gw: Record<4 | 6, string | undefined> = { 4: undefined, 6: undefined };
  if (d.gateway4 !== undefined) gw[4] = ipAddr(w, [...path, 'gateway4'], d.gateway4);
  if (d.gateway6 !== undefined) gw[6] = ipAddr(w, [...path, 'gateway6'], d.gateway6);
  if (gw[4] && familyOf(gw[4]) !== 4) fail(w, [...path, 'gateway4'], 'an IPv4 address', gw[4]);
  if (gw[6] && familyOf(gw[6]) !== 6) fail(w, [...path, 'gateway6'], 'an IPv6 address', gw[6]);
  for (const f of [4, 6] as const) {
    const key = `dhcp${f}`;
    const o = overrides(w, [...path, `${key}-overrides`], d[`${key}-overrides`], warnings);
    if (d[key] !== undefined && bool(w, [...path, key], d[key])) {
      const s: Subnet = { type: f === 4 ? 'dhcp4' : 'dhcp6', dns: emptyDns(), routes: [] };
      if (Object.keys(o).length > 0) s.overrides = o;
      subnets.push(s);
    }
  }
  list(w, [...path, 'addresses'], d.addresses).forEach((a, k) => {
    const c = cidr(w, [...path, 'addresses', k], a);
    if (c.prefix === null) fail(w, [...path, 'addresses', k], 'an address with /prefix', a);
    const family = familyOf(c.address);
    const s: Subnet = { type: 'static', family, address: c.address, prefix: c.prefix, dns: emptyDns(), routes: [] };
    // The gateway belongs to the first address of its family, as netplan applies it once.
    const g = gw[family];
    if (g !== undefined) {
      s.gateway = g;
      gw[family] = undefined;
    }
    subnets.push(s);
  });
  for (const f of [4, 6] as const) if (gw[f] !== undefined) fail(w, [...path, `gateway${f}`], `an IPv${f} address in addresses for the gateway to belong to`);
  // Routes and DNS are per device in v2. As in cloud-init, routes ride on the first
  // subnet and DNS on the first static address (else the first subnet), which is the
  // stanza ENI writes them on.
  if (subnets.length > 0) {
    (subnets.find((s) => s.type === 'static') ?? subnets[0]!).dns = dns;
    subnets[0]!.routes = routes;
  } else if (routes.length > 0) {
    fail(w, path, 'addresses, dhcp4 or dhcp6 for routes to apply to');
  } else if (dns.nameservers.length > 0 || dns.search.length > 0) {
    // cloud-init 25.1 accepts this and writes the device without them.
    warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'nameservers'].join('.')}: no addresses, dhcp4 or dhcp6 to apply them to, ignored`);
  }
  i.subnets = subnets;
  if (type === 'bond' || type === 'bridge') {
    const members = list(w, [...path, 'interfaces'], d.interfaces).map((m, k) => deviceRef(w, [...path, 'interfaces', k], ids, m));
    const p = d.parameters === undefined ? {} : record(w, [...path, 'parameters'], d.parameters);
    if (type === 'bond') {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(p)) {
        const kernel = BOND_PARAMS[k];
        if (kernel === undefined) {
          warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'parameters', k].join('.')}: not a bond parameter nimbus renders, ignored`);
          continue;
        }
        if (v === null || v === undefined || v === '') continue;
        params[kernel] = bondValue(w, [...path, 'parameters', k], v);
      }
      i.bond = { members, params };
    } else {
      i.bridge = { ports: members };
      for (const [k, v] of Object.entries(p)) {
        if (k === 'stp') i.bridge.stp = onOff(w, [...path, 'parameters', k], v);
        else warnings.push(`${w.source}: ${[...(w.base ?? []), ...path, 'parameters', k].join('.')}: not supported (only stp), ignored`);
      }
    }
  }
  checkDefaults(w, i, path);
  if (type === 'vlan') i.vlan = { link: deviceRef(w, [...path, 'link'], ids, d.link), id: int(w, [...path, 'id'], d.id, 1, 4094, 'a VLAN id') };
  return i;
}

// Sections cloud-init hands to netplan untouched (netplan renderer) and nimbus keeps as data.
const NETPLAN_ONLY: readonly NetplanOnlyKey[] = ['wifis', 'tunnels', 'vrfs', 'modems'];

// A passed-through value must stay one YAML value when re-emitted: no null (an empty
// value is written `{}` or `''` on purpose) and no control characters (a newline in a
// quoted scalar would fold or end it).
function plain(w: Where, path: FieldPath, v: unknown): PlainYaml {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(v)) fail(w, path, 'a value without control characters or newlines', v);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, k) => plain(w, [...path, k], x));
  if (typeof v === 'object' && v !== null) {
    const o: { [k: string]: PlainYaml } = {};
    for (const [k, x] of Object.entries(v)) {
      plain(w, [...path, k], k);
      o[k] = plain(w, [...path, k], x);
    }
    return o;
  }
  return fail(w, path, 'a string, number, boolean, list or mapping', v);
}

/** Parses a v2 document: `{version: 2, ethernets: ..., bonds: ..., vlans: ..., bridges: ...}`. */
export function parseV2(w: Where, doc: Record<string, unknown>): NetworkState {
  const state: NetworkState = { interfaces: [], routes: [], dns: emptyDns(), warnings: [] };
  const ids = new Map<string, string>();
  for (const key of Object.keys(doc)) {
    if ((NETPLAN_ONLY as readonly string[]).includes(key)) {
      if (doc[key] === undefined || doc[key] === null) continue;
      const devices = record(w, [key], doc[key]);
      const kept: { [id: string]: PlainYaml } = {};
      for (const [id, v] of Object.entries(devices)) kept[id] = plain(w, [key, id], v);
      (state.netplanOnly ??= []).push({ key: key as NetplanOnlyKey, at: locate(w, [key]), devices: kept });
    } else if (!['version', 'renderer', 'ethernets', 'bonds', 'bridges', 'vlans'].includes(key)) {
      fail(w, [key], 'version, renderer, ethernets, bonds, bridges, vlans, wifis, tunnels, vrfs or modems');
    }
  }
  for (const [section, type] of SECTIONS) {
    if (doc[section] === undefined || doc[section] === null) continue;
    const devs = record(w, [section], doc[section]);
    for (const [id, raw] of Object.entries(devs)) {
      const i = device(w, [section, id], id, record(w, [section, id], raw ?? {}), type, state.warnings!, ids);
      ids.set(id, i.name);
      state.interfaces.push(i);
    }
  }
  // Bonds, bridges and vlans refer to devices by id (resolved in deviceRef); a device of
  // a later section (a bridge port that is a VLAN) resolves here.
  for (const i of state.interfaces) {
    if (i.bond) i.bond.members = i.bond.members.map((m) => ids.get(m) ?? m);
    if (i.bridge) i.bridge.ports = i.bridge.ports.map((m) => ids.get(m) ?? m);
    if (i.vlan) i.vlan.link = ids.get(i.vlan.link) ?? i.vlan.link;
  }
  return finalizeState(w, state);
}
