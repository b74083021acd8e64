// NWCS: found by DMI (sys_vendor "NWCS"), as cloud-init's ds-identify. One JSON
// document, http://169.254.169.254/api/v1/metadata: instance-id, hostname, SSH keys,
// user- and vendor-data, and network config v1 whose interfaces are renamed to the NIC
// holding their MAC, as cloud-init 25.x reads it.
import { isDict } from '../config/merge.js';
import { macToName, readNics } from '../net/sysfs.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { METADATA_SERVICE_OPTIONS } from './http.js';
import { configuredUrl, fetchJsonObject, normalizeKeys, optionalText } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const NWCS_METADATA_URL = 'http://169.254.169.254/api/v1/metadata';

type Dict = Record<string, unknown>;

/** Whether DMI says NWCS (ds-identify's dmi_sys_vendor_is NWCS). */
export function isNwcs(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.sysVendor === 'NWCS';
}

/**
 * NWCS's `network` as the network config: version 1 as given, each entry with a
 * `mac_address` held by a NIC here named as that NIC (others keep their name), as
 * cloud-init does. Throws naming the key when there is no config list.
 */
export function nwcsNetworkConfig(network: unknown, macs: ReadonlyMap<string, string>): Dict {
  if (!isDict(network) || !Array.isArray(network['config']) || network['config'].length === 0) throw new Error('network.config: expected a non-empty list');
  const config = network['config'].map((e, i) => {
    if (!isDict(e)) throw new Error(`network.config[${i}]: expected an object`);
    const name = typeof e['mac_address'] === 'string' ? macs.get(e['mac_address'].toLowerCase()) : undefined;
    return name === undefined ? e : { ...e, name };
  });
  return { ...network, config };
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  if (!isNwcs(readPlatformFacts(host))) {
    log.debug('NWCS: DMI sys_vendor is not NWCS; not asking the metadata service');
    return null;
  }
  const url = configuredUrl(ctx, 'NWCS', 'metadata_url', NWCS_METADATA_URL);
  const doc = await fetchJsonObject(ctx, 'NWCS', url);
  if (doc === null) return null;
  const iid = doc['instance-id'];
  if ((typeof iid !== 'string' && typeof iid !== 'number') || String(iid).trim() === '') throw new DatasourceError(`${url}: key instance-id: expected a number or a non-empty string`);
  const hostname = doc['hostname'];
  if (typeof hostname !== 'string') throw new DatasourceError(`${url}: key hostname: expected a string`);
  let networkConfig: DatasourceResult['networkConfig'] = null;
  try {
    networkConfig = { format: 'v1', config: nwcsNetworkConfig(doc['network'], macToName(readNics(host.sysfs))), source: `${url} (network)` };
  } catch (e) {
    log.error(`NWCS: no network config from ${url} (fallback networking applies): ${(e as Error).message}`);
  }
  const result: DatasourceResult = {
    dsname: 'NWCS',
    description: 'DataSourceNWCS',
    cloudName: 'nwcs',
    platform: 'nwcs',
    subplatform: `metadata (${url})`,
    dsmode: 'net',
    instanceId: String(iid),
    publicKeys: normalizeKeys(doc['public-keys']),
    // cloud-init's metadata: the keys it takes, under its names.
    metadata: { 'instance-id': iid, 'public-keys': doc['public-keys'] ?? null, network: doc['network'] ?? null, 'local-hostname': hostname },
    userdata: optionalText(url, doc, 'userdata'),
    vendordata: optionalText(url, doc, 'vendordata'),
    networkConfig,
  };
  // The short name, as cloud-init's get_hostname gives local_hostname.
  const short = hostname.split('.')[0] as string;
  if (short !== '') result.localHostname = short;
  return result;
}

export const nwcsDatasource: Datasource = {
  name: 'NWCS',
  aliases: ['DataSourceNWCS'],
  needs: 'net',
  order: 27,
  detectedBy: 'DMI sys_vendor `NWCS`',
  detect(f) {
    if (isNwcs(f)) return { verdict: 'found', reason: 'DMI sys_vendor is NWCS' };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not NWCS` };
  },
  network: { formats: ['v1'], from: '`network` of api/v1/metadata, interfaces renamed to the NIC with their MAC' },
  options: [{ key: 'metadata_url', meaning: 'the metadata document URL', default: NWCS_METADATA_URL }, ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls')],
  find,
};
