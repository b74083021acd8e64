// The EC2 instance metadata service, IMDSv2: a session token from PUT latest/api/token
// (with its TTL header), then every GET carries it. The meta-data tree is crawled
// (bounded in requests and depth), with user-data and the instance identity document.
// IMDSv1 (no token) only when datasource.Ec2.allow_imdsv1 is true. Credentials found in
// the tree (security-credentials) go to the sensitive data only, never to metadata.
import { hasKey, setKey } from '../util/object.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, bodyText, metadataSettings } from './http.js';
import { jsonDepthProblem } from '../util/json.js';
import { SEED_DIR, readPlatformFacts, type PlatformFacts } from './facts.js';
import { Ec2NetworkShapeError, ec2NetworkConfig } from './ec2-network.js';
import { macToName, readNics } from '../net/sysfs.js';
import { fallbackNic } from '../net/sources/fallback.js';
import { metadataClient } from './cloud-meta.js';

export const EC2_DEFAULT_URL = 'http://169.254.169.254';
/** The IPv6 endpoint (Nitro instances with the IPv6 IMDS endpoint turned on), asked after the IPv4 one. */
export const EC2_DEFAULT_URL_V6 = 'http://[fd00:ec2::254]';
export const EC2_TOKEN_PATH = 'latest/api/token';
export const EC2_TOKEN_TTL_HEADER = 'X-aws-ec2-metadata-token-ttl-seconds';
export const EC2_TOKEN_HEADER = 'X-aws-ec2-metadata-token';
const TOKEN_TTL_SECONDS = '21600';

/** The EC2-compatible cloud DMI identifies ("AWS", "Brightbox", ...), or null. */
export function ec2Platform(f: PlatformFacts): string | null {
  const { productSerial: serial, chassisAssetTag: tag, sysVendor: vendor, productName: product, productUuid: uuid } = f.dmi;
  if (serial?.endsWith('.brightbox.com')) return 'Brightbox';
  if (tag?.endsWith('.zstack.io')) return 'ZStack';
  if (vendor === 'e24cloud') return 'E24cloud';
  if (product === '3DS Outscale VM' && vendor === '3DS Outscale') return 'Outscale';
  if (f.hypervisorUuid?.startsWith('ec2')) return 'AWS';
  if (uuid && serial && /^ec2/i.test(uuid) && /^ec2/i.test(serial) && uuid.toLowerCase() === serial.toLowerCase()) return 'AWS';
  return null;
}

/** API versions nimbus reads, newest first; the oldest is what every IMDS has. */
export const EC2_VERSIONS = ['2021-03-23', '2018-09-24', '2016-09-02', '2009-04-04'] as const;

const MAX_REQUESTS = 500;
const MAX_DEPTH = 10;
/** Keys whose subtrees are credentials. */
const SECRET_KEYS = ['security-credentials'];

/** A crawled tree: directories are nested trees; leaves are strings, lists of lines or parsed JSON. */
export type Ec2Tree = { [key: string]: unknown };

/** Picks the newest supported version in the service's root listing, else "latest". */
export function chooseEc2Version(listed: readonly string[]): string {
  const have = new Set(listed.map((l) => l.trim().replace(/\/$/, '')));
  return EC2_VERSIONS.find((v) => have.has(v)) ?? 'latest';
}

/**
 * One IMDS directory listing: "name/" lines are subdirectories; other lines are leaves,
 * where "0=my-key" (public-keys) names the leaf "my-key" found at "0/openssh-key".
 */
export function parseEc2Listing(text: string): { leaves: Map<string, string>; children: string[] } {
  const leaves = new Map<string, string>();
  const children: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === '/') continue;
    if (line.endsWith('/')) {
      const name = line.replace(/\/+$/, '');
      if (!children.includes(name)) children.push(name);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && /^\d+$/.test(line.slice(0, eq))) leaves.set(line.slice(eq + 1), `${line.slice(0, eq)}/openssh-key`);
    else leaves.set(line, line);
  }
  return { leaves, children };
}

/**
 * A leaf's value: JSON objects parsed, multi-line text as a list of lines, else the text.
 * JSON nested deeper than the limit is an error naming the URL, line and column.
 */
export function decodeEc2Leaf(body: Uint8Array, url = '(metadata leaf)'): unknown {
  const text = bodyText(body);
  if (text.startsWith('{')) {
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // not JSON after all: keep the text
    }
    if (parsed) {
      const deep = jsonDepthProblem(text);
      if (deep !== null) throw new HttpError(url, 'invalid', `JSON (${body.length} bytes) at line ${deep.line} col ${deep.col}: ${deep.reason}`);
      return value;
    }
  }
  if (text.includes('\n')) return text.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));
  return text;
}

/** Region from an availability zone: "us-east-1a" -> "us-east-1". */
export function regionFromZone(az: string): string | undefined {
  const m = /^([a-z]+-[a-z-]+-\d+)[a-z]+$/.exec(az);
  return m ? m[1] : undefined;
}

class Imds {
  private token: string | null = null;
  private requests = 0;

  constructor(
    private readonly client: MetadataClient,
    readonly base: string,
    private readonly v1: boolean,
  ) {}

  /** Gets a token; false when the service has no token API (only possible with IMDSv1 allowed). */
  async fetchToken(): Promise<boolean> {
    const url = `${this.base}/${EC2_TOKEN_PATH}`;
    const res = await this.client.request(url, { method: 'PUT', headers: { [EC2_TOKEN_TTL_HEADER]: TOKEN_TTL_SECONDS }, accept: [400, 403, 404, 405] });
    if (res.status === 200 || (res.status > 200 && res.status < 300)) {
      this.token = bodyText(res.body).trim();
      return true;
    }
    if (res.status === 403) throw new DatasourceError(`${url}: HTTP 403: the instance metadata service refuses tokens (disabled, or the PUT hop limit is too low)`);
    if (!this.v1) {
      throw new DatasourceError(`${url}: HTTP ${res.status}: no IMDSv2 token API, and IMDSv1 is not allowed (set datasource.Ec2.allow_imdsv1: true to use it)`);
    }
    return false;
  }

  private headers(): Record<string, string> | undefined {
    return this.token === null ? undefined : { [EC2_TOKEN_HEADER]: this.token };
  }

  /** GET with the token; a 401 (token expired) gets one fresh token and one more try. Null on 404. */
  async get(path: string): Promise<Uint8Array | null> {
    if (++this.requests > MAX_REQUESTS) throw new DatasourceError(`${this.base}: more than ${MAX_REQUESTS} metadata requests, stopping`);
    const url = `${this.base}/${path}`;
    let res = await this.client.request(url, { headers: this.headers(), accept: [401, 404] });
    if (res.status === 401 && this.token !== null) {
      await this.fetchToken();
      res = await this.client.request(url, { headers: this.headers(), accept: [401, 404] });
    }
    if (res.status === 401) throw new HttpError(url, 'status', 'HTTP 401: token refused', 401);
    return res.status === 404 ? null : res.body;
  }

  /** Crawls a directory ("latest/meta-data/"), putting credential subtrees into `secrets`. */
  async crawl(path: string, secrets: Ec2Tree, depth = 0): Promise<Ec2Tree> {
    if (depth > MAX_DEPTH) throw new DatasourceError(`${this.base}/${path}: metadata tree deeper than ${MAX_DEPTH}`);
    const body = await this.get(path);
    const out: Ec2Tree = {};
    if (body === null) return out;
    const { leaves, children } = parseEc2Listing(bodyText(body));
    for (const child of children) {
      if (!isSafeName(child)) continue;
      if (SECRET_KEYS.includes(child)) {
        setKey(secrets, child, await this.crawl(`${path}${child}/`, {}, depth + 1));
        continue;
      }
      const sub: Ec2Tree = {};
      setKey(out, child, await this.crawl(`${path}${child}/`, sub, depth + 1));
      if (Object.keys(sub).length > 0) setKey(secrets, child, sub);
    }
    for (const [name, rel] of leaves) {
      if (!isSafeName(name) || !rel.split('/').every(isSafeName) || hasKey(out, name)) continue;
      const leaf = await this.get(`${path}${rel}`);
      if (leaf === null) continue;
      setKey(SECRET_KEYS.includes(name) ? secrets : out, name, decodeEc2Leaf(leaf, `${this.base}/${path}${rel}`));
    }
    return out;
  }
}

/**
 * Crawls an EC2-style meta-data tree without a token, as Nova's EC2-compatible
 * metadata serves it beside /openstack (block-device-mapping for the mounts module).
 * 404 on the top means there is none: an empty tree.
 */
export async function crawlEc2MetaData(client: MetadataClient, base: string, version = '2009-04-04'): Promise<{ tree: Ec2Tree; secrets: Ec2Tree }> {
  const secrets: Ec2Tree = {};
  const tree = await new Imds(client, base, true).crawl(`${version}/meta-data/`, secrets);
  return { tree, secrets };
}

function isSafeName(n: string): boolean {
  return n !== '' && n !== '.' && n !== '..' && !/[?#\s]/.test(n);
}

function unreachable(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

async function readFromBase(ctx: DatasourceContext, client: MetadataClient, base: string, v1: boolean, cloudName: string): Promise<DatasourceResult> {
  const imds = new Imds(client, base, v1);
  const tokened = await imds.fetchToken();
  ctx.log.debug(`Ec2: ${tokened ? 'IMDSv2 token received' : 'no token API, using IMDSv1'} from ${base}`);
  try {
    return await crawlAll(ctx, imds, base, cloudName);
  } catch (e) {
    // The service answered the token request: from here on a failure is a broken source, not an absent one.
    throw e instanceof HttpError ? new DatasourceError(e.message) : e;
  }
}

async function crawlAll(ctx: DatasourceContext, imds: Imds, base: string, cloudName: string): Promise<DatasourceResult> {
  const root = await imds.get('');
  const version = root === null ? 'latest' : chooseEc2Version(bodyText(root).split('\n'));
  const secrets: Ec2Tree = {};
  const meta = await imds.crawl(`${version}/meta-data/`, secrets);
  const iid = meta['instance-id'];
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${base}/${version}/meta-data/instance-id: missing or empty`);
  const userdata = await imds.get(`${version}/user-data`);
  const docBody = await imds.get(`${version}/dynamic/instance-identity/document`);
  let doc: Record<string, unknown> = {};
  if (docBody !== null) {
    const d = decodeEc2Leaf(docBody, `${base}/${version}/dynamic/instance-identity/document`);
    if (d !== null && typeof d === 'object' && !Array.isArray(d)) doc = d as Record<string, unknown>;
    else ctx.log.warn(`${base}/${version}/dynamic/instance-identity/document: not a JSON object, ignored`);
  }
  const placement = meta['placement'] as Ec2Tree | undefined;
  const az = (typeof placement?.['availability-zone'] === 'string' ? placement['availability-zone'] : undefined) ?? (typeof doc['availabilityZone'] === 'string' ? doc['availabilityZone'] : undefined);
  const region =
    (typeof doc['region'] === 'string' ? doc['region'] : undefined) ?? (typeof placement?.['region'] === 'string' ? placement['region'] : undefined) ?? (az ? regionFromZone(az) : undefined);
  const keys = meta['public-keys'];
  const publicKeys: string[] = [];
  if (keys && typeof keys === 'object' && !Array.isArray(keys)) {
    for (const v of Object.values(keys as Ec2Tree)) {
      if (typeof v === 'string') publicKeys.push(v.trim());
      else if (Array.isArray(v)) publicKeys.push(...v.filter((x): x is string => typeof x === 'string' && x.trim() !== ''));
    }
  }
  const result: DatasourceResult = {
    dsname: 'Ec2',
    description: 'DataSourceEc2',
    cloudName,
    platform: 'ec2',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid.trim(),
    publicKeys,
    metadata: meta,
    userdata,
    vendordata: null,
    networkConfig: imdsNetworkConfig(ctx, meta, `${base}/${version}/meta-data/network`),
    ec2Metadata: meta,
  };
  const lh = meta['local-hostname'];
  if (typeof lh === 'string' && lh !== '') result.localHostname = lh;
  if (az) result.availabilityZone = az;
  if (region) result.region = region;
  if (Object.keys(secrets).length > 0) result.sensitive = { 'meta-data': secrets };
  return result;
}

/** The v2 network config from the crawled `network/interfaces/macs` tree; null (fallback networking) when there is none or it cannot be used. */
function imdsNetworkConfig(ctx: DatasourceContext, meta: Ec2Tree, source: string): DatasourceResult['networkConfig'] {
  if (meta['network'] === undefined) {
    ctx.log.warn(`Ec2: ${source} is absent; fallback networking applies`);
    return null;
  }
  try {
    const nics = readNics(ctx.host.sysfs);
    const out = ec2NetworkConfig({
      network: meta['network'],
      nics: macToName(nics),
      full: ctx.dsCfg['apply_full_imds_network_config'] !== false,
      fallbackNic: fallbackNic(nics)?.name ?? null,
      source,
    });
    for (const w of out.warnings) ctx.log.warn(`Ec2: ${w}`);
    if (out.config === null) {
      ctx.log.warn(`Ec2: no NIC of this machine is listed in ${source}/interfaces/macs; fallback networking applies`);
      return null;
    }
    return { format: 'v2', config: out.config, source: `${source}/interfaces/macs` };
  } catch (e) {
    if (!(e instanceof Ec2NetworkShapeError) && !/duplicate MAC/.test((e as Error).message)) throw e;
    ctx.log.error(`Ec2: no network config (fallback networking applies): ${(e as Error).message}`);
    return null;
  }
}

export const ec2Datasource: Datasource = {
  name: 'Ec2',
  aliases: ['DataSourceEc2', 'DataSourceEc2Local'],
  needs: 'net',
  order: 15,
  detectedBy:
    '`/var/lib/cloud/seed/ec2`, or DMI identifies an EC2 platform (AWS by `/sys/hypervisor/uuid` or matching `ec2…` product uuid/serial; Brightbox, ZStack, E24cloud, Outscale); "maybe" on a machine without DMI that is not x86; never in a container',
  detect(f) {
    if (f.seeds.ec2) return { verdict: 'found', reason: `seed directory ${SEED_DIR}/ec2` };
    if (f.container) return { verdict: 'not-found', reason: `in a container (${f.container})` };
    const p = ec2Platform(f);
    if (p) return { verdict: 'found', reason: `DMI says ${p}` };
    if (!f.dmiAvailable && !f.x86) return { verdict: 'maybe', reason: 'no DMI on this machine to tell' };
    return { verdict: 'not-found', reason: 'DMI does not identify an EC2 platform' };
  },
  network: {
    formats: ['v2'],
    from: 'the IMDS `meta-data/network/interfaces/macs/<mac>/` tree: every NIC of the machine by MAC (DHCPv4, DHCPv6 with IPv6 addresses, route metric by device-number), secondary addresses static',
  },
  options: [
    ...METADATA_SERVICE_OPTIONS.map((o) => (o.key === 'metadata_urls' ? { ...o, default: `[${EC2_DEFAULT_URL}, ${EC2_DEFAULT_URL_V6}]` } : o)),
    { key: 'apply_full_imds_network_config', meaning: '`false` configures only the primary NIC, by DHCP, without secondary addresses', default: 'true' },
    { key: 'strict_id', meaning: '`false` or `warn` asks the service on a platform DMI does not identify', default: 'true' },
    { key: 'allow_imdsv1', meaning: '`true` uses a service without the IMDSv2 token API (a nimbus key)', default: 'false' },
  ],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const { log } = ctx;
    const platform = ec2Platform(readPlatformFacts(ctx.host));
    // strict_id (default true, as ds-identify has it): only on a platform DMI identifies,
    // so a machine that is not EC2 never waits on 169.254.169.254.
    const strict = ctx.dsCfg['strict_id'];
    if (!platform && strict !== false && strict !== 'false' && strict !== 'warn') {
      log.debug('Ec2: DMI does not identify an EC2 platform and strict_id is not false; not asking the metadata service');
      return null;
    }
    if (!platform) log.warn(`Ec2: DMI does not identify an EC2 platform; trying the metadata service anyway (strict_id: ${String(strict)})`);
    const v1 = ctx.dsCfg['allow_imdsv1'] === true;
    const s = metadataSettings(ctx.dsCfg, { urls: [EC2_DEFAULT_URL, EC2_DEFAULT_URL_V6], ...METADATA_DEFAULTS });
    for (const p of s.problems) log.warn(`datasource Ec2: ${p}`);
    const client = metadataClient(ctx, s);
    const failures: string[] = [];
    for (const base of s.urls) {
      try {
        return await readFromBase(ctx, client, base, v1, (platform ?? 'unknown').toLowerCase());
      } catch (e) {
        if (!unreachable(e)) throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
        failures.push((e as Error).message);
      }
    }
    log.warn(`EC2 metadata service not reachable: ${failures.join('; ')}`);
    return null;
  },
};
