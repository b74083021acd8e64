// OpenStack config drive: openstack/<version>/{meta_data.json, user_data,
// vendor_data.json, network_data.json} and ec2/<version>/meta-data.json. Read from a
// seed directory (/var/lib/cloud/seed/config_drive, /config-drive) or from a device
// labelled config-2 (mounted read-only, or read as an ISO9660 image without mounting).
// meta_data.json means the same as the metadata service's, so openstack.ts parses both.
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { dirTreeReader, textOf, type TreeReader } from './tree.js';
import { findDevicesByLabel, withDeviceTree } from './blockdev.js';
import { chooseOpenStackVersion, parseOpenStackMetadata, vendordataBytes } from './openstack-format.js';
import { labelled, type DetectFacts } from './facts.js';
import { isIbmCloud } from './ibmcloud.js';
import { isDict } from '../config/merge.js';
import { parseJson, JsonError } from '../util/json.js';

export const CONFIG_DRIVE_DIRS = ['/var/lib/cloud/seed/config_drive', '/config-drive'];
export const CONFIG_DRIVE_LABELS = ['config-2', 'CONFIG-2'];

/** Where the facts show a config drive (a seed directory or a labelled filesystem), or null. */
export function configDriveSeen(f: DetectFacts): string | null {
  if (f.seeds.configDrive) return `seed directory ${f.seeds.configDrive}`;
  const l = labelled(f, CONFIG_DRIVE_LABELS);
  return l ? `filesystem labelled ${l.label} on ${l.device}` : null;
}

/** The newest supported dated version present, else "latest"; null when neither is (not a config drive). */
export function pickVersion(present: string[]): string | null {
  const v = chooseOpenStackVersion(present);
  return present.includes(v) ? v : null;
}

function json(tree: TreeReader, rel: string, required: boolean): unknown {
  const b = tree.readFile(rel);
  if (b === null) {
    if (required) throw new DatasourceError(`${tree.label}/${rel}: missing (a config drive must have it)`);
    return null;
  }
  try {
    return parseJson(textOf(b), `${tree.label}/${rel}`);
  } catch (e) {
    throw new DatasourceError(e instanceof JsonError ? e.message : String(e));
  }
}

function pickEc2Version(present: string[]): string | null {
  if (present.includes('latest')) return 'latest';
  const dated = present.filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
  return dated.length > 0 ? (dated[dated.length - 1] as string) : null;
}

/** Reads a config drive tree; throws DatasourceError naming the file when it is broken. */
export function readConfigDrive(tree: TreeReader, ctx: DatasourceContext, subplatform: string): DatasourceResult {
  const version = pickVersion(tree.list('openstack'));
  if (version === null) throw new DatasourceError(`${tree.label}: no openstack/<version> or openstack/latest directory`);
  const base = `openstack/${version}`;
  const mdFile = `${tree.label}/${base}/meta_data.json`;
  const meta = parseOpenStackMetadata(json(tree, `${base}/meta_data.json`, true), mdFile);
  const files = meta.files.map((f, i) => {
    const rel = f.contentPath.replace(/^\/+/, '');
    const content = rel.split('/').includes('..') ? null : tree.readFile(`openstack/${rel}`);
    if (content === null) throw new DatasourceError(`${mdFile}: files[${i}] content_path ${f.contentPath} is not on the drive`);
    return { path: f.path, content };
  });
  const nd = json(tree, `${base}/network_data.json`, false);
  const networkConfig: NetworkConfigSource | null = nd === null ? null : { format: 'network_data.json', config: nd, source: `${tree.label}/${base}/network_data.json` };
  const ec2Version = pickEc2Version(tree.list('ec2'));
  const ec2 = ec2Version === null ? null : json(tree, `ec2/${ec2Version}/meta-data.json`, false);
  const metaBlock = isDict(meta.metadata.meta) ? meta.metadata.meta : {};
  const dsmodeRaw = meta.dsmode ?? metaBlock.dsmode ?? ctx.dsCfg.dsmode;
  const dsmode = dsmodeRaw === 'local' || dsmodeRaw === 'disabled' || dsmodeRaw === 'pass' ? dsmodeRaw : 'net';
  const vdFile = `${tree.label}/${base}/vendor_data.json`;
  const vd2File = `${tree.label}/${base}/vendor_data2.json`;
  const result: DatasourceResult = {
    dsname: 'ConfigDrive',
    description: `DataSourceConfigDrive [${dsmode},ver=2][source=${tree.label}]`,
    cloudName: 'openstack',
    platform: 'openstack',
    subplatform,
    dsmode,
    instanceId: meta.instanceId,
    publicKeys: meta.publicKeys,
    metadata: meta.metadata,
    userdata: tree.readFile(`${base}/user_data`),
    vendordata: vendordataBytes(json(tree, `${base}/vendor_data.json`, false), vdFile),
    vendordata2: vendordataBytes(json(tree, `${base}/vendor_data2.json`, false), vd2File),
    networkConfig,
    files,
  };
  if (meta.localHostname !== undefined) result.localHostname = meta.localHostname;
  if (meta.availabilityZone !== undefined) result.availabilityZone = meta.availabilityZone;
  if (isDict(ec2)) result.ec2Metadata = ec2;
  if (Object.keys(meta.sensitive).length > 0) result.sensitive = meta.sensitive;
  return result;
}

function seedTrees(ctx: DatasourceContext): TreeReader[] {
  return CONFIG_DRIVE_DIRS.filter((d) => ctx.host.fs.isDir(d)).map((d) => dirTreeReader(ctx.host, d));
}

export const configDrive: Datasource = {
  name: 'ConfigDrive',
  aliases: ['DataSourceConfigDrive'],
  needs: 'local',
  order: 2,
  detectedBy:
    "a filesystem labelled `config-2`/`CONFIG-2` (not IBM Cloud's: Xen with UUID `9796-932E`), or `/config-drive/openstack/<date>/meta_data.json`, or `/var/lib/cloud/seed/config_drive/openstack/<date or latest>/meta_data.json`",
  detect(f) {
    // IBM Cloud's config-2 disk (Xen, UUID 9796-932E) is its own datasource's, as ds-identify has it.
    if (isIbmCloud(f)) return { verdict: 'not-found', reason: "IBM Cloud's config disk: the IBMCloud datasource reads it" };
    const seen = configDriveSeen(f);
    return seen !== null ? { verdict: 'found', reason: seen } : { verdict: 'not-found', reason: 'no config-2 filesystem or seed directory' };
  },
  network: { formats: ['network_data.json'], from: '`openstack/<version>/network_data.json` on the drive' },
  options: [{ key: 'dsmode', meaning: "the dsmode when the drive's meta_data.json gives none", default: 'net' }],
  async find(ctx) {
    for (const tree of seedTrees(ctx)) {
      if (pickVersion(tree.list('openstack')) === null) continue;
      return readConfigDrive(tree, ctx, `seed-dir (${tree.label})`);
    }
    for (const dev of findDevicesByLabel(ctx.host, CONFIG_DRIVE_LABELS, ctx.log)) {
      return withDeviceTree(ctx, dev.device, (tree) => readConfigDrive(tree, ctx, `config-disk (${dev.device})`), { fsType: dev.type });
    }
    return null;
  },
  async currentInstanceId(ctx) {
    const read = (tree: TreeReader): string | null => {
      const version = pickVersion(tree.list('openstack'));
      const md = version === null ? null : json(tree, `openstack/${version}/meta_data.json`, false);
      return isDict(md) && typeof md.uuid === 'string' ? md.uuid : null;
    };
    for (const tree of seedTrees(ctx)) {
      const id = read(tree);
      if (id !== null) return id;
    }
    for (const dev of findDevicesByLabel(ctx.host, CONFIG_DRIVE_LABELS, ctx.log)) return withDeviceTree(ctx, dev.device, read, { fsType: dev.type });
    return null;
  },
};
