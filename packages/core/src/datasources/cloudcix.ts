// CloudCIX: found by DMI product name "CloudCIX". The metadata service at
// http://169.254.169.254/v1 serves `metadata` (JSON, its `network` key a network config)
// and `userdata` (base64-decoded when it is strictly base64), as cloud-init 25.x reads them.
import { isDict } from '../config/merge.js';
import { commonFields, metadataClient, unreachable } from './cloud-meta.js';
import { maybeBase64 } from './hetzner.js';
import { METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, metadataSettings, parseJsonBody, type MetadataClient } from './http.js';
import { readPlatformFacts } from './facts.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult, type NetworkConfigSource } from './types.js';

export const CLOUDCIX_PRODUCT = 'CloudCIX';
/** The API versions nimbus reads, newest first. */
const VERSIONS = ['v1'];

/** The `network` key as a network config: a v1 or v2 dict; anything else names the key. */
export function cloudcixNetwork(md: Record<string, unknown>, url: string): NetworkConfigSource | null {
  const n = md['network'];
  if (n === undefined || n === null) return null;
  if (!isDict(n)) throw new DatasourceError(`${url}: key "network": expected an object, not ${Array.isArray(n) ? 'a list' : typeof n}`);
  if (n['version'] === 2) return { format: 'v2', config: n, source: `${url} (network)` };
  if (n['version'] === 1) return { format: 'v1', config: n, source: `${url} (network)` };
  throw new DatasourceError(`${url}: key "network.version": ${JSON.stringify(n['version'] ?? null)} is not 1 or 2`);
}

async function readVersion(client: MetadataClient, base: string): Promise<DatasourceResult | null> {
  for (const v of VERSIONS) {
    const mdUrl = `${base}/${v}/metadata`;
    const mdBody = await client.getOptional(mdUrl);
    if (mdBody === null) continue;
    const md = parseJsonBody(mdUrl, mdBody);
    if (!isDict(md)) throw new DatasourceError(`${mdUrl}: expected a JSON object`);
    const udUrl = `${base}/${v}/userdata`;
    const ud = await client.get(udUrl);
    const fields = commonFields(md);
    // The service names it instance_id; cloud-init's base class reads only instance-id.
    if (fields.instanceId === 'iid-datasource' && typeof md['instance_id'] === 'string' && md['instance_id'] !== '') fields.instanceId = md['instance_id'];
    return {
      dsname: 'CloudCIX',
      description: `DataSourceCloudCIX [${base}/${v}]`,
      cloudName: 'cloudcix',
      platform: 'cloudcix',
      subplatform: `metadata (${base}/${v})`,
      dsmode: 'net',
      ...fields,
      metadata: md,
      userdata: ud.length === 0 ? null : maybeBase64(ud),
      vendordata: null,
      networkConfig: cloudcixNetwork(md, mdUrl),
    };
  }
  return null;
}

export const cloudcixDatasource: Datasource = {
  name: 'CloudCIX',
  aliases: ['DataSourceCloudCIX'],
  needs: 'net',
  order: 30,
  detectedBy: 'DMI product name `CloudCIX`',
  detect(f) {
    if (f.container === null && f.dmi.productName === CLOUDCIX_PRODUCT) return { verdict: 'found', reason: 'DMI product name is CloudCIX' };
    if (f.container !== null) return { verdict: 'not-found', reason: `in a container (${f.container})` };
    return { verdict: 'not-found', reason: `DMI product name "${f.dmi.productName ?? ''}" is not CloudCIX` };
  },
  network: { formats: ['v1', 'v2'], from: 'the `network` key of `<url>/v1/metadata`' },
  options: METADATA_SERVICE_OPTIONS,
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    if (readPlatformFacts(ctx.host).dmi.productName !== CLOUDCIX_PRODUCT) {
      ctx.log.debug('CloudCIX: DMI product name is not CloudCIX; not asking the metadata service');
      return null;
    }
    const s = metadataSettings(ctx.dsCfg, { urls: ['http://169.254.169.254'], ...METADATA_DEFAULTS });
    for (const p of s.problems) ctx.log.warn(`datasource CloudCIX: ${p}`);
    const client = metadataClient(ctx, s);
    const failures: string[] = [];
    for (const base of s.urls) {
      try {
        const r = await readVersion(client, base);
        if (r) return r;
        failures.push(`${base}: no ${VERSIONS.join(' or ')}/metadata (404)`);
      } catch (e) {
        if (!unreachable(e)) throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
        failures.push((e as Error).message);
      }
    }
    ctx.log.warn(`CloudCIX metadata service not reachable: ${failures.join('; ')}`);
    return null;
  },
};
