// netplan: /etc/netplan/50-cloud-init.yaml, mode 0600 (netplan warns about, and may
// refuse, world-readable files). DHCP is told not to set the host name.
import { byName, type DhcpOverrides, type Iface, type NetworkState } from '../model.js';
import { dhcpOverrides, header, noWarn, routesOf, statics, has, type Rendered, type Warn } from './common.js';
import { netplanApply } from './bring-up.js';
import { defineRenderer } from './types.js';
import { emitYaml, type Yaml } from './yaml-emit.js';

export const NETPLAN_PATH = '/etc/netplan/50-cloud-init.yaml';

const BOND_PARAMS: Record<string, string> = {
  mode: 'mode',
  miimon: 'mii-monitor-interval',
  xmit_hash_policy: 'transmit-hash-policy',
  primary: 'primary',
  lacp_rate: 'lacp-rate',
  updelay: 'up-delay',
  downdelay: 'down-delay',
  ad_select: 'ad-select',
  arp_interval: 'arp-interval',
  fail_over_mac: 'fail-over-mac-policy',
  primary_reselect: 'primary-reselect-policy',
  min_links: 'min-links',
  num_grat_arp: 'gratuitous-arp',
  arp_validate: 'arp-validate',
  arp_all_targets: 'arp-all-targets',
  all_slaves_active: 'all-slaves-active',
  packets_per_slave: 'packets-per-slave',
  resend_igmp: 'resend-igmp',
  lp_interval: 'learn-packet-interval',
};

const NUMERIC = new Set(['mii-monitor-interval', 'up-delay', 'down-delay', 'arp-interval', 'min-links', 'gratuitous-arp', 'packets-per-slave', 'resend-igmp', 'learn-packet-interval']);

function device(state: NetworkState, i: Iface, warn: Warn): { [k: string]: Yaml } {
  const d: { [k: string]: Yaml } = {};
  if (i.type === 'physical' && i.mac) {
    d.match = { macaddress: i.mac };
    d['set-name'] = i.name;
  } else if (i.mac) d.macaddress = i.mac;
  if (i.mtu !== undefined) d.mtu = i.mtu;
  if (i.wakeOnLan !== undefined) d.wakeonlan = i.wakeOnLan;
  if (i.bond) {
    d.interfaces = i.bond.members;
    const p: { [k: string]: Yaml } = {};
    for (const [k, v] of Object.entries(i.bond.params)) {
      // arp_ip_target is a list in netplan; options netplan has no key for
      // (use_carrier, ad_actor_system, ...) cannot be written here (docs/networking.md).
      if (k === 'arp_ip_target') {
        p['arp-ip-targets'] = v.split(',');
        continue;
      }
      const key = BOND_PARAMS[k];
      if (key === undefined) {
        warn(i.name, `bond parameter ${k}`, "netplan's bond parameters have no key for it");
        continue;
      }
      p[key] = NUMERIC.has(key) && /^\d+$/.test(v) ? Number(v) : key === 'all-slaves-active' ? v === '1' || v === 'true' : v;
    }
    if (Object.keys(p).length > 0) d.parameters = p;
  }
  if (i.bridge) {
    d.interfaces = i.bridge.ports;
    if (i.bridge.stp !== undefined) d.parameters = { stp: i.bridge.stp };
  }
  if (i.vlan) {
    d.id = i.vlan.id;
    d.link = i.vlan.link;
  }
  for (const type of ['dhcp4', 'dhcp6'] as const) {
    if (!has(i, type)) continue;
    d[type] = true;
    d[`${type}-overrides`] = overridesYaml(dhcpOverrides(i, type) ?? {});
  }
  // An explicit accept-ra wins; SLAAC alone needs router advertisements.
  if (i.acceptRa !== undefined) d['accept-ra'] = i.acceptRa;
  else if (has(i, 'slaac')) d['accept-ra'] = true;
  if (i.ipv6Mtu !== undefined) d['ipv6-mtu'] = i.ipv6Mtu;
  if (i.manual) d['activation-mode'] = 'manual';
  const addrs = statics(i).map((s) => `${s.address}/${s.prefix}`);
  if (addrs.length > 0) d.addresses = addrs;
  const routes: Yaml[] = [];
  for (const s of statics(i)) if (s.gateway) routes.push({ to: 'default', via: s.gateway });
  for (const r of routesOf(state, i)) {
    // `default` names no family, so a default route onto the link (no gateway to tell it)
    // is written as 0.0.0.0/0 or ::/0.
    const route: { [k: string]: Yaml } = { to: r.prefix === 0 && r.via !== undefined ? 'default' : `${r.to}/${r.prefix}` };
    // A route with no gateway goes straight onto the link: netplan wants that said.
    if (r.via !== undefined) route.via = r.via;
    else route.scope = 'link';
    if (r.metric !== undefined) route.metric = r.metric;
    routes.push(route);
  }
  if (routes.length > 0) d.routes = routes;
  const ns = [...new Set(i.subnets.flatMap((s) => s.dns.nameservers))];
  const search = [...new Set(i.subnets.flatMap((s) => s.dns.search))];
  // netplan has no global DNS: the global servers go with each statically configured
  // interface (DHCP ones get theirs from the DHCP server).
  if (statics(i).length > 0) {
    for (const n of state.dns.nameservers) if (!ns.includes(n)) ns.push(n);
    for (const n of state.dns.search) if (!search.includes(n)) search.push(n);
  }
  if (ns.length > 0 || search.length > 0) {
    const dns: { [k: string]: Yaml } = {};
    if (ns.length > 0) dns.addresses = ns;
    if (search.length > 0) dns.search = search;
    d.nameservers = dns;
  }
  return d;
}

// The host name comes from metadata, so use-hostname is false unless the config asked.
function overridesYaml(o: DhcpOverrides): { [k: string]: Yaml } {
  const y: { [k: string]: Yaml } = {};
  if (o.useDns !== undefined) y['use-dns'] = o.useDns;
  if (o.useDomains !== undefined) y['use-domains'] = o.useDomains;
  y['use-hostname'] = o.useHostname ?? false;
  if (o.useMtu !== undefined) y['use-mtu'] = o.useMtu;
  if (o.useNtp !== undefined) y['use-ntp'] = o.useNtp;
  if (o.useRoutes !== undefined) y['use-routes'] = o.useRoutes;
  if (o.sendHostname !== undefined) y['send-hostname'] = o.sendHostname;
  if (o.hostname !== undefined) y.hostname = o.hostname;
  if (o.routeMetric !== undefined) y['route-metric'] = o.routeMetric;
  return y;
}

export function renderNetplan(state: NetworkState, _distro?: string, warn: Warn = noWarn): Rendered {
  const sections: Record<string, { [k: string]: Yaml }> = { ethernets: {}, bonds: {}, bridges: {}, vlans: {} };
  const key = { physical: 'ethernets', bond: 'bonds', bridge: 'bridges', vlan: 'vlans' } as const;
  for (const i of byName(state)) sections[key[i.type]]![i.name] = device(state, i, warn);
  const network: { [k: string]: Yaml } = { version: 2 };
  for (const [k, v] of Object.entries(sections)) if (Object.keys(v).length > 0) network[k] = v;
  // Passed through as given, as cloud-init 25.1 does for a v2 config.
  for (const s of state.netplanOnly ?? []) network[s.key] = s.devices;
  const content = header('#') + 'network:' + emitYaml(network, 4);
  return new Map([[NETPLAN_PATH, { content, mode: 0o600 }]]);
}

export const netplan = defineRenderer({
  name: 'netplan',
  missing: (host) => (host.exec.has('netplan') ? null : 'needs the netplan command'),
  render: renderNetplan,
  owned: [{ dir: '/etc/netplan', match: /^50-cloud-init\.yaml$/ }],
  alsoWrites: [],
  bringUp: [netplanApply],
  // netplan's own systemd generator ran at early boot, before the local stage wrote the
  // YAML: without this networkd starts with no file for the NIC (as cloud-init does on
  // Debian and Ubuntu, whose renderer config sets postcmds).
  afterWrite: [['netplan', 'generate']],
});
