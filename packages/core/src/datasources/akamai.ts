// Akamai Connected Cloud (Linode): found by DMI (sys_vendor "Linode" or "Akamai"), as
// cloud-init's ds-identify; the instance id is the DMI serial. Its metadata service
// (http://[fd00:a9fe:a9fe::1] over IPv6, then http://169.254.169.254) wants a token:
// PUT /v1/token (Metadata-Token-Expiry-Seconds: 300), then /v1/instance (JSON) and
// /v1/user-data (base64) with `Metadata-Token`, as cloud-init 25.x reads it. The
// platform can change the datasource's settings through the baseboard serial
// (`v4=0;v6=1;...`). When the service does not answer, the instance is still the
// instance: its id from DMI, no user-data, as under cloud-init.
import { isDict } from '../config/merge.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { metadataClient } from './cloud-meta.js';

export const AKAMAI_BASE_URLS = { ipv4: 'http://169.254.169.254', ipv6: 'http://[fd00:a9fe:a9fe::1]' } as const;

/** Whether DMI says Akamai or Linode (cloud-init's is_on_akamai). */
export function isAkamai(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.sysVendor === 'Linode' || f.dmi.sysVendor === 'Akamai';
}

/** The settings cloud-init reads from `datasource: {Akamai: ...}`, as nimbus uses them. */
export interface AkamaiSettings {
  baseUrls: { ipv4: string; ipv6: string };
  allowInitStage: boolean;
  allowLocalStage: boolean;
  allowIpv4: boolean;
  allowIpv6: boolean;
}

const FLAGS: Readonly<Record<string, keyof AkamaiSettings>> = { als: 'allowLocalStage', ais: 'allowInitStage', v4: 'allowIpv4', v6: 'allowIpv6' };
const KEYS: Readonly<Record<string, keyof AkamaiSettings>> = { allow_local_stage: 'allowLocalStage', allow_init_stage: 'allowInitStage', allow_ipv4: 'allowIpv4', allow_ipv6: 'allowIpv6' };

/**
 * The platform's overrides in the baseboard serial: `key=value` pairs separated by `;`,
 * `0`/`1` for the flags (als, ais, v4, v6), as cloud-init's get_dmi_config. The DHCP and
 * MAC-prefix flags (dhcp, pmp) are about cloud-init's ephemeral network, which nimbus
 * does not set up, and are ignored.
 */
export function akamaiDmiFlags(serial: string | null): Partial<AkamaiSettings> {
  const out: Partial<Record<keyof AkamaiSettings, boolean>> = {};
  for (const m of (serial ?? '').matchAll(/([a-z0-9]+)=(.*?)(?:;|$)/g)) {
    const key = FLAGS[m[1] as string];
    if (key !== undefined && (m[2] === '0' || m[2] === '1')) out[key] = m[2] === '1';
  }
  return out as Partial<AkamaiSettings>;
}

/** cloud.cfg's keys, under the platform's DMI overrides (which win, as in cloud-init). */
export function akamaiSettings(dsCfg: Record<string, unknown>, dmi: Partial<AkamaiSettings>, warn: (m: string) => void): AkamaiSettings {
  const s: AkamaiSettings = { baseUrls: { ...AKAMAI_BASE_URLS }, allowInitStage: true, allowLocalStage: true, allowIpv4: true, allowIpv6: true };
  for (const [key, field] of Object.entries(KEYS)) {
    const v = dsCfg[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') (s as unknown as Record<string, unknown>)[field] = v;
    else warn(`${key}: ${JSON.stringify(v)} is not true or false, using true`);
  }
  const urls = dsCfg['base_urls'];
  if (isDict(urls)) {
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const u = urls[fam];
      if (u === undefined) continue;
      if (typeof u === 'string' && /^https?:\/\/[^/\s]+/.test(u)) s.baseUrls[fam] = u.replace(/\/+$/, '');
      else warn(`base_urls.${fam}: ${JSON.stringify(u)} is not an http(s) URL, using ${AKAMAI_BASE_URLS[fam]}`);
    }
  } else if (urls !== undefined && urls !== null) warn('base_urls: expected a mapping of ipv4 and ipv6 URLs');
  return { ...s, ...dmi };
}

function unreachable(e: unknown): e is HttpError {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

type Fetched = { kind: 'data'; md: Record<string, unknown>; userdata: Uint8Array | null; base: string } | { kind: 'no-token'; base: string };

/** Token, instance and user-data from one base URL; throws HttpError when the service cannot be read there. */
async function fetchFrom(client: MetadataClient, base: string, warn: (m: string) => void): Promise<Fetched> {
  const tokenUrl = `${base}/v1/token`;
  const tok = await client.request(tokenUrl, { method: 'PUT', headers: { 'Metadata-Token-Expiry-Seconds': '300' }, accept: [400, 401, 403, 404] });
  if (tok.status !== 200) {
    warn(`Akamai: ${tokenUrl} gave HTTP ${tok.status} for a token; not fetching data`);
    return { kind: 'no-token', base };
  }
  const token = bodyText(tok.body).trim();
  const mdUrl = `${base}/v1/instance`;
  const md = parseJsonBody(mdUrl, await client.get(mdUrl, { Accept: 'application/json', 'Metadata-Token': token }));
  if (!isDict(md)) throw new DatasourceError(`${mdUrl}: expected a JSON object, got ${Array.isArray(md) ? 'an array' : md === null ? 'null' : typeof md}`);
  const udUrl = `${base}/v1/user-data`;
  const raw = await client.get(udUrl, { 'Metadata-Token': token });
  const text = bodyText(raw).replace(/\s+/g, '');
  let userdata: Uint8Array | null = raw;
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0) userdata = new Uint8Array(Buffer.from(text, 'base64'));
  else warn(`Akamai: ${udUrl}: user-data is not base64; taken as it is`);
  return { kind: 'data', md, userdata: userdata.length === 0 ? null : userdata, base };
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const facts = readPlatformFacts(host);
  if (!isAkamai(facts)) {
    log.debug('Akamai: DMI sys_vendor is neither Linode nor Akamai; not asking the metadata service');
    return null;
  }
  const localId = facts.dmi.productSerial;
  const a = akamaiSettings(ctx.dsCfg, akamaiDmiFlags(host.sysfs.dmi('board_serial')), (m) => log.warn(`datasource Akamai: ${m}`));
  const bases: string[] = [];
  if (a.allowIpv6) bases.push(a.baseUrls.ipv6);
  if (a.allowIpv4) bases.push(a.baseUrls.ipv4);
  let fetched: Fetched | null = null;
  if (bases.length === 0 || (!a.allowInitStage && !a.allowLocalStage)) log.info('Akamai: the configuration prohibits fetching metadata; local data only');
  else if (!a.allowInitStage) {
    log.info('Akamai: allow_init_stage is false and nimbus reads Akamai in the init stage only; local data only');
  } else {
    const s = metadataSettings(ctx.dsCfg, { urls: [], ...METADATA_DEFAULTS });
    for (const p of s.problems) log.warn(`datasource Akamai: ${p}`);
    const client = metadataClient(ctx, s);
    for (const base of bases) {
      try {
        fetched = await fetchFrom(client, base, (m) => log.warn(m));
        break;
      } catch (e) {
        if (!unreachable(e) && !(e instanceof HttpError && e.kind === 'status')) throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
        log.warn(`Akamai: failed to retrieve metadata using IPv${base === a.baseUrls.ipv6 ? 6 : 4}: ${e.message}`);
      }
    }
    if (fetched === null) log.warn('Akamai: failed to contact the metadata service; local data only (the instance id from DMI)');
  }
  const md: Record<string, unknown> = fetched?.kind === 'data' ? { ...fetched.md } : {};
  const id = md['id'] ?? localId;
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '')
    throw new DatasourceError(
      fetched?.kind === 'data' ? `${fetched.base}/v1/instance: key id: expected a number or a string` : 'Akamai: no instance id: the metadata service did not give one and DMI product_serial is empty',
    );
  md['instance-id'] = String(id);
  const result: DatasourceResult = {
    dsname: 'Akamai',
    description: 'DataSourceAkamai',
    cloudName: 'akamai',
    platform: 'akamai',
    subplatform: fetched ? `metadata (${fetched.base})` : 'dmi (local data only)',
    dsmode: 'net',
    instanceId: String(id),
    publicKeys: [],
    metadata: md,
    userdata: fetched?.kind === 'data' ? fetched.userdata : null,
    vendordata: null,
    networkConfig: null,
  };
  if (typeof md['region'] === 'string' && md['region'] !== '') result.region = md['region'];
  return result;
}

export const akamaiDatasource: Datasource = {
  name: 'Akamai',
  aliases: ['DataSourceAkamai', 'DataSourceAkamaiLocal'],
  needs: 'net',
  order: 28,
  detectedBy: 'DMI sys_vendor `Linode` or `Akamai`',
  detect(f) {
    if (isAkamai(f)) return { verdict: 'found', reason: `DMI sys_vendor is ${f.dmi.sysVendor}` };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is neither Linode nor Akamai` };
  },
  network: { formats: [], from: 'none (Akamai gives none; fallback networking, DHCP on the first NIC)' },
  options: [
    { key: 'base_urls', meaning: 'the service over `ipv4` and `ipv6`; IPv6 is asked first', default: `{ipv4: ${AKAMAI_BASE_URLS.ipv4}, ipv6: ${AKAMAI_BASE_URLS.ipv6}}` },
    { key: 'allow_ipv4', meaning: 'ask the service over IPv4 (DMI baseboard serial `v4=0|1` overrides)', default: 'true' },
    { key: 'allow_ipv6', meaning: 'ask the service over IPv6 (DMI `v6=0|1` overrides)', default: 'true' },
    { key: 'allow_init_stage', meaning: '`false` leaves local data only: nimbus reads Akamai in the init stage (DMI `ais=0|1` overrides)', default: 'true' },
    { key: 'allow_local_stage', meaning: 'with `allow_init_stage`, both false prohibit fetching (DMI `als=0|1` overrides)', default: 'true' },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
  ],
  find,
  async currentInstanceId(ctx) {
    // The Linode id is the DMI serial, as cloud-init's check_instance_id compares.
    const f = readPlatformFacts(ctx.host);
    return isAkamai(f) ? f.dmi.productSerial : null;
  },
};
