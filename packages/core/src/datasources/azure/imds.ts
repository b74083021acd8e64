// Azure's Instance Metadata Service: GET <base>/metadata/instance?api-version=... with
// the `Metadata: true` header, as cloud-init 25.x asks it (2021-08-01 with extended
// data, falling back to 2019-06-01 when the service refuses that version). 404 and 410
// mean "not ready yet" and are retried within the budget, as cloud-init retries them.
// The answer becomes instance-data and, for its network interfaces, a network config
// v2 as cloud-init generates it.
import type { Nic } from '../../net/sysfs.js';
import { HttpError, type MetadataClient, isRetryableStatus, parseJsonBody } from '../http.js';

export const IMDS_VERSION = '2021-08-01';
export const IMDS_FALLBACK_VERSION = '2019-06-01';
export const IMDS_HEADERS = { Metadata: 'true' } as const;

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The IMDS document is not what Azure documents; the message names the key. */
export class ImdsShapeError extends Error {}

/** The instance URL for an api-version. */
export function imdsUrl(base: string, version: string): string {
  return version === IMDS_VERSION ? `${base}/metadata/instance?api-version=${version}&extended=true` : `${base}/metadata/instance?api-version=${version}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/**
 * Fetches the instance metadata, within the client's budget. Throws HttpError when
 * the service does not answer (or answers with an error) and ImdsShapeError when the
 * answer is not a JSON object with a `compute` object.
 */
export async function fetchImds(client: MetadataClient, base: string, debug: (m: string) => void, probe = false): Promise<Dict> {
  let version: string = IMDS_VERSION;
  let pause = 250;
  // A probe's first attempt is not retried on a connection error: before the network is
  // up none can help, and the caller decides what an unreachable service means.
  let first = probe;
  for (;;) {
    const url = imdsUrl(base, version);
    let res: Awaited<ReturnType<MetadataClient['request']>>;
    try {
      res = await client.request(url, { headers: { ...IMDS_HEADERS }, accept: [400, 404, 410], ...(first ? { retries: 0 } : {}) });
    } catch (e) {
      if (!first || !(e instanceof HttpError) || e.kind === 'connection' || e.kind === 'too-large' || (e.kind === 'status' && !isRetryableStatus(e.status ?? 0))) throw e;
      first = false;
      continue;
    }
    first = false;
    if (res.status === 400 && version === IMDS_VERSION) {
      debug(`${url}: HTTP 400, falling back to api-version ${IMDS_FALLBACK_VERSION}`);
      version = IMDS_FALLBACK_VERSION;
      continue;
    }
    if (res.status === 400) throw new HttpError(url, 'status', 'HTTP 400', 400);
    if (res.status === 404 || res.status === 410) {
      // Not published yet: wait and ask again while the budget lasts.
      if (client.remainingMs() <= pause) throw new HttpError(url, 'budget', `HTTP ${res.status} until the ${client.budgetMs} ms time budget was used up`, res.status);
      debug(`${url}: HTTP ${res.status} (not ready yet), retrying`);
      await sleep(pause);
      pause = Math.min(pause * 2, 2000);
      continue;
    }
    const doc = parseJsonBody(url, res.body);
    if (!isDict(doc)) throw new ImdsShapeError(`${url}: expected a JSON object, got ${Array.isArray(doc) ? 'an array' : typeof doc}`);
    if (!isDict(doc['compute'])) throw new ImdsShapeError(`${url}: compute: expected an object`);
    return doc;
  }
}

/** A string field of compute, or undefined when absent or not a non-empty string. */
export function computeString(imds: Dict, key: string): string | undefined {
  const c = imds['compute'];
  const v = isDict(c) ? c[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Whether a key is in OpenSSH's one-line format (not an SSH2 "BEGIN SSH2 PUBLIC KEY" block). */
export function isOpenSshKey(key: string): boolean {
  const f = key.trim().split(/\s+/);
  return f.length >= 2 && /^(ssh-|ecdsa-|sk-)/.test(f[0] as string) && /^[A-Za-z0-9+/=]+$/.test(f[1] as string);
}

/**
 * compute.publicKeys[].keyData, or null when IMDS has none or one is not in OpenSSH
 * format (then cloud-init uses the keys from ovf-env.xml instead).
 */
export function imdsPublicKeys(imds: Dict): string[] | null {
  const c = imds['compute'];
  const list = isDict(c) ? c['publicKeys'] : undefined;
  if (!Array.isArray(list)) return null;
  const keys = list.map((k) => (isDict(k) && typeof k['keyData'] === 'string' ? k['keyData'] : null));
  if (keys.some((k) => k === null || !isOpenSshKey(k))) return null;
  return keys as string[];
}

/** "000D3A123456" or "00-0D-3A-12-34-56" → "00:0d:3a:12:34:56". */
export function normalizeMac(mac: string): string {
  const m = mac.trim();
  if (/^[0-9a-fA-F]{12}$/.test(m)) return m.match(/../g)!.join(':').toLowerCase();
  return m.replace(/-/g, ':').toLowerCase();
}

/** The driver to match a NIC on, as cloud-init picks it: hv_netvsc when a NIC with the MAC has it, else the one NIC's driver. */
function driverFor(mac: string, nics: readonly Nic[]): string | null {
  const drivers = nics.filter((n) => n.mac !== null && normalizeMac(n.mac) === mac).map((n) => n.driver);
  if (drivers.includes('hv_netvsc')) return 'hv_netvsc';
  return drivers.length === 1 ? (drivers[0] ?? null) : null;
}

/**
 * network.interface[] → network config v2, as cloud-init 25.x generates it: eth<N> per
 * interface that has addresses, matched by MAC (and driver), DHCPv4 with route metric
 * (N+1)*100 (secondary NICs without DNS), DHCPv6 when it has IPv6 addresses, and the
 * further addresses as static ones when `secondaryIps`.
 */
export function networkConfigFromImds(network: unknown, secondaryIps: boolean, nics: readonly Nic[]): Dict {
  if (!isDict(network) || !Array.isArray(network['interface'])) throw new ImdsShapeError('network.interface: expected a list');
  const ethernets: Dict = {};
  network['interface'].forEach((intf: unknown, idx: number) => {
    const at = `network.interface[${idx}]`;
    if (!isDict(intf)) throw new ImdsShapeError(`${at}: expected an object`);
    const name = `eth${idx}`;
    const override: Dict = { 'route-metric': (idx + 1) * 100 };
    if (idx > 0) override['use-dns'] = false;
    const dev: Dict = { dhcp4: true, 'dhcp4-overrides': override, dhcp6: false };
    let hasAddress = false;
    for (const family of ['ipv4', 'ipv6'] as const) {
      const fam = intf[family];
      if (fam !== undefined && !isDict(fam)) throw new ImdsShapeError(`${at}.${family}: expected an object`);
      const addrs = fam?.['ipAddress'] ?? [];
      if (!Array.isArray(addrs)) throw new ImdsShapeError(`${at}.${family}.ipAddress: expected a list`);
      if (addrs.length === 0) continue;
      hasAddress = true;
      if (family === 'ipv6') {
        dev['dhcp6'] = true;
        dev['dhcp6-overrides'] = { ...override };
      }
      if (!secondaryIps) continue;
      const subnets = fam?.['subnet'];
      const first = Array.isArray(subnets) && isDict(subnets[0]) ? subnets[0] : {};
      const prefix = first['prefix'] ?? (family === 'ipv4' ? '24' : '128');
      if (!/^\d{1,3}$/.test(String(prefix))) throw new ImdsShapeError(`${at}.${family}.subnet[0].prefix: ${JSON.stringify(prefix)} is not a prefix length`);
      addrs.slice(1).forEach((a: unknown, j: number) => {
        const ip = isDict(a) ? a['privateIpAddress'] : undefined;
        if (typeof ip !== 'string' || ip === '') throw new ImdsShapeError(`${at}.${family}.ipAddress[${j + 1}].privateIpAddress: expected an address`);
        ((dev['addresses'] ??= []) as string[]).push(`${ip}/${prefix}`);
      });
    }
    if (!hasAddress) return;
    const rawMac = intf['macAddress'];
    if (typeof rawMac !== 'string' || rawMac === '') throw new ImdsShapeError(`${at}.macAddress: expected a MAC address`);
    const mac = normalizeMac(rawMac);
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new ImdsShapeError(`${at}.macAddress: ${JSON.stringify(rawMac)} is not a MAC address`);
    const match: Dict = { macaddress: mac };
    const driver = driverFor(mac, nics);
    if (driver) match['driver'] = driver;
    ethernets[name] = { ...dev, match, 'set-name': name };
  });
  return { version: 2, ethernets };
}
