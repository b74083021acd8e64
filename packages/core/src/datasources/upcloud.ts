// UpCloud: found by DMI (sys_vendor "UpCloud", the server UUID as the system UUID), as
// cloud-init's ds-identify. One JSON document, http://169.254.169.254/metadata/v1.json:
// instance id, hostname, SSH keys, region (the zone), user- and vendor-data, and the
// server's interfaces, which become network config v1 matched by MAC, as cloud-init
// 25.x reads them.
import { isDict } from '../config/merge.js';
import { macToName, readNics } from '../net/sysfs.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { METADATA_SERVICE_OPTIONS } from './http.js';
import { configuredUrl, fetchJsonObject, optionalText } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const UPCLOUD_METADATA_URL = 'http://169.254.169.254/metadata/v1.json';

type Dict = Record<string, unknown>;

/** Whether DMI says UpCloud (ds-identify's dmi_sys_vendor_is UpCloud). */
export function isUpCloud(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.sysVendor === 'UpCloud';
}

/** One of an interface's `ip_addresses` as a v1 subnet, as cloud-init's _get_subnet_config. */
function subnet(where: string, ip: unknown, dns: unknown): Dict {
  if (!isDict(ip)) throw new Error(`${where}: expected an object`);
  const v6 = ip['family'] === 'IPv6';
  if (ip['dhcp']) return { type: v6 ? 'ipv6_dhcpv6-stateless' : 'dhcp' };
  if (typeof ip['address'] !== 'string') throw new Error(`${where}.address: expected a string`);
  const out: Dict = { type: v6 ? 'static6' : 'static', control: 'auto', address: ip['address'] };
  if (ip['gateway']) out['gateway'] = ip['gateway'];
  const net = ip['network'];
  if (typeof net === 'string' && net.includes('/')) out['netmask'] = net.split('/')[1];
  const own = ip['dns'];
  // An address's own resolvers only when they differ from the server's.
  if (Array.isArray(own) && own.length > 0 && JSON.stringify(own) !== JSON.stringify(dns)) out['dns_nameservers'] = own;
  return out;
}

/**
 * UpCloud's `network` (interfaces by MAC, their addresses, the server's resolvers) as
 * network config v1, as cloud-init's convert_to_network_config_v1. Throws naming the
 * key when the shape is wrong or a MAC is on no NIC of this machine.
 */
export function upcloudNetworkConfig(network: unknown, macs: ReadonlyMap<string, string>): Dict {
  if (!isDict(network) || !Array.isArray(network['interfaces'])) throw new Error('network: expected an object with an interfaces list');
  const dns = network['dns'];
  const config: Dict[] = network['interfaces'].map((nic, i) => {
    const where = `network.interfaces[${i}]`;
    if (!isDict(nic)) throw new Error(`${where}: expected an object`);
    const mac = nic['mac'];
    const name = typeof mac === 'string' ? macs.get(mac.toLowerCase()) : undefined;
    if (name === undefined) throw new Error(`${where}.mac: no network interface on this machine has MAC ${JSON.stringify(mac)}`);
    const ips = nic['ip_addresses'];
    if (!Array.isArray(ips)) throw new Error(`${where}.ip_addresses: expected a list`);
    return { type: 'physical', name, mac_address: mac, subnets: ips.map((ip, j) => subnet(`${where}.ip_addresses[${j}]`, ip, dns)) };
  });
  if (Array.isArray(dns) && dns.length > 0) config.push({ type: 'nameserver', address: dns });
  return { version: 1, config };
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const facts = readPlatformFacts(host);
  if (!isUpCloud(facts)) {
    log.debug('UpCloud: DMI sys_vendor is not UpCloud; not asking the metadata service');
    return null;
  }
  const uuid = facts.dmi.productUuid;
  if (uuid === null) throw new DatasourceError('UpCloud: DMI says UpCloud but gives no server id (product_uuid is empty); contact UpCloud support');
  log.info(`Running on UpCloud. server_uuid=${uuid}`);
  const url = configuredUrl(ctx, 'UpCloud', 'metadata_url', UPCLOUD_METADATA_URL);
  const doc = await fetchJsonObject(ctx, 'UpCloud', url);
  if (doc === null) return null;
  const iid = doc['instance_id'] ?? uuid;
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${url}: key instance_id: expected a non-empty string`);
  const hostname = doc['hostname'];
  if (hostname !== undefined && hostname !== null && typeof hostname !== 'string') throw new DatasourceError(`${url}: key hostname: expected a string`);
  const region = doc['region'] ?? 'default';
  if (typeof region !== 'string') throw new DatasourceError(`${url}: key region: expected a string`);
  const keys = doc['public_keys'];
  if (keys !== undefined && keys !== null && typeof keys !== 'string' && !Array.isArray(keys)) throw new DatasourceError(`${url}: key public_keys: expected a list`);
  const publicKeys = typeof keys === 'string' ? keys.split(/\r?\n/).filter((k) => k !== '') : Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '') : [];
  let networkConfig: DatasourceResult['networkConfig'] = null;
  if (doc['network']) {
    try {
      networkConfig = { format: 'v1', config: upcloudNetworkConfig(doc['network'], macToName(readNics(host.sysfs))), source: `${url} (network)` };
    } catch (e) {
      log.error(`UpCloud: no network config from ${url} (fallback networking applies): ${(e as Error).message}`);
    }
  } else log.error(`UpCloud: ${url} has no network; fallback networking applies`);
  const result: DatasourceResult = {
    dsname: 'UpCloud',
    description: 'DataSourceUpCloud',
    cloudName: 'upcloud',
    platform: 'upcloud',
    subplatform: `metadata (${url})`,
    dsmode: 'net',
    instanceId: iid,
    availabilityZone: region,
    publicKeys,
    // cloud-init's metadata: the keys it takes, under its names.
    metadata: { 'instance-id': iid, 'local-hostname': hostname ?? null, network: doc['network'] ?? null, 'public-keys': keys ?? null, availability_zone: region },
    userdata: optionalText(url, doc, 'user_data'),
    vendordata: optionalText(url, doc, 'vendor_data'),
    networkConfig,
  };
  // The short name, as cloud-init's get_hostname gives local_hostname.
  const short = typeof hostname === 'string' ? (hostname.split('.')[0] as string) : '';
  if (short !== '') result.localHostname = short;
  return result;
}

export const upCloudDatasource: Datasource = {
  name: 'UpCloud',
  aliases: ['DataSourceUpCloud', 'DataSourceUpCloudLocal'],
  needs: 'net',
  order: 26,
  detectedBy: 'DMI sys_vendor `UpCloud`',
  detect(f) {
    if (isUpCloud(f)) return { verdict: 'found', reason: 'DMI sys_vendor is UpCloud' };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not UpCloud` };
  },
  network: { formats: ['v1'], from: '`network.interfaces` of metadata/v1.json (by MAC; DHCP, DHCPv6 stateless or static addresses) and `network.dns`' },
  options: [{ key: 'metadata_url', meaning: 'the metadata document URL', default: UPCLOUD_METADATA_URL }, ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls')],
  find,
  async currentInstanceId(ctx) {
    // The server id is the system UUID, as cloud-init's check_instance_id compares.
    const f = readPlatformFacts(ctx.host);
    return isUpCloud(f) ? (f.dmi.productUuid?.toLowerCase() ?? null) : null;
  },
};
