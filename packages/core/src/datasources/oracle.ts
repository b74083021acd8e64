// Oracle Cloud Infrastructure: found by DMI (chassis asset tag "OracleCloud.com", as
// cloud-init's ds-identify); the instance metadata service at
// http://169.254.169.254/opc/v2/instance/ (every request with
// `Authorization: Bearer Oracle`), falling back to the older /opc/v1/ without the header,
// as cloud-init 25.x reads it. The instance id, availability domain, hostname and
// display name are required; SSH keys and base64 user-data come from its `metadata`.
// With `configure_secondary_nics: true` the VNICs (`vnics/`, with the same header) are
// the network config: the primary by DHCP and the secondary ones static
// (oracle-vnics.ts). Otherwise, and on an iSCSI root (whose initramfs network config
// nimbus does not read), fallback networking applies.
import { isDict } from '../config/merge.js';
import { macToName, readNics } from '../net/sysfs.js';
import { oracleVnicConfig } from './oracle-vnics.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, metadataSettings, parseJsonBody } from './http.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { metadataClient } from './cloud-meta.js';

export const ORACLE_CHASSIS_ASSET_TAG = 'OracleCloud.com';
export const ORACLE_V2_HEADERS = { Authorization: 'Bearer Oracle' } as const;
const DEFAULT_URLS = ['http://169.254.169.254', 'http://[fd00:c1::a9fe:a9fe]'];

/** Whether DMI says Oracle Cloud (cloud-init's _is_platform_viable). */
export function isOracle(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.chassisAssetTag === ORACLE_CHASSIS_ASSET_TAG;
}

/** SSH keys as cloud-init's normalize_pubkey_data reads them: a string's lines, a list's items. */
export function oracleKeys(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/\r\n|\n|\r/).filter((l, i, a) => !(l === '' && i === a.length - 1));
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  return [];
}

/** The versioned base an instance URL was read from: "http://169.254.169.254/opc/v2/". */
function versionedBase(url: string): string {
  return url.slice(0, url.length - 'instance/'.length);
}

function unreachable(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget' || e.kind === 'status');
}

/** The instance document at the first URL that answers: v2 (with its header) before v1, each root in turn. */
async function readInstance(client: MetadataClient, roots: readonly string[], debug: (m: string) => void): Promise<{ url: string; doc: unknown } | { failures: string[] }> {
  const failures: string[] = [];
  for (const version of [2, 1] as const) {
    for (const root of roots) {
      const url = `${root}/opc/v${version}/instance/`;
      try {
        const res = await client.request(url, version === 2 ? { headers: { ...ORACLE_V2_HEADERS } } : {});
        return { url, doc: parseJsonBody(url, res.body) };
      } catch (e) {
        // Another version or address may still answer; a broken answer is not worth another.
        if (!unreachable(e)) throw e;
        failures.push((e as Error).message);
        debug(`Oracle: ${(e as Error).message}`);
        if ((e as HttpError).kind === 'budget') return { failures };
      }
    }
  }
  return { failures };
}

function required(url: string, doc: Record<string, unknown>, key: string): string {
  const v = doc[key];
  if (typeof v !== 'string' || v === '') throw new DatasourceError(`${url}: key ${key}: expected a non-empty string, got ${v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 80)}`);
  return v;
}

/**
 * The VNICs as network config, from the same versioned base as the instance document;
 * null (fallback networking, with a warning) when they cannot be had.
 */
async function readVnics(ctx: DatasourceContext, client: MetadataClient, base: string): Promise<DatasourceResult['networkConfig']> {
  const { host, log } = ctx;
  // An iSCSI root (bare metal) has its primary NIC from the initramfs (/run/net-*.conf),
  // which cloud-init reads and nimbus does not: reconfiguring that NIC could cut the root disk off.
  if (host.fs.list('/run').some((n) => /^net6?-.+\.conf$/.test(n))) {
    log.warn("Oracle: not supported: an iSCSI root's initramfs network config (/run/net-*.conf); the VNICs are not configured, fallback networking applies");
    return null;
  }
  const url = `${base}vnics/`;
  let doc: unknown;
  try {
    const res = await client.request(url, base.endsWith('/opc/v2/') ? { headers: { ...ORACLE_V2_HEADERS } } : {});
    doc = parseJsonBody(url, res.body);
  } catch (e) {
    log.warn(`Oracle: no VNICs (fallback networking applies): ${(e as Error).message}`);
    return null;
  }
  try {
    return { format: 'v1', config: oracleVnicConfig(doc, macToName(readNics(host.sysfs)), (m) => log.warn(m)), source: url };
  } catch (e) {
    log.warn(`Oracle: ${url}: ${(e as Error).message}; fallback networking applies`);
    return null;
  }
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { log, host } = ctx;
  if (!isOracle(readPlatformFacts(host))) {
    log.debug(`Oracle: DMI chassis asset tag is not ${ORACLE_CHASSIS_ASSET_TAG}; not asking the metadata service`);
    return null;
  }
  const s = metadataSettings(ctx.dsCfg, { urls: DEFAULT_URLS, ...METADATA_DEFAULTS });
  for (const p of s.problems) log.warn(`datasource Oracle: ${p}`);
  const client = metadataClient(ctx, s);
  let read: Awaited<ReturnType<typeof readInstance>>;
  try {
    read = await readInstance(client, s.urls, (m) => log.debug(m));
  } catch (e) {
    throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
  }
  if (!('url' in read)) {
    log.warn(`Oracle: no metadata service answered: ${read.failures.join('; ')}`);
    return null;
  }
  const { url, doc } = read;
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : typeof doc}`);
  const iid = required(url, doc, 'id');
  const ad = required(url, doc, 'ociAdName');
  const hostname = required(url, doc, 'hostname');
  const md: Record<string, unknown> = {
    'availability-zone': ad,
    'instance-id': iid,
    'launch-index': 0,
    'local-hostname': hostname,
    name: required(url, doc, 'displayName'),
  };
  let userdata: Uint8Array | null = null;
  let publicKeys: string[] = [];
  if ('metadata' in doc) {
    const m = doc['metadata'];
    if (!isDict(m)) throw new DatasourceError(`${url}: key metadata: expected an object`);
    const ud = m['user_data'];
    if (ud !== undefined && ud !== null && ud !== '') {
      if (typeof ud !== 'string') throw new DatasourceError(`${url}: key metadata.user_data: expected a base64 string`);
      const compact = ud.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new DatasourceError(`${url}: key metadata.user_data: not base64`);
      userdata = new Uint8Array(Buffer.from(compact, 'base64'));
    }
    const keys = m['ssh_authorized_keys'];
    if (keys !== undefined && keys !== null && typeof keys !== 'string' && !Array.isArray(keys)) throw new DatasourceError(`${url}: key metadata.ssh_authorized_keys: expected a string or a list`);
    md['public_keys'] = keys ?? null;
    publicKeys = oracleKeys(keys);
  }
  const base = versionedBase(url);
  const networkConfig = ctx.dsCfg['configure_secondary_nics'] === true ? await readVnics(ctx, client, base) : null;
  const result: DatasourceResult = {
    dsname: 'Oracle',
    description: 'DataSourceOracle',
    cloudName: 'oracle',
    platform: 'oracle',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid,
    publicKeys,
    metadata: md,
    userdata,
    vendordata: null,
    networkConfig,
    availabilityZone: ad,
  };
  // The short name, as cloud-init's get_hostname gives local_hostname.
  const short = hostname.split('.')[0] as string;
  if (short !== '') result.localHostname = short;
  return result;
}

export const oracleDatasource: Datasource = {
  name: 'Oracle',
  aliases: ['DataSourceOracle', 'DataSourceOracleNet'],
  needs: 'net',
  order: 23,
  detectedBy: `DMI chassis asset tag \`${ORACLE_CHASSIS_ASSET_TAG}\``,
  detect(f) {
    if (isOracle(f)) return { verdict: 'found', reason: `DMI chassis asset tag is ${ORACLE_CHASSIS_ASSET_TAG}` };
    return { verdict: 'not-found', reason: `DMI chassis asset tag "${f.dmi.chassisAssetTag ?? ''}" is not ${ORACLE_CHASSIS_ASSET_TAG}` };
  },
  network: {
    formats: ['v1'],
    from: "with `configure_secondary_nics: true`, the VNICs (`<base>/vnics/`): the primary by DHCP, the others static, MTU 9000; else fallback networking (an iSCSI root's /run/net-*.conf is not read)",
  },
  options: [
    { key: 'metadata_urls', meaning: 'service roots tried in order, each as /opc/v2/ (with `Authorization: Bearer Oracle`) and then /opc/v1/', default: `[${DEFAULT_URLS.join(', ')}]` },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
    { key: 'configure_secondary_nics', meaning: 'the VNICs from the metadata service are the network config (primary DHCP, secondary static)', default: 'false' },
  ],
  find,
};
