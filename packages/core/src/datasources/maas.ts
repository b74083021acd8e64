// MAAS (Canonical's Metal as a Service): a seed directory /var/lib/cloud/seed/maas, or
// the metadata URL that MAAS writes into the system configuration
// (datasource.MAAS.metadata_url with OAuth 1.0 PLAINTEXT credentials), read as
// <url>/2012-03-01/meta-data/{instance-id,local-hostname,public-keys,vendor-data} and
// <url>/2012-03-01/user-data. MAAS puts the network config into cloud.cfg.d itself, so
// the datasource brings none. Detection as ds-identify: MAAS's configuration in
// cloud.cfg(.d), or the ephemeral boot's iSCSI root with a cloud-config-url on the
// kernel command line; nimbus also takes the seed directory as a local fact.
import { crypto } from '../util/builtin.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import { metadataClient, normalizeKeys, unreachable } from './cloud-meta.js';
import { SEED_DIR } from './facts.js';
import { HttpError, METADATA_DEFAULTS, bodyText, metadataSettings, type MetadataClient } from './http.js';
import { vendordataBytes } from './openstack-format.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const MAAS_SEED_DIR = `${SEED_DIR}/maas`;
export const MAAS_MD_VERSION = '2012-03-01';
const MAAS_IQN = 'iqn.2004-05.com.ubuntu:maas';

/** The files MAAS serves, where they go, and whether a source without them is broken. */
const FIELDS = [
  { path: 'meta-data/instance-id', required: true },
  { path: 'meta-data/local-hostname', required: true },
  { path: 'meta-data/public-keys', required: false },
  { path: 'meta-data/vendor-data', required: false },
  { path: 'user-data', required: false },
] as const;

export interface MaasCredentials {
  consumerKey: string;
  consumerSecret: string;
  tokenKey: string;
  tokenSecret: string;
}

/** RFC 3986 percent-encoding, as OAuth 1.0 requires (encodeURIComponent leaves !'()* alone). */
export function oauthEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The Authorization header of an OAuth 1.0 PLAINTEXT request: the signature is the two
 * secrets joined by "&" (each escaped, then the whole escaped again in the header).
 */
export function maasOauthHeader(c: MaasCredentials, timestamp: number, nonce: string): string {
  const signature = `${oauthEscape(c.consumerSecret)}&${oauthEscape(c.tokenSecret)}`;
  const params: [string, string][] = [
    ['oauth_nonce', nonce],
    ['oauth_timestamp', String(Math.floor(timestamp))],
    ['oauth_version', '1.0'],
    ['oauth_signature_method', 'PLAINTEXT'],
    ['oauth_consumer_key', c.consumerKey],
    ['oauth_token', c.tokenKey],
    ['oauth_signature', signature],
  ];
  return `OAuth ${params.map(([k, v]) => `${k}="${oauthEscape(v)}"`).join(', ')}`;
}

/** The credentials from datasource.MAAS; null when none is set; an error naming the key when only some are. */
export function maasCredentials(dsCfg: Record<string, unknown>): MaasCredentials | null {
  const keys = { consumerKey: 'consumer_key', tokenKey: 'token_key', tokenSecret: 'token_secret' } as const;
  const given = Object.values(keys).filter((k) => dsCfg[k] !== undefined && dsCfg[k] !== null && dsCfg[k] !== '');
  for (const k of [...Object.values(keys), 'consumer_secret']) {
    const v = dsCfg[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new DatasourceError(`datasource.MAAS.${k}: expected a string, not ${typeof v}`);
  }
  if (given.length === 0) return null;
  const missing = Object.values(keys).filter((k) => !given.includes(k));
  if (missing.length > 0) throw new DatasourceError(`datasource.MAAS: ${missing.join(', ')} missing (OAuth needs consumer_key, token_key and token_secret together)`);
  const s = (k: string) => (typeof dsCfg[k] === 'string' ? (dsCfg[k] as string) : '');
  return { consumerKey: s('consumer_key'), consumerSecret: s('consumer_secret'), tokenKey: s('token_key'), tokenSecret: s('token_secret') };
}

/** What was read, keyed by FIELDS path; `where` names the source for messages. */
type Raw = Map<string, Uint8Array>;

/** Turns the files read into the result; throws DatasourceError naming the file or key. */
export function maasResult(raw: Raw, where: string, subplatform: string): DatasourceResult {
  const missing = FIELDS.filter((f) => f.required && !raw.has(f.path)).map((f) => `${where}/${f.path}`);
  if (missing.length > 0) throw new DatasourceError(`MAAS: missing ${missing.join(', ')}`);
  const text = (p: string) => {
    const b = raw.get(p);
    return b === undefined ? undefined : bodyText(b);
  };
  const instanceId = (text('meta-data/instance-id') as string).trim();
  if (instanceId === '') throw new DatasourceError(`${where}/meta-data/instance-id: empty`);
  const metadata: Record<string, unknown> = { 'instance-id': instanceId, 'local-hostname': (text('meta-data/local-hostname') as string).trim() };
  const keys = text('meta-data/public-keys');
  if (keys !== undefined) metadata['public-keys'] = keys;
  let vendordata: Uint8Array | null = null;
  const vdText = text('meta-data/vendor-data');
  if (vdText !== undefined && vdText.trim() !== '') {
    const vdFile = `${where}/meta-data/vendor-data`;
    let vd: unknown;
    try {
      vd = loadYaml(vdText, vdFile).value;
    } catch (e) {
      throw new DatasourceError(e instanceof YamlError ? `${e.message} (vendor-data must be YAML)` : `${vdFile}: ${(e as Error).message}`);
    }
    vendordata = vendordataBytes(vd, vdFile);
  }
  const result: DatasourceResult = {
    dsname: 'MAAS',
    description: `DataSourceMAAS [${where}]`,
    cloudName: 'maas',
    platform: 'maas',
    subplatform,
    dsmode: 'net',
    instanceId,
    publicKeys: normalizeKeys(keys ?? null).filter((k) => k.trim() !== ''),
    metadata,
    userdata: raw.get('user-data') ?? null,
    vendordata,
    networkConfig: null,
  };
  if (metadata['local-hostname'] !== '') result.localHostname = metadata['local-hostname'] as string;
  return result;
}

function readSeedDir(ctx: DatasourceContext): Raw | null {
  if (ctx.host.fs.list(MAAS_SEED_DIR).length === 0) return null;
  const raw: Raw = new Map();
  for (const f of FIELDS) {
    const b = ctx.host.fs.read(`${MAAS_SEED_DIR}/${f.path}`);
    if (b !== null) raw.set(f.path, b);
  }
  // A directory without any of MAAS's files is no seed, as under cloud-init: the URL is tried.
  return raw.size === 0 ? null : raw;
}

/** GETs every field under `<url>/<version>/`, signed; 404 leaves a field out. A 401/403 with a Date header is retried once with the server's clock (MAAS refuses skewed timestamps). */
async function readUrl(ctx: DatasourceContext, client: MetadataClient, url: string, creds: MaasCredentials | null): Promise<Raw> {
  let skewSeconds = 0;
  const headers = (): Record<string, string> | undefined =>
    creds === null ? undefined : { Authorization: maasOauthHeader(creds, ctx.host.clock.now() + skewSeconds, crypto().randomBytes(16).toString('hex')) };
  const raw: Raw = new Map();
  for (const f of FIELDS) {
    const u = `${url}/${MAAS_MD_VERSION}/${f.path}`;
    let res = await client.request(u, { headers: headers(), accept: [401, 403, 404] });
    if ((res.status === 401 || res.status === 403) && creds !== null) {
      const date = Date.parse(res.headers.get('date') ?? '');
      if (Number.isFinite(date)) {
        skewSeconds = date / 1000 - ctx.host.clock.now();
        ctx.log.debug(`MAAS: ${u}: HTTP ${res.status}; retrying with the server's clock (skew ${Math.round(skewSeconds)} s)`);
        res = await client.request(u, { headers: headers(), accept: [401, 403, 404] });
      }
    }
    if (res.status === 401 || res.status === 403) throw new DatasourceError(`${u}: HTTP ${res.status}: the OAuth credentials in datasource.MAAS were refused`);
    if (res.status !== 404) raw.set(f.path, res.body);
  }
  return raw;
}

export const maasDatasource: Datasource = {
  name: 'MAAS',
  aliases: ['DataSourceMAAS', 'DataSourceMAASLocal'],
  needs: 'net',
  order: 10,
  detectedBy:
    "a `MAAS:` key in /etc/cloud/cloud.cfg or cloud.cfg.d/*.cfg (MAAS writes its metadata_url there), MAAS's iSCSI root with `cloud-config-url=` on the kernel command line, or files in `/var/lib/cloud/seed/maas`; never in a container",
  detect(f) {
    if (f.container !== null) return { verdict: 'not-found', reason: `in a container (${f.container})` };
    if (f.cmdline.includes('cloud-config-url=') && f.cmdline.includes(MAAS_IQN))
      return { verdict: 'found', reason: `MAAS's iSCSI root (${MAAS_IQN}) and cloud-config-url= on the kernel command line` };
    if (f.more?.maasConfig) return { verdict: 'found', reason: 'a MAAS: key in /etc/cloud/cloud.cfg(.d)' };
    if (f.more?.maasSeed) return { verdict: 'found', reason: `files in ${MAAS_SEED_DIR}` };
    return { verdict: 'not-found', reason: 'no MAAS configuration, seed directory or ephemeral-boot command line' };
  },
  network: { formats: [], from: 'none from the datasource: MAAS writes the network config into /etc/cloud/cloud.cfg.d (system config)' },
  options: [
    { key: 'metadata_url', meaning: 'the MAAS metadata service, read as `<url>/2012-03-01/...` when there is no seed directory' },
    { key: 'consumer_key', meaning: 'OAuth consumer key (with token_key and token_secret: requests are signed, PLAINTEXT)' },
    { key: 'consumer_secret', meaning: 'OAuth consumer secret', default: '""' },
    { key: 'token_key', meaning: 'OAuth token key' },
    { key: 'token_secret', meaning: 'OAuth token secret' },
    { key: 'timeout', meaning: 'seconds per request', default: String(METADATA_DEFAULTS.timeout) },
    { key: 'retries', meaning: 'further attempts after the first', default: String(METADATA_DEFAULTS.retries) },
    { key: 'max_wait', meaning: 'total seconds for the datasource; `<= 0` means `(retries+1) × timeout`', default: String(METADATA_DEFAULTS.maxWait) },
  ],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const seed = readSeedDir(ctx);
    if (seed !== null) return maasResult(seed, MAAS_SEED_DIR, `seed-dir (${MAAS_SEED_DIR})`);
    const rawUrl = ctx.dsCfg['metadata_url'];
    if (rawUrl === undefined || rawUrl === null || rawUrl === '') {
      ctx.log.debug('MAAS: no seed directory and no datasource.MAAS.metadata_url');
      return null;
    }
    if (typeof rawUrl !== 'string' || !/^https?:\/\/[^/\s]+\S*$/.test(rawUrl)) throw new DatasourceError(`datasource.MAAS.metadata_url: ${JSON.stringify(rawUrl)} is not an http(s) URL`);
    const url = rawUrl.replace(/\/+$/, '');
    const creds = maasCredentials(ctx.dsCfg);
    const s = metadataSettings({ ...ctx.dsCfg, metadata_urls: undefined }, { urls: [url], ...METADATA_DEFAULTS });
    for (const p of s.problems) ctx.log.warn(`datasource MAAS: ${p}`);
    try {
      // cloud-init says seed-dir for the URL too.
      return maasResult(await readUrl(ctx, metadataClient(ctx, s), url, creds), `${url}/${MAAS_MD_VERSION}`, `seed-dir (${url})`);
    } catch (e) {
      if (unreachable(e)) {
        ctx.log.warn(`MAAS metadata service not reachable: ${(e as Error).message}`);
        return null;
      }
      throw e instanceof HttpError ? new DatasourceError(e.message) : e;
    }
  },
};
