// Bigstep: the provisioning system leaves a URL in /var/lib/cloud/data/seed/bigstep/url;
// one GET of it gives JSON {"metadata": {...}, "userdata_raw": ..., "vendordata_raw": ...}.
// Found by that file alone, as ds-identify does.
import { isDict } from '../config/merge.js';
import { commonFields, metadataClient, unreachable } from './cloud-meta.js';
import { METADATA_DEFAULTS, metadataSettings, parseJsonBody, type MetadataClient } from './http.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const BIGSTEP_URL_FILE = '/var/lib/cloud/data/seed/bigstep/url';

function rawPart(doc: Record<string, unknown>, key: string, url: string): Uint8Array | null {
  const v = doc[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new DatasourceError(`${url}: "${key}" must be a string, not ${Array.isArray(v) ? 'a list' : typeof v}`);
  return Buffer.from(v, 'utf8');
}

async function fetchDoc(client: MetadataClient, url: string): Promise<Record<string, unknown>> {
  const doc = parseJsonBody(url, await client.get(url));
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object`);
  return doc;
}

export const bigstepDatasource: Datasource = {
  name: 'Bigstep',
  aliases: ['DataSourceBigstep'],
  needs: 'net',
  order: 19,
  detectedBy: 'the file `/var/lib/cloud/data/seed/bigstep/url`',
  detect(f) {
    if (f.more?.bigstepUrl) return { verdict: 'found', reason: `${BIGSTEP_URL_FILE} is there` };
    return { verdict: 'not-found', reason: `no ${BIGSTEP_URL_FILE}` };
  },
  network: { formats: [], from: 'none: fallback networking' },
  options: [
    { key: 'timeout', meaning: 'seconds per request', default: String(METADATA_DEFAULTS.timeout) },
    { key: 'retries', meaning: 'further attempts after the first', default: String(METADATA_DEFAULTS.retries) },
    { key: 'max_wait', meaning: 'total seconds for the datasource; `<= 0` means `(retries+1) × timeout`', default: String(METADATA_DEFAULTS.maxWait) },
  ],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const raw = ctx.host.fs.readText(BIGSTEP_URL_FILE);
    if (raw === null) return null;
    const url = raw.trim();
    if (!/^https?:\/\/[^/\s]+\S*$/.test(url)) throw new DatasourceError(`${BIGSTEP_URL_FILE}: line 1: ${JSON.stringify(url.slice(0, 80))} is not an http(s) URL`);
    // The URL comes from the file; metadata_urls does not apply.
    const s = metadataSettings({ ...ctx.dsCfg, metadata_urls: undefined }, { urls: [url], ...METADATA_DEFAULTS });
    for (const p of s.problems) ctx.log.warn(`datasource Bigstep: ${p}`);
    let doc: Record<string, unknown>;
    try {
      doc = await fetchDoc(metadataClient(ctx, s), url);
    } catch (e) {
      if (unreachable(e)) {
        ctx.log.warn(`Bigstep metadata not reachable: ${(e as Error).message}`);
        return null;
      }
      throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
    }
    const md = doc['metadata'];
    if (!isDict(md)) throw new DatasourceError(`${url}: "metadata" must be an object`);
    return {
      dsname: 'Bigstep',
      description: `DataSourceBigstep [${url}]`,
      cloudName: 'bigstep',
      platform: 'bigstep',
      subplatform: `metadata (${url})`,
      dsmode: 'net',
      ...commonFields(md),
      metadata: md,
      userdata: rawPart(doc, 'userdata_raw', url),
      vendordata: rawPart(doc, 'vendordata_raw', url),
      networkConfig: null,
    };
  },
};
