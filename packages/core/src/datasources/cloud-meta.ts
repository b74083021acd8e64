// The cloud-init conventions several smaller datasources share: a metadata dict with
// `instance-id`, `local-hostname`, `public-keys`, `availability-zone` and `region`
// (cloud-init's DataSource defaults read these keys), and a metadata client built from
// the datasource's budget settings.
import { isDict } from '../config/merge.js';
import { normalizeKeys } from './hetzner.js';
import { HttpError, MetadataClient, type MetadataSettings } from './http.js';
import type { DatasourceContext, DatasourceResult } from './types.js';

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
