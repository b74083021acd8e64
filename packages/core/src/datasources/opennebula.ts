// OpenNebula: the context disk (a CD labelled CONTEXT or CDROM, or the seed directory
// /var/lib/cloud/seed/opennebula) holding context.sh, whose variables are the
// meta-data: SSH_PUBLIC_KEY, SET_HOSTNAME, USER_DATA (+ USERDATA_ENCODING), DSMODE,
// and ETH<n>_* from which the network config (v2) is made for the NICs by MAC.
// context.sh is parsed (opennebula-context.ts), never run.
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { ContextError, parseContext } from './opennebula-context.js';
import { dirTreeReader, textOf, type TreeReader } from './tree.js';
import { listFilesystems, withDeviceTree } from './blockdev.js';
import { SEED_DIR, labelled } from './facts.js';
import { readNics } from '../net/sysfs.js';
import type { Dict } from '../config/merge.js';

export const OPENNEBULA_SEED = `${SEED_DIR}/opennebula`;
export const OPENNEBULA_LABELS = ['CONTEXT', 'CDROM'];
/** context.sh is a few KiB (user-data included); refuse what cannot be one. */
const CONTEXT_MAX_BYTES = 4 * 1024 * 1024;

/** Natural order of interface names (eth2 before eth10), as cloud-init sorts them. */
function naturalKey(name: string): (string | number)[] {
  return name.split(/(\d+)/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
function naturalCompare(a: string, b: string): number {
  const x = naturalKey(a);
  const y = naturalKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

function maskPrefix(mask: string, key: string, source: string): number {
  const parts = mask.split('.');
  const bad = () => new DatasourceError(`${source}: ${key}: ${JSON.stringify(mask)} is not an IPv4 netmask`);
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) throw bad();
  const bits = parts.map((p) => Number(p).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) throw bad();
  return bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
}

/**
 * The v2 network config for the machine's physical NICs (`nics`: name and MAC) from
 * the context's ETH<n>_* variables, matched to a NIC by ETH<n>_MAC (else by its own
 * name), as cloud-init builds it.
 */
export function openNebulaNetwork(context: ReadonlyMap<string, string>, nics: readonly { name: string; mac: string }[], source: string): Dict {
  const devByMac = new Map<string, string>();
  for (const [k, v] of context) {
    const m = /^(.+)_MAC$/.exec(k);
    if (m) devByMac.set(v.toLowerCase(), m[1] as string);
  }
  const ethernets: Dict = {};
  for (const nic of [...nics].sort((a, b) => naturalCompare(a.name, b.name))) {
    const mac = nic.mac.toLowerCase();
    const dev = devByMac.get(mac) ?? nic.name;
    const field = (name: string, dflt?: string): { key: string; value: string | undefined } => {
      const key = `${dev}_${name}`.toUpperCase();
      const v = context.get(key);
      return { key, value: v === undefined || v === '' ? dflt : v };
    };
    const conf: Dict = { match: { macaddress: mac } };
    // Without ETH<n>_IP, OpenNebula's convention: the address is the MAC's last four bytes.
    const ip = field(
      'ip',
      mac
        .split(':')
        .slice(2)
        .map((h) => String(Number.parseInt(h, 16)))
        .join('.'),
    ).value as string;
    const mask = field('mask', '255.255.255.0');
    const addresses = [`${ip}/${maskPrefix(mask.value as string, mask.key, source)}`];
    const ip6 = [field('ip6').value, field('ip6_ula').value].filter((a): a is string => a !== undefined);
    const prefix6 = field('ip6_prefix_length', '64').value as string;
    addresses.push(...ip6.map((a) => `${a}/${prefix6}`));
    conf.addresses = addresses;
    const gw = field('gateway').value;
    if (gw !== undefined) conf.gateway4 = gw;
    const gw6 = field('ip6_gateway', field('gateway6').value).value;
    if (gw6 !== undefined) conf.gateway6 = gw6;
    const dns = [...(field('dns').value ?? '').split(/\s+/), ...(context.get('DNS') ?? '').split(/\s+/)].filter((d) => d !== '');
    const search = (field('search_domain').value ?? '').split(/\s+/).filter((d) => d !== '');
    if (dns.length > 0 || search.length > 0) conf.nameservers = { ...(dns.length > 0 ? { addresses: dns } : {}), ...(search.length > 0 ? { search } : {}) };
    const mtu = field('mtu');
    if (mtu.value !== undefined) {
      if (!/^\d+$/.test(mtu.value)) throw new DatasourceError(`${source}: ${mtu.key}: ${JSON.stringify(mtu.value)} is not a number`);
      conf.mtu = Number(mtu.value);
    }
    ethernets[nic.name] = conf;
  }
  return { version: 2, ethernets };
}

function base64(value: string): Uint8Array | null {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** The data of a context disk or seed; null when it holds no context.sh. */
export function readContextTree(tree: TreeReader, ctx: DatasourceContext, subplatform: string): DatasourceResult | null {
  const bytes = tree.readFile('context.sh');
  if (bytes === null) return null;
  const source = `${tree.label}/context.sh`;
  if (bytes.length > CONTEXT_MAX_BYTES) throw new DatasourceError(`${source}: ${bytes.length} bytes, more than the ${CONTEXT_MAX_BYTES} allowed`);
  let context: Map<string, string>;
  try {
    context = parseContext(textOf(bytes), source);
  } catch (e) {
    throw e instanceof ContextError ? new DatasourceError(e.message) : e;
  }
  const md: Dict = Object.fromEntries(context);
  const keyVar = context.has('SSH_KEY') ? 'SSH_KEY' : context.has('SSH_PUBLIC_KEY') ? 'SSH_PUBLIC_KEY' : null;
  const publicKeys = keyVar === null ? [] : (context.get(keyVar) as string).split(/\r?\n/).filter((l) => l !== '' && !l.startsWith('#'));
  if (keyVar !== null) md['public-keys'] = publicKeys;
  const hostVar = ['SET_HOSTNAME', 'HOSTNAME', 'PUBLIC_IP', 'IP_PUBLIC', 'ETH0_IP'].find((k) => context.has(k));
  if (hostVar !== undefined) md['local-hostname'] = context.get(hostVar);
  const udVar = context.has('USER_DATA') ? 'USER_DATA' : context.has('USERDATA') ? 'USERDATA' : null;
  let userdata: Uint8Array | null = null;
  if (udVar !== null) {
    const text = context.get(udVar) as string;
    const enc = context.get('USERDATA_ENCODING') ?? context.get('USER_DATA_ENCODING');
    if (enc === 'base64') {
      userdata = base64(text);
      if (userdata === null) throw new DatasourceError(`${source}: ${udVar}: not valid base64 (USERDATA_ENCODING is base64)`);
    } else userdata = new Uint8Array(Buffer.from(text, 'utf8'));
  }
  let networkConfig: NetworkConfigSource | null = null;
  if ([...context.keys()].some((k) => /^ETH\d+_IP.*$/.test(k))) {
    const nics = readNics(ctx.host.sysfs)
      .filter((n) => n.virtual === null && n.mac !== null)
      .map((n) => ({ name: n.name, mac: n.mac as string }));
    networkConfig = { format: 'v2', config: openNebulaNetwork(context, nics, source), source };
  }
  const dsmodeRaw = context.get('DSMODE') ?? ctx.dsCfg.dsmode;
  const dsmode = dsmodeRaw === 'local' || dsmodeRaw === 'disabled' || dsmodeRaw === 'pass' ? dsmodeRaw : 'net';
  md['instance-id'] = 'iid-dsopennebula';
  const result: DatasourceResult = {
    dsname: 'OpenNebula',
    description: `DataSourceOpenNebula [seed=${tree.label}][dsmode=${dsmode}]`,
    cloudName: 'opennebula',
    platform: 'opennebula',
    subplatform,
    dsmode,
    // cloud-init takes no instance-id from the context: every OpenNebula VM has this one.
    instanceId: 'iid-dsopennebula',
    publicKeys,
    metadata: md,
    userdata,
    vendordata: null,
    networkConfig,
  };
  if (typeof md['local-hostname'] === 'string' && md['local-hostname'] !== '') result.localHostname = md['local-hostname'];
  return result;
}

export const openNebulaDatasource: Datasource = {
  name: 'OpenNebula',
  aliases: ['DataSourceOpenNebula', 'DataSourceOpenNebulaNet'],
  needs: 'local',
  order: 4,
  detectedBy: `the directory \`${OPENNEBULA_SEED}\`, or a filesystem labelled \`CONTEXT\` or \`CDROM\``,
  detect(f) {
    if (f.seeds.opennebula) return { verdict: 'found', reason: `seed directory ${OPENNEBULA_SEED}` };
    const l = labelled(f, OPENNEBULA_LABELS);
    if (l) return { verdict: 'found', reason: `filesystem labelled ${l.label} on ${l.device}` };
    return { verdict: 'not-found', reason: 'no CONTEXT or CDROM filesystem and no seed directory' };
  },
  network: { formats: ['v2'], from: '`ETH<n>_IP`, `_MASK`, `_GATEWAY`, `_IP6`, `_DNS`, `_MTU`... in context.sh, for the NICs by `ETH<n>_MAC`' },
  options: [
    { key: 'dsmode', meaning: 'the dsmode when context.sh gives no DSMODE', default: 'net' },
    { key: 'parseuser', meaning: 'ignored: cloud-init runs context.sh as this user; nimbus never runs it', default: 'nobody' },
  ],
  async find(ctx) {
    if (ctx.host.fs.isDir(OPENNEBULA_SEED)) {
      const r = readContextTree(dirTreeReader(ctx.host, OPENNEBULA_SEED), ctx, `seed-dir (${OPENNEBULA_SEED})`);
      if (r !== null) return r;
    }
    const all = listFilesystems(ctx.host, ctx.log);
    const devices = [...all.filter((f) => f.label === 'CONTEXT'), ...all.filter((f) => f.label === 'CDROM'), ...all.filter((f) => f.type === 'iso9660')].filter(
      (f, i, list) => list.findIndex((g) => g.device === f.device) === i,
    );
    for (const dev of devices) {
      const r = await withDeviceTree(ctx, dev.device, (tree) => readContextTree(tree, ctx, `config-disk (${dev.device})`), { fsType: dev.type });
      if (r !== null) return r;
    }
    return null;
  },
};
