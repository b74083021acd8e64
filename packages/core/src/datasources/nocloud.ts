// NoCloud: meta-data (YAML), user-data, vendor-data and network-config, found in
//   - `ds=nocloud;s=<seed>;i=<iid>;h=<hostname>` on the kernel command line or in the
//     DMI product serial (the seed a local directory, or http(s) in the network stage),
//   - a seed directory (/var/lib/cloud/seed/nocloud, nocloud-net),
//   - a filesystem labelled cidata / CIDATA (vfat or iso9660).
import type { Datasource, DatasourceContext, DatasourceResult, NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { dirTreeReader, textOf, type TreeReader } from './tree.js';
import { findDevicesByLabel, withDeviceTree } from './blockdev.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, metadataSettings } from './http.js';
import { SEED_DIR, cmdlineArgs, labelled } from './facts.js';
import { isDict, type Dict } from '../config/merge.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import { metadataClient } from './cloud-meta.js';

export const NOCLOUD_SEED_DIRS = ['/var/lib/cloud/seed/nocloud', '/var/lib/cloud/seed/nocloud-net'];
export const NOCLOUD_LABELS = ['cidata', 'CIDATA'];
const FILES = ['meta-data', 'user-data', 'vendor-data', 'network-config'];

export interface NoCloudArgs {
  seedfrom?: string;
  instanceId?: string;
  hostname?: string;
}

/** Parses "nocloud;s=http://10.0.0.1/;i=iid-1;h=host" (the value of ds=), or null when it is not NoCloud's. */
export function parseNoCloudArg(value: string): NoCloudArgs | null {
  const [name, ...rest] = value.split(';');
  if (name !== 'nocloud' && name !== 'nocloud-net') return null;
  const out: NoCloudArgs = {};
  for (const kv of rest) {
    const eq = kv.indexOf('=');
    if (eq < 0) continue;
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    if (k === 's' || k === 'seedfrom') out.seedfrom = v;
    else if (k === 'i' || k === 'instance-id') out.instanceId = v;
    else if (k === 'h' || k === 'local-hostname') out.hostname = v;
  }
  return out;
}

/** ds=nocloud... from the kernel command line, else from the DMI product serial. */
export function noCloudArgs(ctx: DatasourceContext): NoCloudArgs | null {
  for (const text of [ctx.host.sysfs.cmdline(), ctx.host.sysfs.dmi('product_serial') ?? '']) {
    for (const word of text.split(/\s+/)) {
      if (word.startsWith('ds=')) {
        const a = parseNoCloudArg(word.slice(3));
        if (a !== null) return a;
      }
    }
  }
  return null;
}

/** A tree of the four NoCloud files fetched from an http(s) seed, within the datasource's time budget. */
async function httpTree(ctx: DatasourceContext, base: string): Promise<TreeReader> {
  const s = metadataSettings(ctx.dsCfg, { urls: [base], ...METADATA_DEFAULTS });
  for (const p of s.problems) ctx.log.warn(`datasource NoCloud: ${p}`);
  const client = metadataClient(ctx, s);
  const files = new Map<string, Uint8Array>();
  const url = (f: string) => `${base.endsWith('/') ? base : `${base}/`}${f}`;
  try {
    files.set('meta-data', await client.get(url('meta-data')));
    for (const f of FILES.slice(1)) {
      const b = await client.getOptional(url(f));
      if (b !== null) files.set(f, b);
    }
  } catch (e) {
    throw new DatasourceError(e instanceof HttpError ? `seedfrom ${base}: ${e.message}` : String(e));
  }
  return { label: base, readFile: (rel) => files.get(rel) ?? null, list: () => [...files.keys()].sort() };
}

/** The seed named by `s=`: a directory in the root, or (network stage only) an http(s) URL. */
async function seedfrom(ctx: DatasourceContext, args: NoCloudArgs): Promise<DatasourceResult | null> {
  const seed = args.seedfrom as string;
  if (/^https?:\/\//.test(seed)) {
    if (ctx.stage === 'local') {
      ctx.log.debug(`NoCloud seedfrom ${seed} needs the network: left to the init stage`);
      return null;
    }
    return readNoCloud(await httpTree(ctx, seed), ctx, `seed-url (${seed})`, args);
  }
  const dir = seed.replace(/^file:\/\//, '').replace(/\/+$/, '') || '/';
  if (!dir.startsWith('/')) throw new DatasourceError(`ds=nocloud: seedfrom ${JSON.stringify(seed)} is neither an absolute path nor an http(s) URL`);
  return readNoCloud(dirTreeReader(ctx.host, dir), ctx, `seed-dir (${dir})`, args);
}

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
  if (typeof v === 'string')
    return v
      .split('\n')
      .map((k) => k.trim())
      .filter((k) => k !== '');
  if (Array.isArray(v)) return v.filter((k): k is string => typeof k === 'string');
  if (isDict(v)) return Object.values(v).filter((k): k is string => typeof k === 'string');
  return [];
}

export function readNoCloud(tree: TreeReader, ctx: DatasourceContext, subplatform: string, args: NoCloudArgs = {}): DatasourceResult | null {
  if (tree.readFile('meta-data') === null) return null;
  const md = yamlFile(tree, 'meta-data') ?? {};
  if (!isDict(md)) throw new DatasourceError(`${tree.label}/meta-data: expected a mapping (instance-id: ..., local-hostname: ...)`);
  // i= and h= on the command line win over the seed's own meta-data, as with cloud-init.
  const iid = args.instanceId ?? md['instance-id'] ?? 'nocloud';
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
    metadata: { ...(md as Dict), dsmode, 'instance-id': String(iid), ...(args.hostname ? { 'local-hostname': args.hostname } : {}) },
    userdata: tree.readFile('user-data'),
    vendordata: tree.readFile('vendor-data'),
    networkConfig: networkConfig(tree),
  };
  const host = args.hostname ?? md['local-hostname'] ?? md.hostname;
  if (typeof host === 'string') result.localHostname = host;
  return result;
}

function trees(ctx: DatasourceContext): TreeReader[] {
  return NOCLOUD_SEED_DIRS.filter((d) => ctx.host.fs.isDir(d)).map((d) => dirTreeReader(ctx.host, d));
}

export const noCloud: Datasource = {
  name: 'NoCloud',
  aliases: ['DataSourceNoCloud', 'DataSourceNoCloudNet', 'nocloud-net'],
  needs: 'local',
  order: 1,
  detectedBy:
    '`ds=nocloud...` on the kernel command line or in the DMI product serial, `/var/lib/cloud/seed/nocloud{,-net}` holding `meta-data` and `user-data`, a filesystem labelled `cidata`/`CIDATA`',
  detect(f) {
    const ds = cmdlineArgs(f.cmdline).get('ds');
    if (ds !== undefined && /^nocloud/.test(ds)) return { verdict: 'found', reason: `ds=${ds} on the kernel command line` };
    if (f.dmi.productSerial?.includes('ds=nocloud')) return { verdict: 'found', reason: 'ds=nocloud in the DMI product serial' };
    if (f.seeds.nocloud) return { verdict: 'found', reason: `seed directory ${SEED_DIR}/nocloud` };
    if (f.seeds.nocloudNet) return { verdict: 'found', reason: `seed directory ${SEED_DIR}/nocloud-net` };
    const l = labelled(f, NOCLOUD_LABELS);
    return l ? { verdict: 'found', reason: `filesystem labelled ${l.label} on ${l.device}` } : { verdict: 'not-found', reason: 'no cidata filesystem, seed directory or ds=nocloud' };
  },
  network: { formats: ['v1', 'v2'], from: '`network-config` in the seed' },
  options: [
    { key: 'dsmode', meaning: 'the dsmode when meta-data gives none', default: 'net' },
    ...METADATA_SERVICE_OPTIONS.filter((o) => o.key !== 'metadata_urls').map((o) => ({ ...o, meaning: `${o.meaning} (an http(s) \`seedfrom\`)` })),
  ],
  async find(ctx) {
    const args = noCloudArgs(ctx);
    if (args?.seedfrom !== undefined) {
      const r = await seedfrom(ctx, args);
      if (r !== null || /^https?:/.test(args.seedfrom)) return r;
    }
    for (const tree of trees(ctx)) {
      const r = readNoCloud(tree, ctx, `seed-dir (${tree.label})`, args ?? {});
      if (r !== null) return r;
    }
    for (const dev of findDevicesByLabel(ctx.host, NOCLOUD_LABELS, ctx.log)) {
      const r = await withDeviceTree(ctx, dev.device, (tree) => readNoCloud(tree, ctx, `config-disk (${dev.device})`, args ?? {}), { fsType: dev.type });
      if (r !== null) return r;
    }
    return null;
  },
  async currentInstanceId(ctx) {
    const args = noCloudArgs(ctx);
    if (args?.instanceId !== undefined) return args.instanceId;
    // An http seed cannot be read cheaply before the network; the init stage re-reads it.
    if (args?.seedfrom !== undefined && /^https?:/.test(args.seedfrom)) return null;
    const seedTrees = args?.seedfrom !== undefined ? [dirTreeReader(ctx.host, args.seedfrom.replace(/^file:\/\//, ''))] : trees(ctx);
    for (const tree of seedTrees) {
      const md = yamlFile(tree, 'meta-data');
      if (isDict(md)) return String(md['instance-id'] ?? 'nocloud');
    }
    for (const dev of findDevicesByLabel(ctx.host, NOCLOUD_LABELS, ctx.log)) {
      const id = await withDeviceTree(
        ctx,
        dev.device,
        (tree) => {
          const md = yamlFile(tree, 'meta-data');
          return isDict(md) ? String(md['instance-id'] ?? 'nocloud') : null;
        },
        { fsType: dev.type },
      );
      if (id !== null) return id;
    }
    return null;
  },
};
