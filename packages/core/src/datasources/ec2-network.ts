// Network config (v2) from the IMDS `meta-data/network/interfaces/macs/<mac>/` tree, as
// cloud-init 25.x builds it: every NIC of this machine whose MAC the tree lists gets
// DHCPv4 (and DHCPv6 when it has IPv6 addresses), matched by MAC and named as the
// machine names it; the secondary private addresses become static addresses with the
// subnet's prefix. Pure: the caller gives the crawled tree and the machine's MAC → name.
import { isDict } from '../config/merge.js';

type Dict = Record<string, unknown>;

export interface Ec2NetworkInput {
  /** The crawled `meta-data/network` subtree. */
  network: unknown;
  /** This machine's NICs: MAC (lower case) → interface name. */
  nics: ReadonlyMap<string, string>;
  /** apply_full_imds_network_config: every NIC and secondary address; false configures only `fallbackNic` by DHCP. */
  full: boolean;
  /** The interface fallback networking would pick (the primary when `full` is false). */
  fallbackNic: string | null;
  /** Where the tree came from, for messages: "<url>/<version>/meta-data/network". */
  source: string;
}

export interface Ec2NetworkOutput {
  /** The v2 config, or null when no NIC of this machine is in the tree (fallback networking). */
  config: Dict | null;
  /** What was odd but usable (a subnet block that does not parse: the default prefix is used). */
  warnings: string[];
}

/** A tree or leaf the IMDS shape does not allow: names the key path under `source`. */
export class Ec2NetworkShapeError extends Error {}

/** Single values are a string before API 2018-09-24 and lists of lines after; both become a list. */
function list(v: unknown, at: string): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [v.trim()].filter((s) => s !== '');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((x) => x.trim()).filter((s) => s !== '');
  throw new Ec2NetworkShapeError(`${at}: expected an address or a list of addresses, not ${Array.isArray(v) ? 'a list of other things' : typeof v}`);
}

function index(v: unknown, at: string): number {
  if (v === undefined) return Number.POSITIVE_INFINITY; // absent (AliYun and other EC2-alikes): sorted last, by MAC
  if (typeof v === 'string' && /^\d{1,4}$/.test(v.trim())) return Number(v.trim());
  throw new Ec2NetworkShapeError(`${at}: ${JSON.stringify(v)} is not a number`);
}

function prefixOf(cidr: unknown, fallback: string, what: string, warnings: string[]): string {
  const m = typeof cidr === 'string' ? /^[^/\s]+\/(\d{1,3})$/.exec(cidr.trim()) : null;
  if (m) return m[1] as string;
  warnings.push(`${what}: ${JSON.stringify(cidr ?? null)} is not a CIDR block; secondary addresses get /${fallback}`);
  return fallback;
}

/** Builds the v2 network config; throws Ec2NetworkShapeError naming the key on a tree of the wrong shape. */
export function ec2NetworkConfig(input: Ec2NetworkInput): Ec2NetworkOutput {
  const { source } = input;
  const warnings: string[] = [];
  const net = input.network;
  if (!isDict(net)) throw new Ec2NetworkShapeError(`${source}: expected a directory`);
  const ifaces = net['interfaces'];
  if (!isDict(ifaces) || !isDict(ifaces['macs'])) throw new Ec2NetworkShapeError(`${source}/interfaces/macs: expected a directory of MAC addresses`);
  const macs: Record<string, Dict> = {};
  for (const [mac, md] of Object.entries(ifaces['macs'])) {
    if (!isDict(md)) throw new Ec2NetworkShapeError(`${source}/interfaces/macs/${mac}: expected a directory`);
    macs[mac.toLowerCase()] = md;
  }
  const at = (mac: string, key: string) => `${source}/interfaces/macs/${mac}/${key}`;
  const ethernets: Dict = {};

  if (!input.full) {
    const entry = [...input.nics].find(([, name]) => name === input.fallbackNic);
    if (!entry || !macs[entry[0]]) return { config: null, warnings };
    const [mac, name] = entry;
    const md = macs[mac] as Dict;
    ethernets[name] = { dhcp4: true, dhcp6: list(md['ipv6s'], at(mac, 'ipv6s')).length > 0, match: { macaddress: mac }, 'set-name': name };
    return { config: { version: 2, ethernets }, warnings };
  }

  // The primary NIC is network-card 0, device-number 0; the order sets each NIC's route metric.
  const present = [...input.nics].filter(([mac]) => macs[mac] !== undefined);
  if (present.length === 0) return { config: null, warnings };
  const keys = new Map(
    present.map(([mac]) => [mac, [index((macs[mac] as Dict)['network-card'], at(mac, 'network-card')), index((macs[mac] as Dict)['device-number'], at(mac, 'device-number'))] as const]),
  );
  const ordered = [...present].sort((a, b) => {
    const [ca, da] = keys.get(a[0]) as readonly [number, number];
    const [cb, db] = keys.get(b[0]) as readonly [number, number];
    return ca !== cb ? ca - cb : da !== db ? da - db : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  });
  const order = new Map(ordered.map(([mac], i) => [mac, i]));
  for (const [mac, name] of [...present].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const md = macs[mac] as Dict;
    const override = { 'route-metric': ((order.get(mac) as number) + 1) * 100 };
    const dev: Dict = { dhcp4: true, 'dhcp4-overrides': override, dhcp6: false, match: { macaddress: mac }, 'set-name': name };
    const v4 = list(md['local-ipv4s'], at(mac, 'local-ipv4s'));
    const v6 = list(md['ipv6s'], at(mac, 'ipv6s'));
    if (v6.length > 0) {
      dev['dhcp6'] = true;
      dev['dhcp6-overrides'] = { ...override };
    }
    const addresses: string[] = [];
    if (v4.length > 1) {
      const p = prefixOf(md['subnet-ipv4-cidr-block'], '24', at(mac, 'subnet-ipv4-cidr-block'), warnings);
      for (const ip of v4.slice(1)) addresses.push(`${ip}/${p}`);
    }
    if (v6.length > 1) {
      // The IMDS serves only subnet-ipv6-cidr-blocks (plural, one per line) and cloud-init reads the
      // singular key, so under cloud-init secondary IPv6 addresses are always /128: the same here,
      // with the singular key honoured where an EC2-alike serves it.
      const single = md['subnet-ipv6-cidr-block'];
      const p = single === undefined ? '128' : prefixOf(single, '128', at(mac, 'subnet-ipv6-cidr-block'), warnings);
      for (const ip of v6.slice(1)) addresses.push(`${ip}/${p}`);
    }
    if (addresses.length > 0) dev['addresses'] = addresses.sort();
    ethernets[name] = dev;
  }
  // One NIC needs no metrics.
  const names = Object.keys(ethernets);
  if (names.length === 1) {
    const only = ethernets[names[0] as string] as Dict;
    delete only['dhcp4-overrides'];
    delete only['dhcp6-overrides'];
  }
  return { config: { version: 2, ethernets }, warnings };
}
