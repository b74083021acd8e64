// Alibaba Cloud (AliYun) ECS: found by DMI (product_name "Alibaba Cloud ECS"), as
// cloud-init's ds-identify. Its instance metadata service at http://100.100.100.200 is
// EC2-like with a token: PUT latest/api/token (X-aliyun-ecs-metadata-token-ttl-seconds)
// gives a token every later request carries (X-aliyun-ecs-metadata-token); then
// 2016-01-01/user-data, 2016-01-01/vendor-data and the whole meta-data as JSON at
// 2016-01-01/meta-data/all, as cloud-init 25.x reads them. Network config v2 from
// `network.interfaces.macs`: DHCP on every NIC it lists, by MAC, with route metrics.
import { isDict } from '../config/merge.js';
import { macToName, readNics } from '../net/sysfs.js';
import { fallbackNic } from '../net/sources/fallback.js';
import { decodeEc2Leaf } from './ec2.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { metadataClient } from './cloud-meta.js';

export const ALIYUN_PRODUCT = 'Alibaba Cloud ECS';
export const ALIYUN_URL = 'http://100.100.100.200';
export const ALIYUN_TOKEN_HEADER = 'X-aliyun-ecs-metadata-token';
export const ALIYUN_TOKEN_TTL_HEADER = 'X-aliyun-ecs-metadata-token-ttl-seconds';
const VERSION = '2016-01-01';

type Dict = Record<string, unknown>;

/** Whether DMI says Alibaba Cloud ECS. */
export function isAliYun(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.productName === ALIYUN_PRODUCT;
}

/** SSH keys from `public-keys` as cloud-init's parse_public_keys: each entry a key, a list, or `{openssh-key}`. */
export function aliyunKeys(v: unknown): string[] {
  if (!isDict(v)) return [];
  const keys: string[] = [];
  const add = (k: unknown) => {
    if (typeof k === 'string') keys.push(k.trim());
    else if (Array.isArray(k)) keys.push(...k.filter((x): x is string => typeof x === 'string'));
  };
  for (const body of Object.values(v)) {
    if (isDict(body)) add(body['openssh-key']);
    else add(body);
  }
  return keys;
}

/** Every leaf of meta-data/all decoded as an EC2 leaf is (JSON objects parsed, lines split), as cloud-init does. */
function decodeLeaves(v: unknown, url: string): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeLeaves(x, url));
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeLeaves(x, url)]));
  return typeof v === 'string' ? decodeEc2Leaf(new Uint8Array(Buffer.from(v, 'utf8')), url) : v;
}

/**
 * ECS `network` metadata as network config v2, as cloud-init's
 * convert_ecs_metadata_network_config: with `full` every NIC of this machine that
 * `interfaces.macs` lists gets DHCPv4 (and DHCPv6 when it has IPv6 addresses), matched
 * by MAC, route metric 100 per place in natural name order (none when there is one);
 * without, the fallback NIC alone. Throws naming the key when the shape is wrong.
 */
export function aliyunNetworkConfig(network: unknown, macs: ReadonlyMap<string, string>, primary: string | null, full: boolean): Dict {
  const ifaces = isDict(network) ? network['interfaces'] : undefined;
  const byMac = isDict(ifaces) ? ifaces['macs'] : undefined;
  if (!isDict(byMac)) throw new Error('network.interfaces.macs: expected an object keyed by MAC');
  const meta = (mac: string): Dict | undefined => {
    const m = byMac[mac] ?? byMac[mac.toUpperCase()];
    return isDict(m) ? m : undefined;
  };
  // cloud-init asks only whether `ipv6s` is there and not empty (a list, or the text of one).
  const hasV6 = (mac: string): boolean => {
    const v6 = meta(mac)?.['ipv6s'];
    return (Array.isArray(v6) && v6.length > 0) || (typeof v6 === 'string' && v6 !== '' && v6 !== '[]');
  };
  const ethernets: Dict = {};
  if (!full) {
    const entry = [...macs].find(([, name]) => name === primary);
    if (entry === undefined) throw new Error('no fallback network interface to configure');
    const [mac, name] = entry;
    ethernets[name] = { dhcp4: true, dhcp6: hasV6(mac), match: { macaddress: mac }, 'set-name': name };
    return { version: 2, ethernets };
  }
  const named = [...macs].filter(([mac]) => meta(mac) !== undefined).sort(([, a], [, b]) => a.localeCompare(b, 'en', { numeric: true }));
  named.forEach(([mac, name], i) => {
    const override = { 'route-metric': (i + 1) * 100 };
    const dev: Dict = { dhcp4: true, 'dhcp4-overrides': override, dhcp6: false, match: { macaddress: mac }, 'set-name': name };
    if (hasV6(mac)) {
      dev['dhcp6'] = true;
      dev['dhcp6-overrides'] = { ...override };
    }
    ethernets[name] = dev;
  });
  if (named.length === 1) {
    const only = ethernets[named[0]![1]] as Dict;
    delete only['dhcp4-overrides'];
    delete only['dhcp6-overrides'];
  }
  return { version: 2, ethernets };
}

/** The metadata without its `security-credentials` subtrees (instance role keys), and those apart: they go to the sensitive data only. */
export function splitSecrets(md: Dict): { open: Dict; secret: Dict } {
  const open: Dict = {};
  const secret: Dict = {};
  for (const [k, v] of Object.entries(md)) {
    if (k.replace(/\/+$/, '').endsWith('security-credentials')) secret[k] = v;
    else if (isDict(v)) {
      const inner = splitSecrets(v);
      open[k] = inner.open;
      if (Object.keys(inner.secret).length > 0) secret[k] = inner.secret;
    } else open[k] = v;
  }
  return { open, secret };
}

function unreachable(e: unknown): e is HttpError {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  if (!isAliYun(readPlatformFacts(host))) {
    log.debug(`AliYun: DMI product_name is not ${ALIYUN_PRODUCT}; not asking the metadata service`);
    return null;
  }
  const s = metadataSettings(ctx.dsCfg, { urls: [ALIYUN_URL], ...METADATA_DEFAULTS });
  for (const p of s.problems) log.warn(`datasource AliYun: ${p}`);
  const client = metadataClient(ctx, s);
  let base: string | null = null;
  let token = '';
  const failures: string[] = [];
  for (const u of s.urls) {
    const url = `${u}/latest/api/token`;
    try {
      const res = await client.request(url, { method: 'PUT', headers: { [ALIYUN_TOKEN_TTL_HEADER]: '21600' }, accept: [403] });
      if (res.status === 403) throw new DatasourceError(`${url}: HTTP 403: the ECS metadata service's HTTP endpoint is disabled`);
      token = bodyText(res.body).trim();
      base = u;
      break;
    } catch (e) {
      if (!unreachable(e)) throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
      failures.push(e.message);
    }
  }
  if (base === null) {
    log.warn(`AliYun metadata service not reachable: ${failures.join('; ')}`);
    return null;
  }
  const headers = { [ALIYUN_TOKEN_HEADER]: token };
  const item = async (name: string): Promise<Uint8Array | null> => {
    const url = `${base}/${VERSION}/${name}`;
    try {
      const res = await client.request(url, { headers, accept: [404] });
      return res.status === 404 || res.body.length === 0 ? null : res.body;
    } catch (e) {
      if (e instanceof HttpError && e.kind === 'too-large') throw new DatasourceError(e.message);
      // As cloud-init: an instance without it is still the instance.
      log.error(`AliYun: failed fetching ${name} from ${url}: ${(e as Error).message}`);
      return null;
    }
  };
  const userdata = await item('user-data');
  const vendordata = await item('vendor-data');
  const mdUrl = `${base}/${VERSION}/meta-data/all`;
  let md: unknown;
  try {
    md = decodeLeaves(parseJsonBody(mdUrl, await client.get(mdUrl, headers)), mdUrl);
  } catch (e) {
    if (unreachable(e)) {
      log.warn(`AliYun metadata service stopped answering: ${e.message}`);
      return null;
    }
    throw new DatasourceError((e as Error).message);
  }
  if (!isDict(md)) throw new DatasourceError(`${mdUrl}: expected a JSON object, got ${Array.isArray(md) ? 'an array' : md === null ? 'null' : typeof md}`);
  const iid = md['instance-id'];
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${mdUrl}: key instance-id: expected a non-empty string`);
  const hostname = md['hostname'] ?? 'localhost.localdomain';
  if (typeof hostname !== 'string') throw new DatasourceError(`${mdUrl}: key hostname: expected a string`);
  let networkConfig: DatasourceResult['networkConfig'] = null;
  if (isDict(md['network'])) {
    const fullCfg = ctx.dsCfg['apply_full_imds_network_config'];
    if (fullCfg !== undefined && typeof fullCfg !== 'boolean') log.warn(`datasource AliYun: apply_full_imds_network_config: ${JSON.stringify(fullCfg)} is not true or false, using true`);
    const nics = readNics(host.sysfs);
    try {
      const config = aliyunNetworkConfig(md['network'], macToName(nics), fallbackNic(nics)?.name ?? null, fullCfg !== false);
      networkConfig = { format: 'v2', config, source: `${mdUrl} (network)` };
    } catch (e) {
      log.error(`AliYun: no network config from ${mdUrl} (fallback networking applies): ${(e as Error).message}`);
    }
  } else log.warn(`AliYun: ${mdUrl}: no valid network key; fallback networking applies`);
  const { open, secret } = splitSecrets(md);
  const zone = md['availability-zone'] ?? md['availability_zone'] ?? (isDict(md['placement']) ? md['placement']['availability-zone'] : undefined);
  const result: DatasourceResult = {
    dsname: 'AliYun',
    description: 'DataSourceAliYun',
    cloudName: 'aliyun',
    platform: 'aliyun',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid,
    localHostname: hostname,
    publicKeys: aliyunKeys(md['public-keys']),
    metadata: open,
    userdata,
    vendordata,
    networkConfig,
  };
  if (typeof zone === 'string' && zone !== '') result.availabilityZone = zone;
  if (typeof md['region'] === 'string' && md['region'] !== '') result.region = md['region'];
  if (Object.keys(secret).length > 0) result.sensitive = { 'meta-data': secret };
  return result;
}

export const aliYunDatasource: Datasource = {
  name: 'AliYun',
  aliases: ['DataSourceAliYun', 'DataSourceAliYunLocal'],
  needs: 'net',
  order: 13,
  detectedBy: `DMI product_name \`${ALIYUN_PRODUCT}\``,
  detect(f) {
    if (isAliYun(f)) return { verdict: 'found', reason: `DMI product_name is ${ALIYUN_PRODUCT}` };
    return { verdict: 'not-found', reason: `DMI product_name "${f.dmi.productName ?? ''}" is not ${ALIYUN_PRODUCT}` };
  },
  network: { formats: ['v2'], from: '`network.interfaces.macs` of meta-data/all: DHCPv4 (DHCPv6 with IPv6 addresses) on each NIC listed, by MAC, route metric 100 per place' },
  options: [
    { ...METADATA_SERVICE_OPTIONS[0]!, default: `[${ALIYUN_URL}]` },
    ...METADATA_SERVICE_OPTIONS.slice(1),
    { key: 'apply_full_imds_network_config', meaning: '`false` configures only the fallback NIC, with DHCP', default: 'true' },
  ],
  find,
};
