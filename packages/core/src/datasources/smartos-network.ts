// SmartOS's sdc:nics (with sdc:resolvers, sdc:dns_domain and sdc:routes) as network
// config v1, as cloud-init converts them: one physical entry per NIC (interface → name,
// mac → mac_address, mtu), one subnet per entry of `ips` ("dhcp" → dhcp4, "addrconf" →
// dhcp6, else static with the NIC's own subnet keys), the first gateway of each family
// only on the primary NIC, every sdc:routes route on every static subnet, and the
// resolvers as a nameserver entry.
import { isDict } from '../config/merge.js';

const PHYSICAL_KEYS = ['mac_address', 'mtu', 'name', 'params', 'subnets', 'type'];
const SUBNET_KEYS = ['address', 'broadcast', 'dns_nameservers', 'dns_search', 'metric', 'pointopoint', 'routes', 'scope', 'type'];
const ROUTE_KEYS = ['network', 'gateway'];

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
const asList = (v: unknown): unknown[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** Throws a message naming the key when the data has the wrong shape. */
export function smartosNetworkConfig(nics: unknown, resolvers: unknown, dnsDomain: unknown, routes: unknown): { version: 1; config: Record<string, unknown>[] } {
  if (!Array.isArray(nics)) throw new Error('sdc:nics: expected a list of NICs');
  const routeList = asList(routes);
  const gw: Record<'ipv4' | 'ipv6', string | null> = { ipv4: null, ipv6: null };
  const config: Record<string, unknown>[] = [];
  nics.forEach((nic, i) => {
    if (!isDict(nic)) throw new Error(`sdc:nics[${i}]: expected an object`);
    if (typeof nic['interface'] !== 'string' || nic['interface'] === '') throw new Error(`sdc:nics[${i}].interface: missing or not a string`);
    const cfg: Record<string, unknown> = { ...pick(nic, PHYSICAL_KEYS), type: 'physical', name: nic['interface'] };
    if ('mac' in nic) cfg['mac_address'] = nic['mac'];
    const ips = nic['ips'] ?? [];
    if (!Array.isArray(ips)) throw new Error(`sdc:nics[${i}].ips: expected a list`);
    const subnets: Record<string, unknown>[] = [];
    ips.forEach((ip, j) => {
      if (typeof ip !== 'string') throw new Error(`sdc:nics[${i}].ips[${j}]: expected a string`);
      if (ip === 'dhcp') return void subnets.push({ type: 'dhcp4' });
      if (ip === 'addrconf') return void subnets.push({ type: 'dhcp6' });
      const subnet: Record<string, unknown> = { ...pick(nic, SUBNET_KEYS), type: 'static', address: ip };
      const proto = ip.includes('.') ? 'ipv4' : 'ipv6';
      if (nic['primary'] === true && gw[proto] === null) {
        const gateways = asList(nic['gateways']).filter((g): g is string => typeof g === 'string' && g.includes(proto === 'ipv4' ? '.' : ':'));
        if (gateways.length > 0) {
          gw[proto] = gateways[0] as string;
          subnet['gateway'] = gw[proto];
        }
      }
      const routeEntries = routeList.map((r, k) => {
        if (!isDict(r) || typeof r['dst'] !== 'string') throw new Error(`sdc:routes[${k}]: expected an object with "dst"`);
        return { ...pick(r, ROUTE_KEYS), network: r['dst'] };
      });
      if (routeEntries.length > 0) subnet['routes'] = routeEntries;
      subnets.push(subnet);
    });
    cfg['subnets'] = subnets;
    config.push(cfg);
  });
  const servers = asList(resolvers);
  if (servers.length > 0) config.push({ type: 'nameserver', address: servers, search: asList(dnsDomain) });
  return { version: 1, config };
}
