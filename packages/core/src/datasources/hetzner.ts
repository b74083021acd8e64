// Hetzner Cloud: found by DMI (sys_vendor "Hetzner", the server id as the product
// serial), as cloud-init's ds-identify. The metadata service gives YAML at
// http://169.254.169.254/hetzner/v1/metadata (instance-id, which must be the DMI serial,
// hostname, public-keys, network-config, vendor_data) and the user-data at .../userdata
// (base64-decoded when it is strictly base64), as cloud-init 25.x reads them.
import { isDict } from '../config/merge.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, bodyText, metadataSettings } from './http.js';
import { configuredUrl, metadataClient, normalizeKeys } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

const BASE_URL_V1 = 'http://169.254.169.254/hetzner/v1';
export const HETZNER_METADATA_URL = `${BASE_URL_V1}/metadata`;
export const HETZNER_USERDATA_URL = `${BASE_URL_V1}/userdata`;

/** Whether DMI says Hetzner (ds-identify's dmi_sys_vendor_is Hetzner). */
export function isHetzner(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.sysVendor === 'Hetzner';
}

/** The bytes base64-decoded when they are strictly base64 (no whitespace, right padding), else as they are: cloud-init's maybe_b64decode. */
export function maybeBase64(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body).toString('latin1');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return body;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function scalarText(v: unknown): string | null {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : null;
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const facts = readPlatformFacts(host);
  if (!isHetzner(facts)) {
    log.debug('Hetzner: DMI sys_vendor is not Hetzner; not asking the metadata service');
    return null;
  }
  const serial = facts.dmi.productSerial;
  if (serial === null) throw new DatasourceError('Hetzner Cloud detected, but no serial found (DMI product_serial is empty)');
  const mdUrl = configuredUrl(ctx, 'Hetzner', 'metadata_url', HETZNER_METADATA_URL);
  const udUrl = configuredUrl(ctx, 'Hetzner', 'userdata_url', HETZNER_USERDATA_URL);
  const s = metadataSettings(ctx.dsCfg, { urls: [BASE_URL_V1], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource Hetzner: ${p}`);
  const client = metadataClient(ctx, s);
  let mdBody: Uint8Array;
  let udBody: Uint8Array;
  try {
    mdBody = await client.get(mdUrl);
    udBody = await client.get(udUrl);
  } catch (e) {
    if (e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget')) {
      log.warn(`Hetzner metadata service not reachable: ${e.message}`);
      return null;
    }
    throw new DatasourceError((e as Error).message);
  }
  let doc: unknown;
  try {
    doc = loadYaml(bodyText(mdBody), mdUrl).value;
  } catch (e) {
    if (e instanceof YamlError) throw new DatasourceError(e.message);
    throw e;
  }
  if (!isDict(doc)) throw new DatasourceError(`${mdUrl}: expected a YAML mapping, got ${Array.isArray(doc) ? 'a list' : doc === null ? 'nothing' : typeof doc}`);
  const iid = scalarText(doc['instance-id']);
  if (iid === null || iid === '') throw new DatasourceError(`${mdUrl}: key instance-id: expected a number or a string`);
  const hostname = scalarText(doc['hostname']);
  if (hostname === null) throw new DatasourceError(`${mdUrl}: key hostname: expected a string`);
  if (iid !== serial) throw new DatasourceError(`${mdUrl}: SMBIOS serial ${JSON.stringify(serial)} does not match instance-id ${JSON.stringify(iid)} from metadata`);
  const vendor = doc['vendor_data'];
  if (vendor !== undefined && vendor !== null && typeof vendor !== 'string') throw new DatasourceError(`${mdUrl}: key vendor_data: expected a string`);
  const md: Record<string, unknown> = {
    'instance-id': doc['instance-id'],
    'local-hostname': doc['hostname'],
    'network-config': doc['network-config'] ?? null,
    'public-keys': doc['public-keys'] ?? null,
  };
  let networkConfig: DatasourceResult['networkConfig'] = null;
  const net = doc['network-config'];
  if (isDict(net) && (net['version'] === 1 || net['version'] === 2)) {
    networkConfig = { format: net['version'] === 1 ? 'v1' : 'v2', config: net, source: `${mdUrl} (network-config)` };
  } else if (net === undefined || net === null) {
    log.error(`Hetzner: ${mdUrl} has no network-config; fallback networking applies`);
  } else {
    log.error(`Hetzner: ${mdUrl}: network-config is not network config version 1 or 2; fallback networking applies`);
  }
  const result: DatasourceResult = {
    dsname: 'Hetzner',
    description: 'DataSourceHetzner',
    cloudName: 'hetzner',
    platform: 'hetzner',
    subplatform: `metadata (${mdUrl})`,
    dsmode: 'net',
    instanceId: iid,
    publicKeys: normalizeKeys(doc['public-keys']),
    metadata: md,
    userdata: maybeBase64(udBody),
    vendordata: typeof vendor === 'string' ? new Uint8Array(Buffer.from(vendor, 'utf8')) : null,
    networkConfig,
  };
  // The short name, as cloud-init's get_hostname gives local_hostname.
  const short = hostname.split('.')[0] as string;
  if (short !== '') result.localHostname = short;
  return result;
}

export const hetznerDatasource: Datasource = {
  name: 'Hetzner',
  aliases: ['DataSourceHetzner'],
  needs: 'net',
  order: 21,
  detectedBy: 'DMI sys_vendor `Hetzner`',
  detect(f) {
    if (isHetzner(f)) return { verdict: 'found', reason: 'DMI sys_vendor is Hetzner' };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not Hetzner` };
  },
  network: { formats: ['v1', 'v2'], from: '`network-config` in `hetzner/v1/metadata`' },
  options: [
    { key: 'metadata_url', meaning: 'the metadata (YAML) URL', default: HETZNER_METADATA_URL },
    { key: 'userdata_url', meaning: 'the user-data URL', default: HETZNER_USERDATA_URL },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
  ],
  find,
  async currentInstanceId(ctx) {
    // The server id is the DMI serial, as cloud-init's check_instance_id compares.
    const f = readPlatformFacts(ctx.host);
    return isHetzner(f) ? f.dmi.productSerial : null;
  },
};
