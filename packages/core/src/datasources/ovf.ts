// OVF: the OVF environment document (ovf-env.xml) a hypervisor or appliance tool hands
// the VM, from a seed directory (/var/lib/cloud/seed/ovf), VMware's guestinfo.ovfEnv,
// or an ISO9660 CD. Its PropertySection gives instance-id, hostname, public-keys,
// seedfrom, password, user-data (base64) and, from the transports, network-config.
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { childrenNamed, parseXml, XmlError, type XmlElement } from './azure/xml.js';
import { AZURE_CHASSIS_ASSET_TAG } from './azure/identity.js';
import { dirTreeReader, textOf, type TreeReader } from './tree.js';
import { listFilesystems, withDeviceTree } from './blockdev.js';
import { guestinfoOf, isVmwarePlatform } from './vmware-rpc.js';
import { networkConfigOf, yamlOf } from './network-config.js';
import { OVF_ENV_NAMES, SEED_DIR } from './facts.js';
import { isDict, type Dict } from '../config/merge.js';

const WHO = 'datasource OVF';
export const OVF_SEED = `${SEED_DIR}/ovf`;
/** An OVF environment is a few KiB; anything near this is not one. */
const OVF_MAX_BYTES = 1024 * 1024;
/** Labels ds-identify takes as an OVF transport CD without looking inside. */
export const OVF_LABELS = ['OVF-TRANSPORT', 'ovf-transport', 'OVFENV', 'ovfenv', 'OVF ENV', 'ovf env'];
/** Devices that may be a CD carrying the environment (cloud-init's default pattern). */
const CDROM = /^\/dev\/(sr[0-9]+|hd[a-z]|xvd.*)$/;

export interface OvfProperties {
  metadata: Dict;
  userdata: Uint8Array | null;
  /** Datasource config: the default user's `password`. */
  config: Dict;
  /** The `network-config` property decoded (read from the transports only, as cloud-init does). */
  network: unknown;
}

/** The Property key/value pairs of the first PropertySection; a DatasourceError naming `source` when there are none to read. */
export function ovfProperties(text: string, source: string): Map<string, string> {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) throw new DatasourceError(`${source}: not well-formed XML: ${e.message}`);
    throw e;
  }
  if (root.name !== 'Environment') throw new DatasourceError(`${source}: the root element is <${root.name}>, not an OVF <Environment>`);
  const section = childrenNamed(root, 'PropertySection')[0];
  if (section === undefined) throw new DatasourceError(`${source}: Environment has no PropertySection`);
  const props = new Map<string, string>();
  childrenNamed(section, 'Property').forEach((p, i) => {
    const key = p.attrs.get('key');
    const value = p.attrs.get('value');
    if (key === undefined || value === undefined) throw new DatasourceError(`${source}: PropertySection Property ${i + 1}${key ? ` (key "${key}")` : ''}: needs both ovfenv:key and ovfenv:value`);
    props.set(key, value);
  });
  return props;
}

function base64(value: string): Uint8Array | null {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** What the properties mean, as cloud-init reads them. */
export function readOvfEnvironment(text: string, source: string, readNetwork: boolean, log: DatasourceContext['log']): OvfProperties {
  const out: OvfProperties = { metadata: {}, userdata: null, config: {}, network: null };
  for (const [rawKey, value] of ovfProperties(text, source)) {
    const key = rawKey === 'hostname' ? 'local-hostname' : rawKey;
    if (['seedfrom', 'local-hostname', 'public-keys', 'instance-id'].includes(key)) out.metadata[key] = value;
    else if (key === 'password') out.config.password = value;
    else if (key === 'network-config' && readNetwork) {
      const bytes = base64(value);
      if (bytes === null) throw new DatasourceError(`${source}: property "network-config": not valid base64`);
      const doc = yamlOf(textOf(bytes), `${source} property network-config`);
      // cloud-init takes the config under its `network` key only.
      out.network = isDict(doc) ? (doc.network ?? null) : null;
      if (out.network === null) log.warn(`${WHO}: ${source}: property "network-config" has no "network" key; ignored`);
    } else if (key === 'user-data') {
      // Base64 as documented; text that is not base64 is taken as it is, as cloud-init does.
      out.userdata = base64(value) ?? new Uint8Array(Buffer.from(value, 'utf8'));
    }
  }
  return out;
}

/** The environment file in a tree (a seed directory or a CD), by any of its spellings. */
function envFile(tree: TreeReader): { name: string; text: string } | null {
  for (const name of OVF_ENV_NAMES) {
    const b = tree.readFile(name);
    if (b === null) continue;
    if (b.length > OVF_MAX_BYTES) throw new DatasourceError(`${tree.label}/${name}: ${b.length} bytes, more than the ${OVF_MAX_BYTES} allowed`);
    return { name, text: textOf(b) };
  }
  return null;
}

interface Found {
  /** cloud-init's seed name: the seed file, "com.vmware.guestInfo" or "iso". */
  seed: string;
  text: string;
  source: string;
  fromTransport: boolean;
}

async function fromCdrom(ctx: DatasourceContext): Promise<Found | null> {
  for (const fs of listFilesystems(ctx.host, ctx.log)) {
    if (fs.type !== 'iso9660' || !CDROM.test(fs.device)) continue;
    const env = await withDeviceTree(
      ctx,
      fs.device,
      (tree) => {
        const e = envFile(tree);
        return e === null ? null : { text: e.text, source: `${fs.device}:/${e.name}` };
      },
      { fsType: fs.type },
    );
    if (env !== null) return { seed: 'iso', ...env, fromTransport: true };
  }
  return null;
}

async function locate(ctx: DatasourceContext): Promise<Found | null> {
  const seed = envFile(dirTreeReader(ctx.host, OVF_SEED));
  if (seed !== null) return { seed: `${OVF_SEED}/${seed.name}`, text: seed.text, source: `${OVF_SEED}/${seed.name}`, fromTransport: false };
  if (isVmwarePlatform(ctx.host.sysfs.dmi('product_name'))) {
    const g = guestinfoOf(ctx, WHO);
    if (typeof g === 'string') ctx.log.debug(`${WHO}: ${g}`);
    else {
      const text = g.get('ovfEnv');
      if (text !== null) return { seed: 'com.vmware.guestInfo', text, source: 'guestinfo.ovfEnv', fromTransport: true };
    }
  }
  return fromCdrom(ctx);
}

/** meta-data, user-data and vendor-data of a local `seedfrom` directory. */
function readSeedfrom(ctx: DatasourceContext, seedfrom: string, source: string): { md: Dict; ud: Uint8Array | null; vd: Uint8Array | null } {
  if (/^https?:\/\//.test(seedfrom)) throw new DatasourceError(`${source}: property "seedfrom": not supported: an http(s) seed (cloud-init's OVFNet); use a local directory`);
  if (!seedfrom.startsWith('/') && !seedfrom.startsWith('file://')) throw new DatasourceError(`${source}: property "seedfrom": ${JSON.stringify(seedfrom)} is not an absolute path or file:// URL`);
  const dir = seedfrom.replace(/^file:\/\//, '').replace(/\/+$/, '') || '/';
  const tree = dirTreeReader(ctx.host, dir);
  const mdBytes = tree.readFile('meta-data');
  if (mdBytes === null) throw new DatasourceError(`${source}: property "seedfrom": ${dir}/meta-data is not there`);
  const md = yamlOf(textOf(mdBytes), `${dir}/meta-data`) ?? {};
  if (!isDict(md)) throw new DatasourceError(`${dir}/meta-data: expected a mapping`);
  return { md, ud: tree.readFile('user-data'), vd: tree.readFile('vendor-data') };
}

function keysOf(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() === '' ? [] : [v];
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  return [];
}

export async function readOvf(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const found = await locate(ctx);
  if (found === null) return null;
  const env = readOvfEnvironment(found.text, found.source, found.fromTransport, ctx.log);
  const seeds = [found.seed];
  let md: Dict = env.metadata;
  let userdata = env.userdata;
  let vendordata: Uint8Array | null = null;
  const seedfrom = md.seedfrom;
  if (typeof seedfrom === 'string' && seedfrom !== '') {
    const s = readSeedfrom(ctx, seedfrom, found.source);
    // The environment's own values win over the seed's, as in cloud-init.
    md = { ...s.md, ...md };
    userdata = s.ud;
    vendordata = s.vd;
    seeds.push(seedfrom);
  }
  md = { 'instance-id': 'iid-dsovf', ...md };
  const network: NetworkConfigSource | null = env.network === null ? null : networkConfigOf(env.network, `${found.source} property network-config`);
  const seed = seeds.join(',');
  const result: DatasourceResult = {
    dsname: 'OVF',
    description: `DataSourceOVF [seed=${seed}]`,
    cloudName: 'ovf',
    platform: 'ovf',
    subplatform: `ovf (${seed})`,
    dsmode: 'net',
    instanceId: String(md['instance-id']),
    publicKeys: keysOf(md['public-keys']),
    metadata: md,
    userdata,
    vendordata,
    networkConfig: network,
  };
  const host = md['local-hostname'];
  if (typeof host === 'string' && host !== '') result.localHostname = host;
  if (Object.keys(env.config).length > 0) {
    result.config = env.config;
    result.sensitive = { password: env.config.password };
  }
  return result;
}

export const ovfDatasource: Datasource = {
  name: 'OVF',
  aliases: ['DataSourceOVF'],
  needs: 'local',
  order: 9,
  detectedBy: `\`${OVF_SEED}/ovf-env.xml\`, an ISO9660 CD labelled ${OVF_LABELS.filter((l) => l === l.toUpperCase())
    .map((l) => `\`${l}\``)
    .join('/')} (or the same in lower case), or a VMware VM (guestinfo.ovfEnv); never on Azure`,
  detect(f) {
    if (f.seeds.ovf) return { verdict: 'found', reason: `seed ${OVF_SEED}` };
    if (f.dmi.chassisAssetTag === AZURE_CHASSIS_ASSET_TAG) return { verdict: 'not-found', reason: "Azure's ovf-env.xml is the Azure datasource's" };
    const cd = f.filesystems.find((fs) => fs.label !== null && OVF_LABELS.includes(fs.label) && /^\/dev\/(sr[0-9]|hd[a-z])$/.test(fs.device));
    if (cd) return { verdict: 'found', reason: `CD ${cd.device} labelled ${cd.label}` };
    if (isVmwarePlatform(f.dmi.productName)) return { verdict: 'found', reason: `DMI product_name "${f.dmi.productName}": guestinfo.ovfEnv may hold an OVF environment` };
    return { verdict: 'not-found', reason: `no ${OVF_SEED}, no OVF-labelled CD, not a VMware VM` };
  },
  network: { formats: ['v1', 'v2'], from: 'the `network-config` property (base64 YAML, its `network` key) of an environment from guestinfo or a CD' },
  options: [],
  find: readOvf,
};
