// Google Compute Engine: found by DMI (product name "Google Compute Engine" or "Google",
// or a "GoogleCloud-" serial); the metadata server at
// http://metadata.google.internal/computeMetadata/v1/ (every request with
// `Metadata-Flavor: Google`) gives the instance id, zone and hostname (all required),
// the instance and project attributes (SSH keys, user-data), as cloud-init 25.x reads
// them. SSH keys are those for `cloudinit` or the default user, unexpired.
import { isDict } from '../config/merge.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { configuredUrl, metadataClient } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const GCE_METADATA_URL = 'http://metadata.google.internal/computeMetadata/v1/';
export const GCE_HEADERS = { 'Metadata-Flavor': 'Google' } as const;

/** Whether DMI says Google Compute Engine (cloud-init's platform_reports_gce). */
export function isGce(f: Pick<PlatformFacts, 'dmi'>): boolean {
  const p = f.dmi.productName;
  return p === 'Google Compute Engine' || p === 'Google' || (f.dmi.productSerial ?? '').startsWith('GoogleCloud-');
}

/**
 * Whether a key in GCE's format (`ssh-rsa AAAA... google-ssh {"userName":..,"expireOn":..}`)
 * has expired at `nowMs`. Keys without the google-ssh schema, or whose expiry cannot be
 * read, never expire, as in cloud-init.
 */
export function keyExpired(key: string, nowMs: number): boolean {
  const parts = key.trim().split(/\s+/);
  if (parts.length < 4 || parts[2] !== 'google-ssh') return false;
  let obj: unknown;
  try {
    obj = JSON.parse(parts.slice(3).join(' '));
  } catch {
    return false;
  }
  if (!isDict(obj) || typeof obj['expireOn'] !== 'string') return false;
  // %Y-%m-%dT%H:%M:%S%z: an offset is required (Z or +hhmm / +hh:mm).
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})$/.exec(obj['expireOn']);
  if (!m) return false;
  const zone = m[2] === 'Z' ? 'Z' : `${(m[2] as string).slice(0, 3)}:${(m[2] as string).slice(-2)}`;
  const t = Date.parse(`${m[1]}${zone}`);
  return Number.isFinite(t) && nowMs > t;
}

/** The keys of `user:key` lines that belong to `cloudinit` or the default user and have not expired. */
export function parseGceKeys(lines: readonly string[], defaultUser: string | null, nowMs: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII only, as cloud-init
    if (!line || !/^[\x00-\x7f]*$/.test(line)) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const user = line.slice(0, colon);
    const key = line.slice(colon + 1);
    if ((user === 'cloudinit' || (defaultUser !== null && user === defaultUser)) && !keyExpired(key, nowMs)) out.push(key);
  }
  return out;
}

/** The SSH key lines the instance takes: its own, and the project's unless blocked or the legacy `sshKeys` is set. */
export function gceKeyLines(instance: Record<string, unknown>, project: Record<string, unknown>): string[] {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const valid = [s(instance['sshKeys']), s(instance['ssh-keys'])];
  const block = typeof instance['block-project-ssh-keys'] === 'string' ? instance['block-project-ssh-keys'].toLowerCase() : '';
  if (block !== 'true' && !s(instance['sshKeys'])) valid.push(s(project['ssh-keys']), s(project['sshKeys']));
  return valid
    .filter((v): v is string => v !== null)
    .join('\n')
    .split(/\r?\n/);
}

function unreachable(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

function defaultUserName(cfg: Record<string, unknown>): string | null {
  const si = cfg['system_info'];
  const du = isDict(si) ? si['default_user'] : undefined;
  return isDict(du) && typeof du['name'] === 'string' && du['name'] !== '' ? du['name'] : null;
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { log, host } = ctx;
  if (!isGce(readPlatformFacts(host))) {
    log.debug('GCE: DMI does not say Google Compute Engine; not asking the metadata server');
    return null;
  }
  const configured = configuredUrl(ctx, 'GCE', 'metadata_url', GCE_METADATA_URL);
  const base = configured.endsWith('/') ? configured : `${configured}/`;
  const s = metadataSettings(ctx.dsCfg, { urls: [base], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource GCE: ${p}`);
  const client = metadataClient(ctx, s);
  const get = async (path: string): Promise<Uint8Array | null> => client.getOptional(`${base}${path}`, { ...GCE_HEADERS });
  const attributes = async (path: string): Promise<Record<string, unknown>> => {
    const url = `${base}${path}/?recursive=True`;
    const body = await client.getOptional(url, { ...GCE_HEADERS });
    if (body === null) return {};
    const doc = parseJsonBody(url, body);
    if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object of attributes`);
    return doc;
  };
  const md: Record<string, unknown> = {};
  let instance: Record<string, unknown>;
  let project: Record<string, unknown>;
  try {
    for (const [key, path] of [
      ['instance-id', 'instance/id'],
      ['availability-zone', 'instance/zone'],
      ['local-hostname', 'instance/hostname'],
    ] as const) {
      const v = await get(path);
      if (v === null) {
        log.warn(`GCE: required key ${key} (${base}${path}) returned nothing; not GCE`);
        return null;
      }
      md[key] = bodyText(v).trim();
    }
    instance = await attributes('instance/attributes');
    project = await attributes('project/attributes');
  } catch (e) {
    if (unreachable(e)) {
      log.warn(`GCE metadata server not reachable: ${(e as Error).message}`);
      return null;
    }
    throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
  }
  const iid = md['instance-id'] as string;
  if (iid === '') throw new DatasourceError(`${base}instance/id: empty`);
  const zone = (md['availability-zone'] as string).split('/').pop() as string;
  md['availability-zone'] = zone;
  const lines = gceKeyLines(instance, project);
  md['public-keys-data'] = lines.filter((l, i) => !(l === '' && i === lines.length - 1));
  let userdata: Uint8Array | null = null;
  if (typeof instance['user-data'] === 'string') {
    const enc = instance['user-data-encoding'];
    if (enc === 'base64') {
      const compact = instance['user-data'].replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new DatasourceError(`${base}instance/attributes/user-data: user-data-encoding is base64 but the value is not base64`);
      userdata = new Uint8Array(Buffer.from(compact, 'base64'));
    } else {
      if (enc !== undefined && enc !== '') log.warn(`GCE: unknown user-data-encoding: ${JSON.stringify(enc)}, ignoring`);
      userdata = new Uint8Array(Buffer.from(instance['user-data'], 'utf8'));
    }
  }
  const publicKeys = parseGceKeys(md['public-keys-data'] as string[], defaultUserName(ctx.cfg), host.clock.now() * 1000);
  const hostname = (md['local-hostname'] as string).split('.')[0] as string;
  // cloud-init keeps the attributes as the JSON text it read; user-data stays out of the metadata here.
  const { 'user-data': _ud, ...instanceRest } = instance;
  md['instance-data'] = instanceRest;
  md['project-data'] = project;
  const result: DatasourceResult = {
    dsname: 'GCE',
    description: 'DataSourceGCE',
    cloudName: 'gce',
    platform: 'gce',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid,
    publicKeys,
    metadata: md,
    userdata,
    vendordata: null,
    networkConfig: null,
    availabilityZone: zone,
    region: zone.includes('-') ? zone.slice(0, zone.lastIndexOf('-')) : zone,
  };
  if (hostname !== '') result.localHostname = hostname;
  return result;
}

export const gceDatasource: Datasource = {
  name: 'GCE',
  aliases: ['DataSourceGCE', 'DataSourceGCELocal'],
  needs: 'net',
  order: 11,
  detectedBy: 'DMI product name `Google Compute Engine` (or `Google`), or a product serial starting `GoogleCloud-`',
  detect(f) {
    if (isGce(f)) return { verdict: 'found', reason: 'DMI says Google Compute Engine' };
    return { verdict: 'not-found', reason: 'DMI does not say Google Compute Engine' };
  },
  network: { formats: [], from: 'none (GCE gives none; fallback networking, DHCP on the first NIC)' },
  options: [{ key: 'metadata_url', meaning: 'the metadata server base URL', default: GCE_METADATA_URL }, ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls')],
  find,
};
