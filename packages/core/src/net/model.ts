// One typed network state: every source (network_data.json, v1, v2, ENI, the kernel
// command line, the fallback) parses into it, and every renderer reads only it. It is
// plain data, so parsers and renderers are pure functions tested with plain values.

export type Family = 4 | 6;

export interface Route {
  /** Destination network address ("0.0.0.0" / "::" for the default route). */
  to: string;
  prefix: number;
  /** The gateway; absent for a route straight onto the link (no `via`/`gateway` given). */
  via?: string;
  metric?: number;
}

export interface Dns {
  nameservers: string[];
  search: string[];
}

export interface StaticSubnet {
  type: 'static';
  family: Family;
  address: string;
  prefix: number;
  gateway?: string;
  dns: Dns;
  routes: Route[];
}

/** What a DHCP lease may set, from v2 `dhcp4-overrides`/`dhcp6-overrides` (only the keys given). */
export interface DhcpOverrides {
  useDns?: boolean;
  useDomains?: boolean;
  useHostname?: boolean;
  useNtp?: boolean;
  useMtu?: boolean;
  useRoutes?: boolean;
  sendHostname?: boolean;
  hostname?: string;
  routeMetric?: number;
}

export interface DynamicSubnet {
  /** dhcp4, dhcp6 (stateful DHCPv6) or slaac (router advertisements only). */
  type: 'dhcp4' | 'dhcp6' | 'slaac';
  dns: Dns;
  routes: Route[];
  overrides?: DhcpOverrides;
}

export type Subnet = StaticSubnet | DynamicSubnet;

export type IfaceType = 'physical' | 'bond' | 'vlan' | 'bridge';

export interface Iface {
  name: string;
  type: IfaceType;
  /** Lower-case colon form; for physical NICs it is what the name is matched by. */
  mac?: string;
  mtu?: number;
  /** MTU for IPv6 alone (a v1 IPv6 subnet's `mtu`). */
  ipv6Mtu?: number;
  /** Configured but not raised at boot (a v1 subnet's `control: manual`). */
  manual?: boolean;
  subnets: Subnet[];
  acceptRa?: boolean;
  /** Wake-on-LAN by magic packet (v1/v2 `wakeonlan`); false is kept for netplan, which has the key. */
  wakeOnLan?: boolean;
  /** Bonds: members and kernel bonding options by their sysfs names (mode, miimon, xmit_hash_policy, ...). */
  bond?: { members: string[]; params: Record<string, string> };
  /** VLANs: the raw device and the tag. */
  vlan?: { link: string; id: number };
  /** Bridges: ports and STP. */
  bridge?: { ports: string[]; stp?: boolean };
  /** Set on bond members and bridge ports by `finalizeState`. */
  bondMaster?: string;
  bridgeMaster?: string;
}

export interface NetworkState {
  interfaces: Iface[];
  /** Routes not tied to one interface (v1 `type: route`). */
  routes: Route[];
  /** Global DNS (v1 `type: nameserver`, network_data.json dns services). */
  dns: Dns;
  /** Settings the source gave that nimbus does not carry over ("file: field: why"), logged as warnings. */
  warnings?: string[];
  /**
   * v2 sections only netplan itself understands (wifis, tunnels, vrfs, modems), kept as
   * given: the netplan renderer passes them through as cloud-init does, every other
   * renderer refuses the config naming `at`.
   */
  netplanOnly?: NetplanOnlySection[];
}

export type NetplanOnlyKey = 'wifis' | 'tunnels' | 'vrfs' | 'modems';

/** Plain YAML data (no null): what a passed-through section may hold. */
export type PlainYaml = string | number | boolean | PlainYaml[] | { [k: string]: PlainYaml };

export interface NetplanOnlySection {
  key: NetplanOnlyKey;
  /** "file:line:col" of the section's key, for the refusal. */
  at: string;
  devices: { [id: string]: PlainYaml };
}

/** What a network-config source says: a state, or `config: disabled`. */
export type NetworkConfig = { kind: 'disabled'; source: string } | { kind: 'state'; state: NetworkState; source: string };

export function emptyDns(): Dns {
  return { nameservers: [], search: [] };
}

export function isDefaultRoute(r: Route): boolean {
  return r.prefix === 0;
}

export function routeFamily(r: Route): Family {
  return r.to.includes(':') ? 6 : 4;
}

export function isDhcp(s: Subnet): s is DynamicSubnet {
  return s.type !== 'static';
}

/** Interfaces in name order: the order every renderer writes them in, so output is stable. */
export function byName(state: NetworkState): Iface[] {
  return [...state.interfaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function findIface(state: NetworkState, name: string): Iface | undefined {
  return state.interfaces.find((i) => i.name === name);
}

/** All DNS servers and search domains of the state, global first, without repeats. */
export function allDns(state: NetworkState): Dns {
  const ns: string[] = [...state.dns.nameservers];
  const search: string[] = [...state.dns.search];
  for (const i of state.interfaces) {
    for (const s of i.subnets) {
      for (const n of s.dns.nameservers) if (!ns.includes(n)) ns.push(n);
      for (const d of s.dns.search) if (!search.includes(d)) search.push(d);
    }
  }
  return { nameservers: ns, search };
}
