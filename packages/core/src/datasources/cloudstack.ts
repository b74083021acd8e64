// Apache CloudStack: found by DMI (product_name starting "CloudStack", never in a
// container), as cloud-init's ds-identify. The metadata service is the instance's
// virtual router, which is its DHCP server: its address comes from the DHCP lease
// (systemd-networkd's SERVER_ADDRESS, then ISC dhclient's dhcp-server-identifier), else
// the default gateway. EC2-style meta-data and user-data under latest/, and the
// password server on port 8080 of the router (send_my_password, then saved_password),
// as cloud-init 25.x reads them; or a seed in /var/lib/cloud/seed/cs.
import { isDict } from '../config/merge.js';
import type { Host } from '../host/host.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import { crawlEc2MetaData } from './ec2.js';
import { SEED_DIR, readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, bodyText, metadataSettings } from './http.js';
import { metadataClient, normalizeKeys } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** Whether the facts say CloudStack (ds-identify: not a container, product_name "CloudStack*"). */
export function isCloudStack(f: Pick<PlatformFacts, 'dmi' | 'container'>): boolean {
  return f.container === null && (f.dmi.productName?.startsWith('CloudStack') ?? false);
}

/** SERVER_ADDRESS of a systemd-networkd lease file (KEY=value lines). */
export function networkdServerAddress(text: string): string | null {
  const m = /^SERVER_ADDRESS=(\S+)\s*$/m.exec(text);
  return m && IPV4.test(m[1] as string) ? (m[1] as string) : null;
}

/** The dhcp-server-identifier of the last lease in an ISC dhclient leases file. */
export function dhclientServerIdentifier(text: string): string | null {
  let found: string | null = null;
  for (const m of text.matchAll(/option\s+dhcp-server-identifier\s+([0-9.]+)\s*;/g)) if (IPV4.test(m[1] as string)) found = m[1] as string;
  return found;
}

/** The default route's gateway from /proc/net/route (little-endian hex), or null. */
export function defaultGateway(route: string): string | null {
  for (const line of route.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === '00000000' && f[2] !== undefined && /^[0-9A-Fa-f]{8}$/.test(f[2])) {
      const n = Number.parseInt(f[2], 16);
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
    }
  }
  return null;
}

const DHCLIENT_DIRS = ['/var/lib/dhclient', '/var/lib/dhcp', '/var/lib/NetworkManager'];

/** The virtual router's address and where it was found, from the tree's lease files or routing table. */
export function virtualRouter(host: Host): { address: string; from: string } | null {
  const leases = '/run/systemd/netif/leases';
  for (const f of host.fs.list(leases).sort()) {
    const a = networkdServerAddress(host.fs.readText(`${leases}/${f}`) ?? '');
    if (a !== null) return { address: a, from: `${leases}/${f} (SERVER_ADDRESS)` };
  }
  // The newest dhclient lease file first, as cloud-init's get_key_from_latest_lease.
  const files = DHCLIENT_DIRS.flatMap((d) =>
    host.fs
      .list(d)
      .filter((f) => /^dhclient.*\.leases?$/.test(f) || /\.lease$/.test(f))
      .map((f) => `${d}/${f}`),
  );
  files.sort((a, b) => (host.fs.stat(b)?.mtimeMs ?? 0) - (host.fs.stat(a)?.mtimeMs ?? 0));
  for (const p of files) {
    const a = dhclientServerIdentifier(host.fs.readText(p) ?? '');
    if (a !== null) return { address: a, from: `${p} (dhcp-server-identifier)` };
  }
  const gw = defaultGateway(host.fs.readText('/proc/net/route') ?? '');
  return gw === null ? null : { address: gw, from: '/proc/net/route (default gateway)' };
}

/**
 * The VM's password from the virtual router's password server: null when it has none
 * for us; `bad_request` is an error; a password received is acknowledged (saved_password)
 * so it is given once. The answer is trimmed, as cloud-init trims wget's output.
 */
export async function cloudStackPassword(client: MetadataClient, url: string): Promise<string | null> {
  const password = bodyText(await client.get(url, { DomU_Request: 'send_my_password' })).trim();
  if (password === '' || password === 'saved_password') return null;
  if (password === 'bad_request') throw new Error('the password server answered bad_request');
  await client.get(url, { DomU_Request: 'saved_password' });
  return password;
}

function unreachable(e: unknown): e is HttpError {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

function result(instanceId: string, md: Record<string, unknown>, userdata: Uint8Array | null, subplatform: string): DatasourceResult {
  const out: DatasourceResult = {
    dsname: 'CloudStack',
    description: 'DataSourceCloudStack',
    cloudName: 'cloudstack',
    platform: 'cloudstack',
    subplatform,
    dsmode: 'net',
    instanceId,
    publicKeys: normalizeKeys(isDict(md['public-keys']) ? Object.values(md['public-keys']) : md['public-keys']),
    metadata: md,
    userdata: userdata !== null && userdata.length > 0 ? userdata : null,
    vendordata: null,
    networkConfig: null,
  };
  if (typeof md['local-hostname'] === 'string' && md['local-hostname'] !== '') out.localHostname = (md['local-hostname'] as string).split('.')[0] as string;
  if (typeof md['availability-zone'] === 'string' && md['availability-zone'] !== '') out.availabilityZone = md['availability-zone'];
  return out;
}

/** The seed in /var/lib/cloud/seed/cs (meta-data YAML and user-data), or null when there is none. */
function fromSeed(host: Host): DatasourceResult | null {
  const dir = `${SEED_DIR}/cs`;
  const mdText = host.fs.readText(`${dir}/meta-data`);
  const ud = host.fs.read(`${dir}/user-data`);
  if (mdText === null || ud === null) return null;
  let md: unknown;
  try {
    md = loadYaml(mdText, `${dir}/meta-data`).value;
  } catch (e) {
    if (e instanceof YamlError) throw new DatasourceError(e.message);
    throw e;
  }
  if (!isDict(md)) throw new DatasourceError(`${dir}/meta-data: expected a YAML mapping`);
  const iid = md['instance-id'];
  if ((typeof iid !== 'string' && typeof iid !== 'number') || String(iid) === '') throw new DatasourceError(`${dir}/meta-data: key instance-id: expected a string`);
  return result(String(iid), md, new Uint8Array(ud), `seed-dir (${dir})`);
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  if (!isCloudStack(readPlatformFacts(host))) {
    log.debug('CloudStack: DMI product_name does not start with CloudStack (or in a container); not asking');
    return null;
  }
  const seeded = fromSeed(host);
  if (seeded !== null) return seeded;
  const vr = virtualRouter(host);
  if (vr === null) throw new DatasourceError('CloudStack: no virtual router found: no DHCP lease names a server and there is no default route');
  log.info(`CloudStack: virtual router ${vr.address}, from ${vr.from}`);
  const base = `http://${vr.address}`;
  const s = metadataSettings(ctx.dsCfg, { urls: [base], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource CloudStack: ${p}`);
  const client = metadataClient(ctx, s);
  let tree: Record<string, unknown>;
  let userdata: Uint8Array | null;
  try {
    await client.get(`${base}/latest/meta-data/instance-id`);
    userdata = await client.getOptional(`${base}/latest/user-data`);
    tree = (await crawlEc2MetaData(client, base, 'latest')).tree;
  } catch (e) {
    if (unreachable(e)) {
      log.warn(`CloudStack metadata service not reachable: ${e.message}`);
      return null;
    }
    throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
  }
  const iid = tree['instance-id'];
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${base}/latest/meta-data/instance-id: expected the instance id, got ${JSON.stringify(iid)}`);
  const out = result(iid, tree, userdata, `metadata (${base})`);
  const pwUrl = `http://${vr.address}:8080/`;
  try {
    const password = await cloudStackPassword(client, pwUrl);
    if (password !== null) out.config = { ssh_pwauth: true, password, chpasswd: { expire: false } };
  } catch (e) {
    log.error(`CloudStack: failed to fetch the password from the virtual router ${pwUrl}: ${(e as Error).message}`);
  }
  return out;
}

export const cloudStackDatasource: Datasource = {
  name: 'CloudStack',
  aliases: ['DataSourceCloudStack'],
  needs: 'net',
  order: 17,
  detectedBy: 'DMI product_name starting `CloudStack`, not in a container',
  detect(f) {
    if (isCloudStack(f)) return { verdict: 'found', reason: 'DMI product_name starts with CloudStack' };
    if (f.container !== null) return { verdict: 'not-found', reason: `in a container (${f.container})` };
    return { verdict: 'not-found', reason: `DMI product_name "${f.dmi.productName ?? ''}" does not start with CloudStack` };
  },
  network: { formats: [], from: 'none (CloudStack gives none; fallback networking, DHCP on the first NIC)' },
  options: METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
  find,
};
