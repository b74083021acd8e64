// Vultr: found by DMI (sys_vendor "Vultr"), the word `vultr` on the kernel command line
// (bare metal) or /etc/vultr, as cloud-init's ds-identify. One JSON document,
// http://169.254.169.254/v1.json, asked with `Metadata-Token: cloudinit` and a
// User-Agent naming the OS (Vultr builds its vendor-data for it), as cloud-init 25.x
// reads it. Network config v1 from `cloud_interfaces` (names filled in by MAC) or built
// from `interfaces`: the first is public (DHCPv4 + SLAAC), the others private static.
import { isDict } from '../config/merge.js';
import { detectDistro } from '../distro/detect.js';
import { macToName, readNics } from '../net/sysfs.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { cmdlineArgs, hasMarker, readMarkerFiles, readPlatformFacts, type DetectFacts } from './facts.js';
import { HttpError, METADATA_SERVICE_OPTIONS, MetadataClient, metadataSettings, parseJsonBody } from './http.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const VULTR_URL = 'http://169.254.169.254';
/** Vultr's resolvers, which cloud-init always puts first in the network config it builds. */
export const VULTR_NAMESERVERS = ['108.61.10.10', '2001:19f0:300:1704::6'] as const;

type Dict = Record<string, unknown>;

/** Why the facts say Vultr, or null (ds-identify's dscheck_Vultr). */
export function vultrReason(f: Pick<DetectFacts, 'dmi' | 'cmdline' | 'markerFiles'>): string | null {
  if (f.dmi.sysVendor === 'Vultr') return 'DMI sys_vendor is Vultr';
  if (cmdlineArgs(f.cmdline).has('vultr')) return '`vultr` on the kernel command line (bare metal)';
  if (hasMarker(f, '/etc/vultr')) return '/etc/vultr exists';
  return null;
}

function nicName(mac: unknown, where: string, macs: ReadonlyMap<string, string>): string {
  const name = typeof mac === 'string' ? macs.get(mac.toLowerCase()) : undefined;
  if (name === undefined) throw new Error(`${where}: no network interface on this machine has MAC ${JSON.stringify(mac)}`);
  return name;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list`);
  return v;
}

/** One `interfaces` entry as a v1 physical interface, as cloud-init's generate_interface. */
function vultrInterface(nic: unknown, i: number, macs: ReadonlyMap<string, string>): Dict {
  const where = `interfaces[${i}]`;
  if (!isDict(nic)) throw new Error(`${where}: expected an object`);
  const out: Dict = { name: nicName(nic['mac'], `${where}.mac`, macs), type: 'physical', mac_address: nic['mac'] };
  const ipv4 = isDict(nic['ipv4']) ? nic['ipv4'] : null;
  const ipv6 = isDict(nic['ipv6']) ? nic['ipv6'] : null;
  let subnets: Dict[];
  if (i === 0) {
    out['accept-ra'] = 1;
    subnets = [
      { type: 'dhcp', control: 'auto' },
      { type: 'ipv6_slaac', control: 'auto' },
    ];
  } else {
    if (ipv4 === null || typeof ipv4['address'] !== 'string' || typeof ipv4['netmask'] !== 'string') throw new Error(`${where}.ipv4: expected an object with address and netmask strings`);
    subnets = [{ type: 'static', control: 'auto', address: ipv4['address'], netmask: ipv4['netmask'] }];
  }
  out['subnets'] = subnets;
  if (nic['mtu'] !== undefined) out['mtu'] = nic['mtu'];
  if (nic['accept-ra'] !== undefined) out['accept-ra'] = nic['accept-ra'];
  if (nic['routes'] !== undefined) (subnets[0] as Dict)['routes'] = nic['routes'];
  list(ipv4?.['additional'], `${where}.ipv4.additional`).forEach((a, j) => {
    if (!isDict(a) || typeof a['address'] !== 'string') throw new Error(`${where}.ipv4.additional[${j}]: expected an object with an address string`);
    subnets.push({ type: 'static', control: 'auto', address: a['address'], netmask: a['netmask'], ...(a['routes'] !== undefined ? { routes: a['routes'] } : {}) });
  });
  list(ipv6?.['additional'], `${where}.ipv6.additional`).forEach((a, j) => {
    if (!isDict(a) || typeof a['network'] !== 'string') throw new Error(`${where}.ipv6.additional[${j}]: expected an object with a network string`);
    subnets.push({ type: 'static6', control: 'auto', address: `${a['network']}/${String(a['prefix'])}`, ...(a['routes'] !== undefined ? { routes: a['routes'] } : {}) });
  });
  return out;
}

/**
 * The network config v1 for a Vultr instance, as cloud-init builds it: `cloud_interfaces`
 * when the metadata has it (each physical entry named by its MAC on this machine), else
 * from `interfaces` (Vultr's resolvers, the first interface public with DHCPv4 and SLAAC,
 * the others static unless `unconfigured`). Throws naming the key when the shape is
 * wrong or a MAC is on no NIC of this machine.
 */
export function vultrNetworkConfig(md: Dict, macs: ReadonlyMap<string, string>): Dict {
  const cloud = md['cloud_interfaces'];
  if (cloud !== undefined) {
    if (!isDict(cloud) || !Array.isArray(cloud['config'])) throw new Error('cloud_interfaces: expected network config v1 (an object with a config list)');
    const config = cloud['config'].map((e, i) => {
      if (!isDict(e)) throw new Error(`cloud_interfaces.config[${i}]: expected an object`);
      return e['type'] === 'physical' ? { ...e, name: nicName(e['mac_address'], `cloud_interfaces.config[${i}].mac_address`, macs) } : e;
    });
    return { ...cloud, config };
  }
  const interfaces = list(md['interfaces'], 'interfaces');
  const config: Dict[] = [{ type: 'nameserver', address: [...VULTR_NAMESERVERS] }];
  interfaces.forEach((nic, i) => {
    if (i > 0 && isDict(nic) && nic['unconfigured']) return;
    config.push(vultrInterface(nic, i, macs));
  });
  return { version: 1, config };
}

function optionalText(url: string, md: Dict, key: string): Uint8Array | null {
  const v = md[key];
  // Vultr sends `[]` for "none", and cloud-init treats "" the same.
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return null;
  if (typeof v !== 'string') throw new DatasourceError(`${url}: key ${key}: expected a string, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  return new Uint8Array(Buffer.from(v, 'utf8'));
}

function stringKey(ctx: DatasourceContext, key: string, def: string, check: (v: string) => boolean, what: string): string {
  const raw = ctx.dsCfg[key];
  if (raw === undefined || raw === null) return def;
  if (typeof raw === 'string' && check(raw)) return raw;
  ctx.log.warn(`datasource Vultr: ${key}: ${JSON.stringify(raw)} is not ${what}, using ${def}`);
  return def;
}

function pauseMs(ctx: DatasourceContext): number {
  const raw = ctx.dsCfg['wait'];
  if (raw === undefined || raw === null) return 250;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (Number.isFinite(n) && n >= 0) return Math.round(n * 1000);
  ctx.log.warn(`datasource Vultr: wait: ${JSON.stringify(raw)} is not a number >= 0, using 0.25`);
  return 250;
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const why = vultrReason({ ...readPlatformFacts(host), cmdline: host.sysfs.cmdline(), markerFiles: readMarkerFiles(host) });
  if (why === null) {
    log.debug('Vultr: not a Vultr machine (DMI, kernel command line, /etc/vultr); not asking the metadata service');
    return null;
  }
  log.debug(`Vultr: ${why}`);
  const base = stringKey(ctx, 'url', VULTR_URL, (u) => /^https?:\/\/[^/\s]+/.test(u), 'an http(s) URL').replace(/\/+$/, '');
  const agent = stringKey(ctx, 'user-agent', `Cloud-Init/nimbus-${NIMBUS_VERSION_STRING} - OS: Linux Variant: ${detectDistro(host.fs).id}`, (a) => !/[\r\n]/.test(a), 'a one-line string');
  const url = `${base}/v1.json`;
  const s = metadataSettings(ctx.dsCfg, { urls: [base], timeout: 5, retries: 3, maxWait: 10 });
  for (const p of s.problems) if (!p.startsWith('metadata_urls')) log.warn(`datasource Vultr: ${p}`);
  const client = new MetadataClient(
    s.budgetMs,
    { timeoutMs: s.timeoutMs, retries: s.retries, backoffMs: pauseMs(ctx) },
    () => host.clock.monotonicMs(),
    (m) => log.debug(m),
  );
  let doc: unknown;
  try {
    doc = parseJsonBody(url, await client.get(url, { 'Metadata-Token': 'cloudinit', 'User-Agent': agent }));
  } catch (e) {
    if (e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget')) {
      log.warn(`Vultr metadata service not reachable: ${e.message}`);
      return null;
    }
    throw new DatasourceError((e as Error).message);
  }
  if (!isDict(doc)) throw new DatasourceError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc}`);
  const iid = doc['instance-v2-id'];
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${url}: key instance-v2-id: expected a non-empty string`);
  const hostname = doc['hostname'] ?? '';
  if (typeof hostname !== 'string') throw new DatasourceError(`${url}: key hostname: expected a string`);
  const region = doc['region'];
  if (!isDict(region)) throw new DatasourceError(`${url}: key region: expected an object with regioncode`);
  const code = region['countrycode'] ?? region['regioncode'];
  if (typeof code !== 'string') throw new DatasourceError(`${url}: key region.${region['countrycode'] !== undefined ? 'countrycode' : 'regioncode'}: expected a string`);
  const keys = doc['public-keys'];
  if (keys !== undefined && keys !== null && typeof keys !== 'string' && !Array.isArray(keys)) throw new DatasourceError(`${url}: key public-keys: expected a list`);
  const publicKeys = typeof keys === 'string' ? keys.split(/\r?\n/).filter((k) => k !== '') : Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '') : [];
  const userdata = optionalText(url, doc, 'user-data');
  const vendordata = optionalText(url, doc, 'vendor-data');
  // As cloud-init's refactor_metadata; what is user-data, vendor-data or a script stays out of the public copy.
  const { 'user-data': _u, 'vendor-data': _v, 'startup-script': script, ...rest } = doc;
  const md: Dict = { ...rest, 'instance-id': iid, 'local-hostname': hostname === '' ? 'guest' : hostname, region: code.toLowerCase() };
  let networkConfig: DatasourceResult['networkConfig'] = null;
  try {
    networkConfig = { format: 'v1', config: vultrNetworkConfig(doc, macToName(readNics(host.sysfs))), source: `${url} (${doc['cloud_interfaces'] !== undefined ? 'cloud_interfaces' : 'interfaces'})` };
  } catch (e) {
    log.error(`Vultr: no network config from ${url} (fallback networking applies): ${(e as Error).message}`);
  }
  const result: DatasourceResult = {
    dsname: 'Vultr',
    description: 'DataSourceVultr',
    cloudName: 'vultr',
    platform: 'vultr',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: iid,
    localHostname: md['local-hostname'] as string,
    region: code.toLowerCase(),
    publicKeys,
    metadata: md,
    userdata,
    vendordata,
    networkConfig,
  };
  if (script !== undefined) result.sensitive = { 'startup-script': script };
  return result;
}

export const vultrDatasource: Datasource = {
  name: 'Vultr',
  aliases: ['DataSourceVultr'],
  needs: 'net',
  order: 14,
  detectedBy: 'DMI sys_vendor `Vultr`, `vultr` on the kernel command line, or `/etc/vultr`',
  detect(f) {
    const why = vultrReason(f);
    if (why !== null) return { verdict: 'found', reason: why };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not Vultr, no \`vultr\` on the kernel command line, no /etc/vultr` };
  },
  network: { formats: ['v1'], from: '`cloud_interfaces` of v1.json (named by MAC), else built from `interfaces`: the first DHCPv4 + SLAAC, the others static' },
  options: [
    { key: 'url', meaning: 'the metadata service base URL (`/v1.json` is read below it)', default: VULTR_URL },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
    { key: 'wait', meaning: 'seconds of the first pause between attempts (doubling, at most 2 s)', default: '0.25' },
    { key: 'user-agent', meaning: 'the User-Agent sent (Vultr builds its vendor-data for the OS it names)', default: '`Cloud-Init/nimbus-<version> - OS: Linux Variant: <os-release ID>`' },
  ],
  find,
};
