// Microsoft Azure, as cloud-init 25.x reads it without the Linux agent: the
// provisioning ISO's ovf-env.xml (hostname, admin user, hashed password, SSH keys,
// custom data = user-data), the Instance Metadata Service (IMDS, with `Metadata: true`)
// for the instance's facts, keys and network interfaces, and the wireserver, which is
// told once per instance that provisioning is done ("report ready") or failed. Found
// locally by the DMI chassis asset tag Azure gives its VMs or the seed
// /var/lib/cloud/seed/azure/ovf-env.xml (helpers in azure/).
import type { Host } from '../host/host.js';
import { readNics } from '../net/sysfs.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { listFilesystemsWithBlkid, withDeviceTree } from './blockdev.js';
import { SEED_DIR } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, metadataSettings, type MetadataSettings } from './http.js';
import { dirTreeReader, type TreeReader } from './tree.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { AZURE_CHASSIS_ASSET_TAG, azureInstanceId, vmIdOf } from './azure/identity.js';
import { ImdsShapeError, computeString, fetchImds, imdsPublicKeys, networkConfigFromImds } from './azure/imds.js';
import { OvfError, ovfConfig, parseOvfEnv, type OvfEnv } from './azure/ovf.js';
import { randomSalt, sha512Crypt } from './azure/sha512-crypt.js';
import { WIRESERVER_ENDPOINT, encodeFailure, sendHealth } from './azure/wireserver.js';
import { metadataClient } from './cloud-meta.js';

export const AZURE_SEED = `${SEED_DIR}/azure`;
export const AZURE_IMDS_URL = 'http://169.254.169.254';
/** The ISO Azure attaches for provisioning; cloud-init looks there first. */
const PROVISIONING_DEVICE = '/dev/sr0';
/** Records the instance the wireserver was told about, so it is told once per instance. */
export const REPORTED_MARKER = '/var/lib/cloud/data/nimbus-azure-reported';
const OVF_MAX_BYTES = 1024 * 1024;

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Media {
  /** seed directory or device, as cloud-init's `seed`. */
  source: string;
  device: string | null;
  ovf: OvfEnv;
}

function readOvf(tree: TreeReader, source: string, device: string | null): Media | null {
  const bytes = tree.readFile('ovf-env.xml');
  if (bytes === null) return null;
  if (bytes.length > OVF_MAX_BYTES) throw new OvfError(`${tree.label}/ovf-env.xml: ${bytes.length} bytes, more than the ${OVF_MAX_BYTES} allowed`);
  const ovf = parseOvfEnv(Buffer.from(bytes).toString('utf8'), `${tree.label}/ovf-env.xml`);
  return ovf === null ? null : { source, device, ovf };
}

/**
 * The provisioning media, in cloud-init's order: the seed directory, /dev/sr0, then
 * every other ISO9660 or UDF filesystem. A device without an Azure ovf-env.xml is
 * skipped; an Azure one that is broken is an OvfError.
 */
async function findMedia(ctx: DatasourceContext): Promise<Media | null> {
  const { host, log } = ctx;
  if (host.fs.isDir(AZURE_SEED)) {
    const m = readOvf(dirTreeReader(host, AZURE_SEED), AZURE_SEED, null);
    if (m) return m;
  }
  const devices = [PROVISIONING_DEVICE];
  for (const f of listFilesystemsWithBlkid(host, log)) if ((f.type === 'iso9660' || f.type === 'udf') && !devices.includes(f.device)) devices.push(f.device);
  for (const dev of devices) {
    if (!host.fs.exists(dev)) continue;
    try {
      const m = await withDeviceTree(ctx, dev, (tree) => readOvf(tree, dev, dev));
      if (m) return m;
      log.debug(`Azure: no Azure ovf-env.xml on ${dev}`);
    } catch (e) {
      if (e instanceof OvfError) throw e;
      log.debug(`Azure: ${dev}: ${(e as Error).message}`);
    }
  }
  return null;
}

function settings(ctx: DatasourceContext, quiet = false): MetadataSettings {
  const s = metadataSettings(ctx.dsCfg, { urls: [AZURE_IMDS_URL], ...METADATA_DEFAULTS });
  if (!quiet) for (const p of s.problems) ctx.log.warn(`datasource Azure: ${p}`);
  return s;
}

function flag(ctx: DatasourceContext, key: string, def: boolean): boolean {
  const v = ctx.dsCfg[key];
  if (v === undefined || v === null) return def;
  if (typeof v === 'boolean') return v;
  ctx.log.warn(`datasource Azure: ${key}: ${JSON.stringify(v)} is not true or false, using ${def}`);
  return def;
}

function wireserverEndpoint(ctx: DatasourceContext): string {
  const v = ctx.dsCfg['wireserver_endpoint'];
  if (v === undefined || v === null) return WIRESERVER_ENDPOINT;
  if (typeof v === 'string' && /^[A-Za-z0-9.[\]:-]+$/.test(v)) return v;
  ctx.log.warn(`datasource Azure: wireserver_endpoint: ${JSON.stringify(v)} is not a host[:port], using ${WIRESERVER_ENDPOINT}`);
  return WIRESERVER_ENDPOINT;
}

/** The failure description the platform shows, in cloud-init's encoding. */
export function failureDescription(reason: string, host: Host, now: Date, extra: [string, string][] = []): string {
  let vmId: string;
  try {
    vmId = vmIdOf(host) ?? 'failed to read vm id: no system uuid';
  } catch (e) {
    vmId = `failed to read vm id: ${(e as Error).message}`;
  }
  return encodeFailure([
    ['result', 'error'],
    ['reason', reason],
    ['agent', `nimbus/${NIMBUS_VERSION_STRING}`],
    ...extra,
    ['vm_id', vmId],
    // Python's isoformat() of an aware UTC time, as cloud-init writes it.
    ['timestamp', now.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00')],
    ['documentation_url', 'https://aka.ms/linuxprovisioningerror'],
  ]);
}

/** Tells the wireserver about this instance once: a failure (with its reason) or ready. */
async function report(ctx: DatasourceContext, iid: string | null, failure: string | null, ejectDevice: string | null, extra: [string, string][] = []): Promise<boolean> {
  const { host, log } = ctx;
  if (iid !== null && host.fs.readText(REPORTED_MARKER)?.trim() === iid) {
    log.debug(`Azure: the wireserver was already told about instance ${iid}`);
    return false;
  }
  const endpoint = wireserverEndpoint(ctx);
  // The wireserver gets a budget of its own, as long as the IMDS one (the settings were already reported).
  const c = metadataClient(ctx, settings(ctx, true));
  try {
    if (failure !== null) {
      await sendHealth(c, endpoint, 'NotReady', failureDescription(failure, host, new Date(host.clock.now() * 1000), extra));
      log.warn(`Azure: reported the provisioning failure to the wireserver at ${endpoint}: ${failure}`);
    } else {
      // cloud-init ejects the provisioning ISO before it reports ready.
      if (ejectDevice !== null && host.exec.has('eject')) {
        const r = host.exec.run(['eject', ejectDevice], { timeoutMs: 30_000 });
        if (r.code !== 0) log.warn(`Azure: eject ${ejectDevice} failed: ${(r.error ?? r.stderr.trim()) || `exit ${r.code}`}`);
      }
      await sendHealth(c, endpoint, 'Ready');
      log.info(`Azure: reported ready to the wireserver at ${endpoint}`);
    }
    if (iid !== null) host.fs.write(REPORTED_MARKER, `${iid}\n`, { mode: 0o644 });
    return true;
  } catch (e) {
    log.warn(`Azure: could not report ${failure === null ? 'ready' : 'the failure'} to the wireserver: ${(e as Error).message}`);
    return false;
  }
}

/** cloud-init's words for an IMDS failure, in the report the platform shows. */
function imdsReason(e: unknown): string {
  if (e instanceof HttpError) {
    if (e.kind === 'status' && e.status !== undefined) return `http error ${e.status} querying IMDS`;
    if (e.kind === 'timeout') return 'read timeout querying IMDS';
    if (e.kind === 'connection') return 'connection error querying IMDS';
    if (e.kind === 'invalid') return 'error parsing IMDS metadata';
    return 'unexpected error querying IMDS';
  }
  return 'error parsing IMDS metadata';
}

/** The supporting data cloud-init adds to an IMDS failure: the HTTP code, the time spent, the error and the URL. */
function imdsSupport(e: unknown, durationS: number): [string, string][] {
  const msg = (e as Error).message;
  if (e instanceof HttpError && e.kind !== 'invalid') {
    return [...(e.status !== undefined ? [['http_code', String(e.status)] as [string, string]] : []), ['duration', durationS.toFixed(3)], ['exception', e.reason], ['url', e.url]];
  }
  return [['exception', msg]];
}

/** A failure of the service to answer at all (nothing to report as the platform's fault). */
function unanswered(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || (e.kind === 'budget' && e.status === undefined));
}

function withoutUserData(imds: Dict): Dict {
  const compute = imds['compute'];
  if (!isDict(compute) || !('userData' in compute)) return imds;
  const { userData: _omit, ...rest } = compute;
  return { ...imds, compute: rest };
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const onAzure = host.sysfs.dmi('chassis_asset_tag')?.trim() === AZURE_CHASSIS_ASSET_TAG;
  let media: Media | null = null;
  let ovfFailure: string | null = null;
  try {
    media = await findMedia(ctx);
  } catch (e) {
    if (!(e instanceof OvfError)) throw e;
    ovfFailure = e.message;
  }
  if (!onAzure && media === null && ovfFailure === null) {
    log.debug('Azure: no Azure chassis asset tag and no ovf-env.xml');
    return null;
  }
  const s = settings(ctx);
  const base = s.urls[0] as string;
  let imds: Dict | null = null;
  let imdsError: unknown = null;
  const imdsStart = host.clock.monotonicMs();
  try {
    imds = await fetchImds(metadataClient(ctx, s), base, (m) => log.debug(m), ctx.stage === 'local');
  } catch (e) {
    if (!(e instanceof HttpError || e instanceof ImdsShapeError)) throw e;
    // nimbus has no ephemeral DHCP: before the network is up the init stage reads Azure.
    if (ctx.stage === 'local' && e instanceof HttpError && e.kind === 'connection') {
      log.info(`Azure: IMDS not reachable before the network is up (${e.reason}); the init stage reads it`);
      return null;
    }
    imdsError = e;
  }
  const iid = azureInstanceId(host) ?? (imds ? computeString(imds, 'vmId') : undefined) ?? null;
  if (ovfFailure !== null) {
    await report(ctx, iid, `error parsing ovf-env.xml: ${ovfFailure}`, null);
    throw new DatasourceError(ovfFailure);
  }
  let negotiated = false;
  if (imdsError !== null) {
    const msg = (imdsError as Error).message;
    if (media === null) {
      await report(ctx, iid, `No OVF or IMDS available: ${imdsReason(imdsError)}`, null);
      throw new DatasourceError(`no ovf-env.xml and IMDS failed: ${msg}`);
    }
    log.warn(`Azure: ignoring IMDS metadata: ${msg}`);
    // As cloud-init: an IMDS that answered wrongly is the platform's failure to hear
    // about; one that did not answer is not, and provisioning goes on from ovf-env.xml.
    if (!unanswered(imdsError)) negotiated = await report(ctx, iid, imdsReason(imdsError), null, imdsSupport(imdsError, (host.clock.monotonicMs() - imdsStart) / 1000));
  }
  if (iid === null) throw new DatasourceError('no instance-id: DMI has no product_uuid and IMDS gave no compute.vmId');

  const ovf = media?.ovf ?? null;
  const osProfile = imds && isDict(imds['compute']) && isDict((imds['compute'] as Dict)['osProfile']) ? ((imds['compute'] as Dict)['osProfile'] as Dict) : {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const hostname = str(osProfile['computerName']) ?? ovf?.hostname ?? (imds ? computeString(imds, 'name') : undefined);
  const username = str(osProfile['adminUsername']) ?? ovf?.username;
  const cfg: Dict = ovf ? ovfConfig(ovf, (p) => sha512Crypt(p, randomSalt())) : {};
  if (username !== undefined) {
    const si = (cfg['system_info'] ??= {}) as Dict;
    si['default_user'] = { ...(isDict(si['default_user']) ? si['default_user'] : {}), name: username };
  }
  if (typeof osProfile['disablePasswordAuthentication'] === 'string') cfg['ssh_pwauth'] = osProfile['disablePasswordAuthentication'] !== 'true';

  let publicKeys = imds ? imdsPublicKeys(imds) : null;
  if (publicKeys === null) {
    publicKeys = (ovf?.publicKeys ?? []).filter((k) => k.value !== '').map((k) => k.value);
    const byFingerprint = (ovf?.publicKeys ?? []).filter((k) => k.value === '' && k.fingerprint);
    if (byFingerprint.length > 0) log.warn(`Azure: not supported: ${byFingerprint.length} SSH key(s) given in ovf-env.xml only by fingerprint (fetched from the wireserver's certificates)`);
  }

  let userdata: Uint8Array | null = ovf?.customData ?? null;
  if (userdata === null && imds) {
    const ud = computeString(imds, 'userData');
    if (ud !== undefined) {
      const compact = ud.replace(/\s+/g, '');
      if (/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) userdata = new Uint8Array(Buffer.from(compact, 'base64'));
      else log.warn(`Azure: ${base}: compute.userData is not base64; no user-data from IMDS`);
    }
  }

  let networkConfig: DatasourceResult['networkConfig'] = null;
  if (imds && flag(ctx, 'apply_network_config', true)) {
    try {
      const config = networkConfigFromImds(imds['network'], flag(ctx, 'apply_network_config_for_secondary_ips', true), readNics(host.sysfs));
      networkConfig = { format: 'v2', config, source: `${base}/metadata/instance (network)` };
    } catch (e) {
      if (!(e instanceof ImdsShapeError)) throw e;
      log.error(`Azure: no network config from IMDS (fallback networking applies): ${e.message}`);
    }
  }

  if (!negotiated) await report(ctx, iid, null, media?.device ?? null);

  const seed = media?.source ?? 'IMDS';
  const subplatform = seed.startsWith('/dev') ? `config-disk (${seed})` : seed === 'IMDS' ? 'imds (IMDS)' : `seed-dir (${seed})`;
  const metadata: Dict = { 'instance-id': iid, 'local-hostname': hostname ?? '', imds: imds ? withoutUserData(imds) : {} };
  const result: DatasourceResult = {
    dsname: 'Azure',
    description: `DataSourceAzure [seed=${seed}]`,
    cloudName: 'azure',
    platform: 'azure',
    subplatform,
    dsmode: 'local',
    instanceId: iid,
    publicKeys,
    metadata,
    userdata,
    vendordata: null,
    networkConfig,
    config: cfg,
  };
  if (hostname !== undefined) result.localHostname = hostname;
  const region = imds ? computeString(imds, 'location') : undefined;
  if (region) result.region = region;
  // cloud-init 25.x gives the fault domain as the availability zone (compute.zone stays in the metadata).
  const fd = imds && isDict(imds['compute']) ? (imds['compute'] as Dict)['platformFaultDomain'] : undefined;
  if (typeof fd === 'string' && fd !== '') result.availabilityZone = fd;
  return result;
}

export const azureDatasource: Datasource = {
  name: 'Azure',
  aliases: ['DataSourceAzure', 'DataSourceAzureNet'],
  needs: 'local',
  order: 6,
  detectedBy: `DMI chassis_asset_tag \`${AZURE_CHASSIS_ASSET_TAG}\`, \`${AZURE_SEED}/ovf-env.xml\`, or a filesystem labelled \`rd_rdfe_*\` on a Microsoft (Hyper-V) machine`,
  detect(f) {
    if (f.dmi.chassisAssetTag === AZURE_CHASSIS_ASSET_TAG) return { verdict: 'found', reason: 'DMI chassis asset tag is Azure' };
    if (f.seeds.azure) return { verdict: 'found', reason: `seed ${AZURE_SEED}/ovf-env.xml` };
    const rd = f.filesystems.find((x) => x.label?.startsWith('rd_rdfe_'));
    if (rd && f.dmi.sysVendor === 'Microsoft Corporation') return { verdict: 'found', reason: `provisioning media ${rd.device} labelled ${rd.label} on a Microsoft machine` };
    return { verdict: 'not-found', reason: 'no Azure chassis asset tag, no seed ovf-env.xml' };
  },
  network: { formats: ['v2'], from: 'IMDS `network.interface`: eth<N> by MAC, DHCPv4 with route metric (N+1)×100, DHCPv6 with IPv6 addresses, further addresses static' },
  options: [
    ...METADATA_SERVICE_OPTIONS.map((o) => (o.key === 'metadata_urls' ? { ...o, meaning: 'IMDS base URL (the first is used; a nimbus key)' } : o)),
    { key: 'apply_network_config', meaning: 'network config from IMDS; `false` leaves fallback networking', default: 'true' },
    { key: 'apply_network_config_for_secondary_ips', meaning: 'the further addresses of each NIC as static addresses', default: 'true' },
    { key: 'wireserver_endpoint', meaning: 'the wireserver as host[:port] (a nimbus key; cloud-init takes it from the DHCP lease)', default: WIRESERVER_ENDPOINT },
  ],
  find,
  async currentInstanceId(ctx) {
    return azureInstanceId(ctx.host);
  },
};
