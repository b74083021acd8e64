// The cloud-init conventions several smaller datasources share: a metadata dict with
// `instance-id`, `local-hostname`, `public-keys`, `availability-zone` and `region`
// (cloud-init's DataSource defaults read these keys), and a metadata client built from
// the datasource's budget settings.
import { isDict } from '../config/merge.js';
import { HttpError, METADATA_DEFAULTS, MetadataClient, metadataSettings, parseJsonBody, type MetadataSettings } from './http.js';
import { DatasourceError, type DatasourceContext, type DatasourceResult } from './types.js';

/** SSH keys as cloud-init's normalize_pubkey_data: a string's lines, a list's items, a mapping's values. */
export function normalizeKeys(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/\r\n|\n|\r/).filter((l, i, a) => !(l === '' && i === a.length - 1));
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  if (isDict(v)) {
    return Object.values(v)
      .flatMap((k) => (typeof k === 'string' ? [k] : Array.isArray(k) ? k : []))
      .filter((k): k is string => typeof k === 'string' && k !== '');
  }
  return [];
}

/** cloud-init's instance-id when the metadata has none (DataSource.get_instance_id). */
export const DEFAULT_INSTANCE_ID = 'iid-datasource';

type CommonFields = Pick<DatasourceResult, 'instanceId' | 'publicKeys' | 'localHostname' | 'availabilityZone' | 'region'>;

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The instance-data fields cloud-init's DataSource base class reads from a metadata dict. */
export function commonFields(md: Record<string, unknown>): CommonFields {
  const out: CommonFields = { instanceId: text(md['instance-id']) ?? DEFAULT_INSTANCE_ID, publicKeys: normalizeKeys(md['public-keys']) };
  const lh = text(md['local-hostname']);
  if (lh !== undefined) out.localHostname = lh;
  const placement = md['placement'];
  const az = text(md['availability-zone']) ?? text(md['availability_zone']) ?? (isDict(placement) ? text(placement['availability-zone']) : undefined);
  if (az !== undefined) out.availabilityZone = az;
  const region = text(md['region']);
  if (region !== undefined) out.region = region;
  return out;
}

/** A metadata client with the datasource's budget, logging its retries at debug level. */
export function metadataClient(ctx: DatasourceContext, s: MetadataSettings): MetadataClient {
  return new MetadataClient(
    s.budgetMs,
    { timeoutMs: s.timeoutMs, retries: s.retries },
    () => ctx.host.clock.monotonicMs(),
    (m) => ctx.log.debug(m),
  );
}

/** Whether a failure means "no service there" (refused, no answer, budget spent) rather than a broken one. */
export function unreachable(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

/** The datasource's `key` setting when it is an http(s) URL; otherwise `def`, with a warning. */
export function configuredUrl(ctx: DatasourceContext, dsName: string, key: string, def: string): string {
  const raw = ctx.dsCfg[key];
  if (raw === undefined || raw === null) return def;
  if (typeof raw === 'string' && /^https?:\/\/[^/\s]+/.test(raw)) return raw;
  ctx.log.warn(`datasource ${dsName}: ${key}: ${JSON.stringify(raw)} is not an http(s) URL, using ${def}`);
  return def;
}

/**
 * The one JSON document a metadata service serves at `url` (NWCS, UpCloud), read within
 * the datasource's budget settings: null when no service answers, a DatasourceError when
 * one answers wrongly (an error status, not JSON, not an object).
 */
export async function fetchJsonObject(ctx: DatasourceContext, dsName: string, url: string): Promise<Record<string, unknown> | null> {
  const s = metadataSettings(ctx.dsCfg, { urls: [url], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) ctx.log.warn(`datasource ${dsName}: ${p}`);
  let doc: unknown;
  try {
    doc = parseJsonBody(url, await metadataClient(ctx, s).get(url));
  } catch (e) {
    if (unreachable(e)) {
      ctx.log.warn(`${dsName} metadata service not reachable: ${(e as Error).message}`);
      return null;
    }
    throw new DatasourceError((e as Error).message);
  }
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc}`);
  return doc;
}

/** A user-data or vendor-data string of the metadata as bytes; absent, null or "" is none. */
export function optionalText(url: string, md: Record<string, unknown>, key: string): Uint8Array | null {
  const v = md[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new DatasourceError(`${url}: key ${key}: expected a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  return new Uint8Array(Buffer.from(v, 'utf8'));
}
