// NWCS: found by DMI (sys_vendor "NWCS"), as cloud-init's ds-identify. One JSON
// document, http://169.254.169.254/api/v1/metadata: instance-id, hostname, SSH keys,
// user- and vendor-data, and network config v1 whose interfaces are renamed to the NIC
// holding their MAC, as cloud-init 25.x reads it.
import { isDict } from '../config/merge.js';
import { macToName, readNics } from '../net/sysfs.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { normalizeKeys } from './hetzner.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, MetadataClient, metadataSettings, parseJsonBody } from './http.js';
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

function optionalText(url: string, md: Dict, key: string): Uint8Array | null {
  const v = md[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new DatasourceError(`${url}: key ${key}: expected a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  return new Uint8Array(Buffer.from(v, 'utf8'));
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  if (!isNwcs(readPlatformFacts(host))) {
    log.debug('NWCS: DMI sys_vendor is not NWCS; not asking the metadata service');
    return null;
  }
  const raw = ctx.dsCfg['metadata_url'];
  let url = NWCS_METADATA_URL;
  if (raw !== undefined && raw !== null) {
    if (typeof raw === 'string' && /^https?:\/\/[^/\s]+/.test(raw)) url = raw;
    else log.warn(`datasource NWCS: metadata_url: ${JSON.stringify(raw)} is not an http(s) URL, using ${NWCS_METADATA_URL}`);
  }
  const s = metadataSettings(ctx.dsCfg, { urls: [url], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource NWCS: ${p}`);
  const client = new MetadataClient(
    s.budgetMs,
    { timeoutMs: s.timeoutMs, retries: s.retries },
    () => host.clock.monotonicMs(),
    (m) => log.debug(m),
  );
  let doc: unknown;
  try {
    doc = parseJsonBody(url, await client.get(url));
  } catch (e) {
    if (e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget')) {
      log.warn(`NWCS metadata service not reachable: ${e.message}`);
      return null;
    }
    throw new DatasourceError((e as Error).message);
  }
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc}`);
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
