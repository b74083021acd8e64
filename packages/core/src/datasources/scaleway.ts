// Scaleway: found by DMI (sys_vendor "Scaleway"), the word `scaleway` on the kernel
// command line or /var/run/scaleway (written by its initrd), as cloud-init's
// ds-identify. The metadata service at http://169.254.42.42 (then
// http://[fd00:42::42], then any `metadata_urls`) gives the server's JSON at
// /conf?format=json to anyone; user-data and vendor-data (/user_data/cloud-init,
// /vendor_data/cloud-init, 404 when there is none) only to a connection from a source
// port below 1024, which only root can bind (privileged-port.ts). As cloud-init 25.x
// reads it; network config for the fallback NIC from the server's addresses.
import { isDict } from '../config/merge.js';
import { readNics } from '../net/sysfs.js';
import { fallbackNic } from '../net/sources/fallback.js';
import { cmdlineArgs, hasMarker, readMarkerFiles, readPlatformFacts, type DetectFacts } from './facts.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, metadataSettings, parseJsonBody } from './http.js';
import { privilegedGet } from './privileged-port.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { metadataClient } from './cloud-meta.js';

export const SCALEWAY_URLS = ['http://169.254.42.42', 'http://[fd00:42::42]'] as const;
/** The gateway Scaleway routes its metadata address through, on the DHCP interface (cloud-init's constant). */
const METADATA_GATEWAY = '62.210.0.1';

type Dict = Record<string, unknown>;

/** Why the facts say Scaleway, or null (ds-identify's dscheck_Scaleway). */
export function scalewayReason(f: Pick<DetectFacts, 'dmi' | 'cmdline' | 'markerFiles'>): string | null {
  if (f.dmi.sysVendor === 'Scaleway') return 'DMI sys_vendor is Scaleway';
  if (cmdlineArgs(f.cmdline).has('scaleway')) return '`scaleway` on the kernel command line';
  if (hasMarker(f, '/var/run/scaleway')) return '/var/run/scaleway exists';
  return null;
}

/** SSH keys as cloud-init reads them: each `ssh_public_keys[].key`, then each `AUTHORIZED_KEY=` tag with `_` for spaces. */
export function scalewayKeys(url: string, md: Dict): string[] {
  const keys: string[] = [];
  const listed = md['ssh_public_keys'] ?? [];
  if (!Array.isArray(listed)) throw new DatasourceError(`${url}: key ssh_public_keys: expected a list`);
  listed.forEach((k, i) => {
    if (!isDict(k) || typeof k['key'] !== 'string') throw new DatasourceError(`${url}: key ssh_public_keys[${i}].key: expected a string`);
    keys.push(k['key']);
  });
  const tags = md['tags'] ?? [];
  if (!Array.isArray(tags)) throw new DatasourceError(`${url}: key tags: expected a list`);
  for (const t of tags) if (typeof t === 'string' && t.startsWith('AUTHORIZED_KEY=')) keys.push(t.slice('AUTHORIZED_KEY='.length).replace(/_/g, ' '));
  return keys;
}

/**
 * The network config for the fallback NIC, as cloud-init builds it. A server with a
 * `private_ip` (the older network) gets v1: DHCPv4, and its `ipv6` as a static address
 * with a default route. One without gets v2 from `public_ips`: the address leased by
 * DHCP as `dhcp4` with the route to the metadata address, every other one static (IPv6
 * ones with a default route through their gateway). `dhcpAddress` is the leased one.
 */
export function scalewayNetworkConfig(md: Dict, nic: string, dhcpAddress: string | null): Dict {
  if (md['private_ip'] !== null && md['private_ip'] !== undefined) {
    const subnets: Dict[] = [{ type: 'dhcp4' }];
    const v6 = md['ipv6'];
    if (isDict(v6)) {
      subnets.push({ type: 'static', address: String(v6['address']), netmask: String(v6['netmask']), routes: [{ network: '::', prefix: '0', gateway: String(v6['gateway']) }] });
    } else if (v6 !== null && v6 !== undefined) throw new Error('ipv6: expected an object with address, netmask and gateway');
    return { version: 1, config: [{ type: 'physical', name: nic, subnets }] };
  }
  const ips = md['public_ips'] ?? [];
  if (!Array.isArray(ips)) throw new Error('public_ips: expected a list');
  const cfg: Dict = {};
  const routes: Dict[] = [];
  const addresses: string[] = [];
  ips.forEach((ip, i) => {
    if (!isDict(ip) || typeof ip['address'] !== 'string') throw new Error(`public_ips[${i}]: expected an object with an address string`);
    if (ip['address'] === dhcpAddress) {
      cfg['dhcp4'] = true;
      routes.push({ 'on-link': true, to: '169.254.42.42/32', via: METADATA_GATEWAY });
      return;
    }
    addresses.push(`${ip['address']}/${String(ip['netmask'])}`);
    if (ip['family'] === 'inet6') routes.push({ via: ip['gateway'], to: '::/0' });
  });
  if (addresses.length > 0) cfg['addresses'] = addresses;
  if (routes.length > 0) cfg['routes'] = routes;
  return { version: 2, ethernets: { [nic]: cfg } };
}

/**
 * The public address DHCP gives this server. cloud-init knows it from its own ephemeral
 * lease; nimbus has none, so it takes the IPv4 address whose `provisioning_mode` is
 * `dhcp`, or when the metadata does not say, the first IPv4 one.
 */
export function dhcpAddressOf(md: Dict): string | null {
  const ips = Array.isArray(md['public_ips']) ? md['public_ips'].filter(isDict) : [];
  const v4 = ips.filter((ip) => ip['family'] === 'inet' && typeof ip['address'] === 'string');
  const marked = v4.find((ip) => ip['provisioning_mode'] === 'dhcp');
  if (marked) return marked['address'] as string;
  if (v4.some((ip) => ip['provisioning_mode'] !== undefined)) return null;
  return (v4[0]?.['address'] as string | undefined) ?? null;
}

function urls(ctx: DatasourceContext): string[] {
  const raw = ctx.dsCfg['metadata_urls'] ?? [];
  const list = Array.isArray(raw) ? raw : [raw];
  const good = list.filter((u): u is string => typeof u === 'string' && /^http:\/\/[^/\s]+/.test(u)).map((u) => u.replace(/\/+$/, ''));
  if (good.length !== list.length)
    ctx.log.warn(`datasource Scaleway: metadata_urls: ignoring entries that are not http:// URLs: ${JSON.stringify(list.filter((u) => !good.includes(String(u).replace(/\/+$/, ''))))}`);
  const builtin = ctx.dsCfg['builtin_metadata_urls'];
  if (builtin !== undefined && typeof builtin !== 'boolean') ctx.log.warn(`datasource Scaleway: builtin_metadata_urls: ${JSON.stringify(builtin)} is not true or false, using true`);
  if (builtin === false && good.length > 0) return good;
  // cloud-init adds them after its own two.
  return [...SCALEWAY_URLS, ...good];
}

function unreachable(e: unknown): e is HttpError {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

async function find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const { host, log } = ctx;
  const why = scalewayReason({ ...readPlatformFacts(host), cmdline: host.sysfs.cmdline(), markerFiles: readMarkerFiles(host) });
  if (why === null) {
    log.debug('Scaleway: not a Scaleway machine (DMI, kernel command line, /var/run/scaleway); not asking the metadata service');
    return null;
  }
  log.debug(`Scaleway: ${why}`);
  const s = metadataSettings({ ...ctx.dsCfg, metadata_urls: undefined }, { urls: [], ...METADATA_DEFAULTS });
  for (const p of s.problems) log.warn(`datasource Scaleway: ${p}`);
  const client = metadataClient(ctx, s);
  let base: string | null = null;
  let doc: unknown;
  const failures: string[] = [];
  for (const u of urls(ctx)) {
    const url = `${u}/conf?format=json`;
    try {
      doc = parseJsonBody(url, await client.get(url));
      base = u;
      break;
    } catch (e) {
      if (!unreachable(e)) throw new DatasourceError((e as Error).message);
      failures.push(e.message);
      if (e.kind === 'budget') break;
    }
  }
  if (base === null) {
    log.warn(`Scaleway metadata service not reachable: ${failures.join('; ')}`);
    return null;
  }
  const mdUrl = `${base}/conf?format=json`;
  if (!isDict(doc)) throw new DatasourceError(`${mdUrl}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : typeof doc}`);
  const id = doc['id'];
  if (typeof id !== 'string' || id.trim() === '') throw new DatasourceError(`${mdUrl}: key id: expected a non-empty string`);
  const hostname = doc['hostname'];
  if (typeof hostname !== 'string') throw new DatasourceError(`${mdUrl}: key hostname: expected a string`);
  const publicKeys = scalewayKeys(mdUrl, doc);
  const data = async (kind: string, path: string): Promise<Uint8Array | null> => {
    const url = `${base}${path}`;
    try {
      const res = await privilegedGet(url, { timeoutMs: s.timeoutMs, retries: s.retries, remainingMs: () => client.remainingMs(), accept: [404], debug: (m) => log.debug(m) });
      return res.status === 404 ? null : res.body;
    } catch (e) {
      throw new DatasourceError(`Scaleway ${kind}: ${(e as Error).message}`);
    }
  };
  const userdata = await data('user-data', '/user_data/cloud-init');
  const vendordata = await data('vendor-data', '/vendor_data/cloud-init');
  const md: Dict = { ...doc, net_in_use: base.includes('[') ? 'ipv6' : 'ipv4' };
  let networkConfig: DatasourceResult['networkConfig'] = null;
  const nic = fallbackNic(readNics(host.sysfs));
  if (nic === null) log.error('Scaleway: no network interface to configure; no network config');
  else {
    try {
      const config = scalewayNetworkConfig(doc, nic.name, dhcpAddressOf(doc));
      networkConfig = { format: config['version'] === 1 ? 'v1' : 'v2', config, source: `${mdUrl} (${config['version'] === 1 ? 'private_ip, ipv6' : 'public_ips'})` };
    } catch (e) {
      log.error(`Scaleway: no network config from ${mdUrl} (fallback networking applies): ${(e as Error).message}`);
    }
  }
  return {
    dsname: 'Scaleway',
    description: 'DataSourceScaleway',
    cloudName: 'scaleway',
    platform: 'scaleway',
    subplatform: `metadata (${base})`,
    dsmode: 'net',
    instanceId: id,
    localHostname: hostname,
    publicKeys,
    metadata: md,
    userdata,
    vendordata,
    networkConfig,
  };
}

export const scalewayDatasource: Datasource = {
  name: 'Scaleway',
  aliases: ['DataSourceScaleway'],
  needs: 'net',
  order: 20,
  detectedBy: 'DMI sys_vendor `Scaleway`, `scaleway` on the kernel command line, or `/var/run/scaleway`',
  detect(f) {
    const why = scalewayReason(f);
    if (why !== null) return { verdict: 'found', reason: why };
    return { verdict: 'not-found', reason: `DMI sys_vendor "${f.dmi.sysVendor ?? ''}" is not Scaleway, no \`scaleway\` on the kernel command line, no /var/run/scaleway` };
  },
  network: {
    formats: ['v1', 'v2'],
    from: 'the fallback NIC: v2 from `public_ips` (the DHCP address with the route to 169.254.42.42, the others static), or v1 DHCPv4 + `ipv6` when the server has a `private_ip`',
  },
  options: [
    { key: 'metadata_urls', meaning: 'more base URLs, tried after `http://169.254.42.42` and `http://[fd00:42::42]`', default: '[]' },
    { key: 'builtin_metadata_urls', meaning: '`false` tries only `metadata_urls` (a nimbus key)', default: 'true' },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls'),
  ],
  find,
};
