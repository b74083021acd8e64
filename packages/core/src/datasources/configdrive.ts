// OpenStack config drive: openstack/<version>/{meta_data.json, user_data,
// vendor_data.json, network_data.json} and ec2/<version>/meta-data.json, read from a
// seed directory (/var/lib/cloud/seed/config_drive, /config-drive).
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { dirTree, textOf, type TreeReader } from './tree.js';
import { isDict, type Dict } from '../config/merge.js';
import { parseJson, JsonError } from '../util/json.js';

export const CONFIG_DRIVE_DIRS = ['/var/lib/cloud/seed/config_drive', '/config-drive'];

/** OpenStack metadata versions cloud-init 22.4 understands, oldest first. */
export const OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27'];

/** The newest supported dated version present, else "latest"; null when neither is. */
export function pickVersion(present: string[]): string | null {
  for (let i = OPENSTACK_VERSIONS.length - 1; i >= 0; i--) if (present.includes(OPENSTACK_VERSIONS[i] as string)) return OPENSTACK_VERSIONS[i] as string;
  return present.includes('latest') ? 'latest' : null;
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

/** vendor_data.json holds a string, or a dict whose "cloud-init" key holds the vendor-data. */
function vendorData(v: unknown, where: string, ctx: DatasourceContext): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (isDict(v) && 'cloud-init' in v) return vendorData(v['cloud-init'], where, ctx);
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  if (isDict(v)) return null; // vendor data for other agents only
  ctx.log.warn(`${where}: not supported: vendor-data of type ${Array.isArray(v) ? 'list' : typeof v}; ignored`);
  return null;
}

function publicKeys(v: unknown): string[] {
  if (isDict(v)) return Object.values(v).filter((k): k is string => typeof k === 'string').map((k) => k.trim());
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string').map((k) => k.trim());
  if (typeof v === 'string') return v.split('\n').map((k) => k.trim()).filter((k) => k !== '');
  return [];
}

export function hasConfigDrive(tree: TreeReader): boolean {
  return pickVersion(tree.list('openstack')) !== null;
}

/** Reads a config drive tree; throws DatasourceError naming the file when it is broken. */
export function readConfigDrive(tree: TreeReader, ctx: DatasourceContext, subplatform: string): DatasourceResult {
  const version = pickVersion(tree.list('openstack'));
  if (version === null) throw new DatasourceError(`${tree.label}: no openstack/<version> or openstack/latest directory`);
  const base = `openstack/${version}`;
  const md = json(tree, `${base}/meta_data.json`, true);
  if (!isDict(md)) throw new DatasourceError(`${tree.label}/${base}/meta_data.json: expected a JSON object`);
  const uuid = md.uuid ?? md['instance-id'];
  if (typeof uuid !== 'string' || uuid === '') throw new DatasourceError(`${tree.label}/${base}/meta_data.json: "uuid" (the instance-id) is missing or not a string`);
  const files: { path: string; content: Uint8Array }[] = [];
  if (Array.isArray(md.files)) {
    for (const [i, f] of md.files.entries()) {
      if (!isDict(f) || typeof f.path !== 'string' || typeof f.content_path !== 'string') {
        throw new DatasourceError(`${tree.label}/${base}/meta_data.json: files[${i}] needs "path" and "content_path"`);
      }
      const content = tree.readFile(`openstack/${f.content_path.replace(/^\/+/, '')}`);
      if (content === null) throw new DatasourceError(`${tree.label}/${base}/meta_data.json: files[${i}] content_path ${f.content_path} is not on the drive`);
      files.push({ path: f.path, content });
    }
  }
  const nd = json(tree, `${base}/network_data.json`, false);
  const networkConfig: NetworkConfigSource | null = nd === null ? null : { format: 'network_data.json', config: nd, source: `${tree.label}/${base}/network_data.json` };
  const ec2Version = pickEc2Version(tree.list('ec2'));
  const ec2 = ec2Version === null ? null : json(tree, `ec2/${ec2Version}/meta-data.json`, false);
  const meta = isDict(md.meta) ? md.meta : {};
  const dsmodeRaw = meta.dsmode ?? ctx.dsCfg.dsmode;
  const dsmode = dsmodeRaw === 'local' || dsmodeRaw === 'disabled' || dsmodeRaw === 'pass' ? dsmodeRaw : 'net';
  const result: DatasourceResult = {
    dsname: 'ConfigDrive',
    description: `DataSourceConfigDrive [${dsmode},ver=2][source=${tree.label}]`,
    cloudName: 'openstack',
    platform: 'openstack',
    subplatform,
    dsmode,
    instanceId: uuid,
    publicKeys: publicKeys(md.public_keys),
    metadata: md as Dict,
    userdata: tree.readFile(`${base}/user_data`),
    vendordata: vendorData(json(tree, `${base}/vendor_data.json`, false), `${tree.label}/${base}/vendor_data.json`, ctx),
    networkConfig,
    files,
  };
  if (typeof md.hostname === 'string') result.localHostname = md.hostname;
  if (typeof md.availability_zone === 'string') result.availabilityZone = md.availability_zone;
  if (isDict(ec2)) result.ec2Metadata = ec2;
  return result;
}

function pickEc2Version(present: string[]): string | null {
  const dated = present.filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
  if (present.includes('latest')) return 'latest';
  return dated.length > 0 ? (dated[dated.length - 1] as string) : null;
}

function seedTrees(ctx: DatasourceContext): TreeReader[] {
  return CONFIG_DRIVE_DIRS.filter((d) => ctx.host.fs.isDir(d)).map((d) => dirTree(ctx.host.fs, d));
}

export const configDrive: Datasource = {
  name: 'ConfigDrive',
  needs: 'local',
  async find(ctx) {
    for (const tree of seedTrees(ctx)) {
      if (!hasConfigDrive(tree)) continue;
      return readConfigDrive(tree, ctx, `seed-dir (${tree.label})`);
    }
    return null;
  },
  async currentInstanceId(ctx) {
    for (const tree of seedTrees(ctx)) {
      const version = pickVersion(tree.list('openstack'));
      if (version === null) continue;
      const md = json(tree, `openstack/${version}/meta_data.json`, false);
      return isDict(md) && typeof md.uuid === 'string' ? md.uuid : null;
    }
    return null;
  },
};
