// NoCloud: meta-data (YAML), user-data, vendor-data and network-config files in a
// seed directory (/var/lib/cloud/seed/nocloud, nocloud-net).
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { dirTree, textOf, type TreeReader } from './tree.js';
import { isDict, type Dict } from '../config/merge.js';
import { loadYaml, YamlError } from '../yaml/load.js';

export const NOCLOUD_SEED_DIRS = ['/var/lib/cloud/seed/nocloud', '/var/lib/cloud/seed/nocloud-net'];

function yamlFile(tree: TreeReader, name: string): unknown {
  const b = tree.readFile(name);
  if (b === null) return null;
  try {
    return loadYaml(textOf(b), `${tree.label}/${name}`).value;
  } catch (e) {
    throw new DatasourceError(e instanceof YamlError ? e.message : String(e));
  }
}

function networkConfig(tree: TreeReader): NetworkConfigSource | null {
  const raw = yamlFile(tree, 'network-config');
  if (raw === null) return null;
  const source = `${tree.label}/network-config`;
  const cfg = isDict(raw) && isDict(raw.network) ? raw.network : raw;
  if (!isDict(cfg)) throw new DatasourceError(`${source}: expected a mapping with "version: 1" or "version: 2"`);
  if (cfg.version === 1) return { format: 'v1', config: cfg, source };
  if (cfg.version === 2) return { format: 'v2', config: cfg, source };
  if (cfg.config === 'disabled') return { format: 'v1', config: cfg, source };
  throw new DatasourceError(`${source}: "version" must be 1 or 2, got ${JSON.stringify(cfg.version)}`);
}

function keys(v: unknown): string[] {
  if (typeof v === 'string') return v.split('\n').map((k) => k.trim()).filter((k) => k !== '');
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  if (isDict(v)) return Object.values(v).filter((k): k is string => typeof k === 'string');
  return [];
}

export function readNoCloud(tree: TreeReader, ctx: DatasourceContext, subplatform: string): DatasourceResult | null {
  if (tree.readFile('meta-data') === null) return null;
  const md = yamlFile(tree, 'meta-data') ?? {};
  if (!isDict(md)) throw new DatasourceError(`${tree.label}/meta-data: expected a mapping (instance-id: ..., local-hostname: ...)`);
  const iid = md['instance-id'] ?? 'nocloud';
  if (typeof iid !== 'string' && typeof iid !== 'number') throw new DatasourceError(`${tree.label}/meta-data: instance-id must be a string`);
  const dsmodeRaw = md.dsmode ?? ctx.dsCfg.dsmode;
  const dsmode = dsmodeRaw === 'local' || dsmodeRaw === 'disabled' || dsmodeRaw === 'pass' ? dsmodeRaw : 'net';
  const result: DatasourceResult = {
    dsname: 'NoCloud',
    description: `DataSourceNoCloud [seed=${tree.label}][dsmode=${dsmode}]`,
    cloudName: 'unknown',
    platform: 'nocloud',
    subplatform,
    dsmode,
    instanceId: String(iid),
    publicKeys: keys(md['public-keys'] ?? md.public_keys),
    metadata: { ...(md as Dict), dsmode, 'instance-id': String(iid) },
    userdata: tree.readFile('user-data'),
    vendordata: tree.readFile('vendor-data'),
    networkConfig: networkConfig(tree),
  };
  const host = md['local-hostname'] ?? md.hostname;
  if (typeof host === 'string') result.localHostname = host;
  return result;
}

function trees(ctx: DatasourceContext): TreeReader[] {
  return NOCLOUD_SEED_DIRS.filter((d) => ctx.host.fs.isDir(d)).map((d) => dirTree(ctx.host.fs, d));
}

export const noCloud: Datasource = {
  name: 'NoCloud',
  needs: 'local',
  async find(ctx) {
    for (const tree of trees(ctx)) {
      const r = readNoCloud(tree, ctx, `seed-dir (${tree.label})`);
      if (r !== null) return r;
    }
    return null;
  },
  async currentInstanceId(ctx) {
    for (const tree of trees(ctx)) {
      const md = yamlFile(tree, 'meta-data');
      if (isDict(md)) return String(md['instance-id'] ?? 'nocloud');
    }
    return null;
  },
};
