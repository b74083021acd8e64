// Exoscale: found by DMI (product_name starting "Exoscale"), as cloud-init's
// ds-identify. An EC2-style metadata service at http://169.254.169.254/1.0/
// (meta-data/ tree and user-data), and a CloudStack-style password server on port
// 8080 of the same address: asked with `DomU_Request: send_my_password`, it gives the
// VM's password once, which is then acknowledged with `DomU_Request: saved_password`
// so it is not given again. As cloud-init 25.x reads them; no network config (fallback
// networking).
import { isDict } from '../config/merge.js';
import { Paths } from '../state/paths.js';
import { crawlEc2MetaData } from './ec2.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, bodyText, metadataSettings } from './http.js';
import { metadataClient, normalizeKeys } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const EXOSCALE_URL = 'http://169.254.169.254';
export const EXOSCALE_API_VERSION = '1.0';
export const EXOSCALE_PASSWORD_PORT = 8080;

/** Whether DMI says Exoscale (ds-identify: product_name matches "Exoscale*"). */
export function isExoscale(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.productName?.startsWith('Exoscale') ?? false;
}

function unreachable(e: unknown): e is HttpError {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

/** The password server's base for a metadata URL: the same host on `port`. */
export function passwordUrl(metadataUrl: string, port: number, version: string): string {
  const u = new URL(metadataUrl);
  u.port = String(port);
  return `${u.origin}/${version}/`;
}

/**
 * Asks the password server for the VM's password; null when it has none for us ("" or
 * "saved_password"). A password received is acknowledged, so the server forgets it.
 */
export async function fetchPassword(client: MetadataClient, url: string): Promise<string | null> {
  const password = bodyText(await client.get(url, { DomU_Request: 'send_my_password' }));
  if (password === '' || password === 'saved_password') return null;
  await client.get(url, { DomU_Request: 'saved_password' });
  return password;
}

function option(ctx: DatasourceContext, key: string, def: string, ok: (v: string) => boolean, what: string): string {
  const raw = ctx.dsCfg[key];
  if (raw === undefined || raw === null) return def;
  const v = typeof raw === 'number' ? String(raw) : raw;
  if (typeof v === 'string' && ok(v)) return v;
  ctx.log.warn(`datasource Exoscale: ${key}: ${JSON.stringify(raw)} is not ${what}, using ${def}`);
  return def;
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  if (!isExoscale(readPlatformFacts(host))) {
    log.debug('Exoscale: DMI product_name does not start with Exoscale; not asking the metadata service');
    return null;
  }
  const base = option(ctx, 'metadata_url', EXOSCALE_URL, (u) => /^https?:\/\/[^/\s]+/.test(u), 'an http(s) URL').replace(/\/+$/, '');
  const version = option(ctx, 'api_version', EXOSCALE_API_VERSION, (v) => /^[A-Za-z0-9._-]+$/.test(v), 'a version name');
  const port = Number(option(ctx, 'password_server_port', String(EXOSCALE_PASSWORD_PORT), (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, 'a port number'));
  const s = metadataSettings(ctx.dsCfg, { urls: [base], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource Exoscale: ${p}`);
  const client = metadataClient(ctx, s);
  const mdBase = `${base}/${version}/meta-data/`;
  let tree: Record<string, unknown>;
  let userdata: Uint8Array | null;
  try {
    // The service is there when it names the instance (cloud-init's wait_for_metadata_service).
    await client.get(`${mdBase}instance-id`);
    userdata = await client.getOptional(`${base}/${version}/user-data`);
    tree = (await crawlEc2MetaData(client, base, version)).tree;
  } catch (e) {
    if (unreachable(e)) {
      log.warn(`Exoscale metadata service not reachable: ${e.message}`);
      return null;
    }
    throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
  }
  const iid = tree['instance-id'];
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${mdBase}instance-id: expected the instance id, got ${JSON.stringify(iid)}`);
  const hostname = tree['local-hostname'];
  if (hostname !== undefined && typeof hostname !== 'string') throw new DatasourceError(`${mdBase}local-hostname: expected a name`);
  const zone = tree['availability-zone'];
  const result: DatasourceResult = {
    dsname: 'Exoscale',
    description: 'DataSourceExoscale',
    cloudName: 'exoscale',
    platform: 'exoscale',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid,
    publicKeys: normalizeKeys(isDict(tree['public-keys']) ? Object.values(tree['public-keys']) : tree['public-keys']),
    metadata: { ...tree },
    userdata: userdata !== null && userdata.length > 0 ? userdata : null,
    vendordata: null,
    networkConfig: null,
  };
  if (typeof hostname === 'string' && hostname !== '') result.localHostname = hostname;
  if (typeof zone === 'string' && zone !== '') result.availabilityZone = zone;
  const pwUrl = passwordUrl(base, port, version);
  let password: string | null = null;
  try {
    password = await fetchPassword(client, pwUrl);
  } catch (e) {
    // As cloud-init: the instance is configured without the password, and the log says why.
    log.error(`Exoscale: failed to read the password server ${pwUrl}: ${(e as Error).message}`);
  }
  if (password !== null) {
    log.info(`Exoscale: the password server at ${pwUrl} gave a new password; set_passwords applies it`);
    result.config = { ssh_pwauth: true, password, chpasswd: { expire: false } };
    // A password reset on the platform reaches an instance whose set_passwords has run
    // already: cloud-init runs it again on Exoscale, and so does nimbus when a password comes.
    const sem = new Paths(iid.trim()).semaphore('set_passwords', 'once-per-instance');
    if (sem !== null && host.fs.exists(sem)) host.fs.remove(sem);
  }
  return result;
}

export const exoscaleDatasource: Datasource = {
  name: 'Exoscale',
  aliases: ['DataSourceExoscale'],
  needs: 'net',
  order: 24,
  detectedBy: 'DMI product_name starting `Exoscale`',
  detect(f) {
    if (isExoscale(f)) return { verdict: 'found', reason: 'DMI product_name starts with Exoscale' };
    return { verdict: 'not-found', reason: `DMI product_name "${f.dmi.productName ?? ''}" does not start with Exoscale` };
  },
  network: { formats: [], from: 'none (Exoscale gives none; fallback networking, DHCP on the first NIC)' },
  options: [
    { key: 'metadata_url', meaning: 'the metadata service base URL; the password server is on the same host', default: EXOSCALE_URL },
    { key: 'api_version', meaning: 'the metadata version path', default: EXOSCALE_API_VERSION },
    { key: 'password_server_port', meaning: 'the password server port', default: String(EXOSCALE_PASSWORD_PORT) },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
  ],
  find,
};
