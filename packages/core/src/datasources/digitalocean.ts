// DigitalOcean: found by DMI (sys_vendor "DigitalOcean", the droplet id as the product
// serial), as cloud-init's ds-identify. Read in the local stage, as cloud-init 25.x does:
// a random 169.254.x.y/16 address on the first physical NIC (the link-local network is
// routed per droplet), http://169.254.169.254/metadata/v1.json, then the address is
// flushed again. The droplet's interfaces become network config v1 (public → eth0,
// private → eth1, matched by MAC), rendered before the network is up.
import { randomInt } from 'node:crypto';
import { isDict } from '../config/merge.js';
import type { Host } from '../host/host.js';
import { macToName, readNics } from '../net/sysfs.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, metadataSettings, parseJsonBody } from './http.js';
import { configuredUrl, metadataClient } from './cloud-meta.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const DO_METADATA_URL = 'http://169.254.169.254/metadata/v1.json';
const NIC_MAP: Readonly<Record<string, string>> = { public: 'eth0', private: 'eth1' };

/** Whether DMI says DigitalOcean (ds-identify's dmi_sys_vendor_is DigitalOcean). */
export function isDigitalOcean(f: Pick<PlatformFacts, 'dmi'>): boolean {
  return f.dmi.sysVendor === 'DigitalOcean';
}

/** A droplet interface's `ipv4`/`ipv6`/`anchor_*` entry as a v1 static subnet. */
function subnet(where: string, raw: unknown, withGateway: boolean): Record<string, unknown> {
  if (!isDict(raw) || typeof raw['ip_address'] !== 'string') throw new Error(`${where}: expected an object with an ip_address string`);
  const ip = raw['ip_address'];
  const out: Record<string, unknown> = { type: 'static', control: 'auto' };
  if (ip.includes(':')) out['address'] = `${ip}/${String(raw['cidr'])}`;
  else {
    out['address'] = ip;
    out['netmask'] = raw['netmask'];
  }
  if (withGateway && raw['gateway'] !== undefined) out['gateway'] = raw['gateway'];
  return out;
}

/**
 * DigitalOcean's `interfaces` (and `dns.nameservers`) as network config v1, as cloud-init's
 * convert_network_configuration: the first interface of each kind, named eth0 (public),
 * eth1 (private) or as the kernel names it, matched by MAC; the gateway only on the
 * public interface's own addresses, not on anchor ones. Throws when the shape is wrong
 * or a MAC is on no NIC of this machine.
 */
export function doNetworkConfig(interfaces: unknown, nameservers: unknown, macs: ReadonlyMap<string, string>): Record<string, unknown> {
  if (!isDict(interfaces)) throw new Error('interfaces: expected an object of interface lists');
  const config: Record<string, unknown>[] = [];
  for (const [kind, list] of Object.entries(interfaces)) {
    if (!Array.isArray(list) || !isDict(list[0])) throw new Error(`interfaces.${kind}: expected a list of interface objects`);
    const nic = list[0];
    const mac = nic['mac'];
    const sysName = typeof mac === 'string' ? macs.get(mac) : undefined;
    if (typeof mac !== 'string' || sysName === undefined) throw new Error(`interfaces.${kind}: no network interface on this machine has MAC ${JSON.stringify(mac)}`);
    const type = typeof nic['type'] === 'string' ? nic['type'] : 'unknown';
    const subnets: Record<string, unknown>[] = [];
    for (const def of ['ipv4', 'ipv6', 'anchor_ipv4', 'anchor_ipv6']) {
      const raw = nic[def];
      if (raw === undefined || raw === null || (isDict(raw) && Object.keys(raw).length === 0)) continue;
      subnets.push(subnet(`interfaces.${kind}[0].${def}`, raw, type === 'public' && !def.startsWith('anchor')));
    }
    config.push({ type: 'physical', mac_address: mac, name: NIC_MAP[type] ?? sysName, subnets });
  }
  if (Array.isArray(nameservers) && nameservers.length > 0) config.push({ type: 'nameserver', address: nameservers });
  return { version: 1, config };
}

/** The physical NIC with the lowest ifindex, which reaches the metadata service (cloud-init's get_link_local_nic). */
function linkLocalNic(host: Host): string | null {
  const nics = readNics(host.sysfs).filter((n) => n.virtual === null);
  const index = (name: string) => {
    const v = Number(host.sysfs.netAttr(name, 'ifindex'));
    return Number.isFinite(v) ? v : Number.MAX_SAFE_INTEGER;
  };
  nics.sort((a, b) => index(a.name) - index(b.name));
  return nics[0]?.name ?? null;
}

function ip(ctx: DatasourceContext, argv: string[]): void {
  const r = ctx.host.exec.run(argv);
  if (!r.recorded && (r.code !== 0 || r.error)) throw new DatasourceError(`DigitalOcean: ${argv.join(' ')} failed: ${r.error ?? r.stderr.trim()}`);
}

function flag(ctx: DatasourceContext, key: string, def: boolean): boolean {
  const v = ctx.dsCfg[key];
  if (v === undefined || v === null) return def;
  if (typeof v === 'boolean') return v;
  ctx.log.warn(`datasource DigitalOcean: ${key}: ${JSON.stringify(v)} is not true or false, using ${def}`);
  return def;
}

async function readMetadata(ctx: DatasourceContext, url: string): Promise<unknown> {
  const s = metadataSettings(ctx.dsCfg, { urls: [url], ...METADATA_DEFAULTS });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) ctx.log.warn(`datasource DigitalOcean: ${p}`);
  const client = metadataClient(ctx, s);
  return parseJsonBody(url, await client.get(url));
}

function optionalText(url: string, md: Record<string, unknown>, key: string): Uint8Array | null {
  const v = md[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new DatasourceError(`${url}: key ${key}: expected a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  return new Uint8Array(Buffer.from(v, 'utf8'));
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const facts = readPlatformFacts(host);
  if (!isDigitalOcean(facts)) {
    log.debug('DigitalOcean: DMI sys_vendor is not DigitalOcean; not asking the metadata service');
    return null;
  }
  const dropletId = facts.dmi.productSerial;
  if (dropletId === null) throw new DatasourceError('DigitalOcean: DMI says DigitalOcean but gives no droplet id (product_serial is empty)');
  log.info(`Running on DigitalOcean. droplet_id=${dropletId}`);
  const url = configuredUrl(ctx, 'DigitalOcean', 'metadata_url', DO_METADATA_URL);
  let nic: string | null = null;
  if (flag(ctx, 'use_ip4LL', true)) {
    nic = linkLocalNic(host);
    if (nic === null) throw new DatasourceError('DigitalOcean: no physical network interface to reach the metadata service from');
    ip(ctx, ['ip', '-family', 'inet', 'addr', 'add', `169.254.${randomInt(1, 169)}.${randomInt(0, 256)}/16`, 'dev', nic]);
    ip(ctx, ['ip', 'link', 'set', 'dev', nic, 'up']);
  }
  let doc: unknown;
  try {
    doc = await readMetadata(ctx, url);
  } catch (e) {
    if (e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget')) {
      log.warn(`DigitalOcean metadata service not reachable: ${e.message}`);
      return null;
    }
    throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
  } finally {
    // The link-local address was only for this read; left on, it confuses users.
    if (nic !== null) {
      const r = host.exec.run(['ip', 'addr', 'flush', 'dev', nic]);
      if (!r.recorded && r.code !== 0) log.warn(`DigitalOcean: could not remove the link-local address from ${nic}: ${r.error ?? r.stderr.trim()}`);
    }
  }
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : typeof doc}`);
  const droplet = doc['droplet_id'] ?? dropletId;
  const hostname = doc['hostname'] ?? dropletId;
  if ((typeof droplet !== 'string' && typeof droplet !== 'number') || String(droplet) === '') throw new DatasourceError(`${url}: key droplet_id: expected a number or a string`);
  if (typeof hostname !== 'string') throw new DatasourceError(`${url}: key hostname: expected a string`);
  const region = doc['region'] ?? 'default';
  if (typeof region !== 'string') throw new DatasourceError(`${url}: key region: expected a string`);
  const keys = doc['public_keys'];
  if (keys !== undefined && keys !== null && typeof keys !== 'string' && !Array.isArray(keys)) throw new DatasourceError(`${url}: key public_keys: expected a list`);
  const publicKeys = typeof keys === 'string' ? keys.split(/\r?\n/).filter((k) => k !== '') : Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '') : [];
  const md: Record<string, unknown> = {
    'instance-id': droplet,
    'local-hostname': hostname,
    interfaces: doc['interfaces'] ?? null,
    'public-keys': keys ?? null,
    availability_zone: region,
  };
  let networkConfig: DatasourceResult['networkConfig'] = null;
  if (doc['interfaces']) {
    const dns = doc['dns'];
    try {
      const config = doNetworkConfig(doc['interfaces'], isDict(dns) ? dns['nameservers'] : undefined, macToName(readNics(host.sysfs)));
      networkConfig = { format: 'v1', config, source: `${url} (interfaces)` };
    } catch (e) {
      log.error(`DigitalOcean: no network config from ${url} (fallback networking applies): ${(e as Error).message}`);
    }
  } else log.error(`DigitalOcean: ${url} has no interfaces; fallback networking applies`);
  const result: DatasourceResult = {
    dsname: 'DigitalOcean',
    description: 'DataSourceDigitalOcean',
    cloudName: 'digitalocean',
    platform: 'digitalocean',
    subplatform: `metadata (${url})`,
    dsmode: 'local',
    instanceId: String(droplet),
    publicKeys,
    metadata: md,
    userdata: optionalText(url, doc, 'user_data'),
    vendordata: optionalText(url, doc, 'vendor_data'),
    networkConfig,
    availabilityZone: region,
  };
  // The short name, as cloud-init's get_hostname gives local_hostname.
  const short = hostname.split('.')[0] as string;
  if (short !== '') result.localHostname = short;
  return result;
}

export const digitalOceanDatasource: Datasource = {
  name: 'DigitalOcean',
  aliases: ['DataSourceDigitalOcean'],
  needs: 'local',
  order: 5,
  detectedBy: 'DMI sys_vendor `DigitalOcean`',
  detect(f) {
    if (isDigitalOcean(f)) return { verdict: 'found', reason: 'DMI sys_vendor is DigitalOcean' };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not DigitalOcean` };
  },
  network: { formats: ['v1'], from: '`interfaces` and `dns.nameservers` of metadata/v1.json (public → eth0, private → eth1, by MAC)' },
  options: [
    { key: 'metadata_url', meaning: 'the metadata document URL', default: DO_METADATA_URL },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
    { key: 'use_ip4LL', meaning: 'put a random 169.254.x.y/16 address on the first physical NIC while reading, then flush it', default: 'true' },
  ],
  find,
  async currentInstanceId(ctx) {
    // The droplet id is the DMI serial, as cloud-init's check_instance_id compares.
    const f = readPlatformFacts(ctx.host);
    return isDigitalOcean(f) ? f.dmi.productSerial : null;
  },
};
