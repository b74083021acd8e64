// `query`: looks keys up in instance data. Root reads the sensitive copy (and may see
// user-data); anyone else gets the redacted one, as with cloud-init.
import type { Host } from '../host/host.js';
import { gunzipBounded } from '../userdata/gzip.js';
import { isDict, type Dict } from '../config/merge.js';
import { Paths } from './paths.js';
import { readCachedInstance } from './instance.js';

export interface QueryOptions {
  key?: string | undefined;
  all: boolean;
  listKeys: boolean;
  privileged: boolean;
  /** Files the user named (--instance-data, --user-data, --vendor-data), read by the caller. */
  files?: QueryFiles;
}

export interface QueryFiles {
  instanceData?: { file: string; text: string };
  userData?: Buffer;
  vendorData?: Buffer;
}

/** user-data as query shows it: text, or gunzipped text, or as it is when it is neither. */
function userDataText(data: Uint8Array): string {
  const b = Buffer.from(data);
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      return Buffer.from(gunzipBounded(b, 'user-data')).toString('utf8');
    } catch {
      // Not a whole gzip stream: shown as it is.
    }
  }
  return b.toString('utf8');
}

export function loadInstanceData(host: Host, privileged: boolean, files: QueryFiles = {}): Dict | string {
  const paths = new Paths();
  const file = files.instanceData?.file ?? (privileged ? paths.instanceDataSensitive : paths.instanceData);
  const text = files.instanceData !== undefined ? files.instanceData.text : host.fs.readText(file);
  if (text === null) return `${file} does not exist: nimbus has not run on this boot (run \`nimbus init --local\` first)`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return `${file}: not valid JSON (${(e as Error).message})`;
  }
  if (!isDict(data)) return `${file}: expected a JSON object`;
  if (isDict(data.v1)) for (const [k, v] of Object.entries(data.v1)) if (!(k in data)) data[k] = v;
  // As cloud-init: these keys are always there; an unprivileged caller sees where they
  // are instead. nimbus writes no combined-cloud-config.json, so root sees null, as
  // cloud-init's root does when that file is missing.
  if (!privileged) {
    const redacted = (f: string) => `<redacted for non-root user> file:${f}`;
    data.userdata = redacted(`${paths.instanceLink}/user-data.txt`);
    data.vendordata = redacted(`${paths.instanceLink}/vendor-data.txt`);
    data.combined_cloud_config = redacted(`${paths.runDir}/combined-cloud-config.json`);
  } else data.combined_cloud_config = null;
  if (privileged) {
    const ds = readCachedInstance(host);
    if (ds !== null) {
      data.userdata = ds.userdata === null ? null : userDataText(ds.userdata);
      data.vendordata = ds.vendordata === null ? null : userDataText(ds.vendordata);
    }
  }
  // A file the user named is theirs to read: shown whoever asks, as cloud-init does.
  if (files.userData !== undefined) data.userdata = userDataText(files.userData);
  if (files.vendorData !== undefined) data.vendordata = userDataText(files.vendorData);
  return data;
}

function lookup(data: unknown, key: string): { found: boolean; value: unknown } {
  let cur: unknown = data;
  for (const part of key.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else if (isDict(cur) && part in cur) cur = cur[part];
    else if (isDict(cur) && part.replace(/-/g, '_') in cur) cur = cur[part.replace(/-/g, '_')];
    else return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

const show = (v: unknown) => (typeof v === 'string' ? `${v}\n` : `${JSON.stringify(v, null, 1)}\n`);

export function queryInstanceData(host: Host, opts: QueryOptions): { output: string; error?: string } {
  const data = loadInstanceData(host, opts.privileged, opts.files);
  if (typeof data === 'string') return { output: '', error: data };
  if (!opts.all && !opts.listKeys && opts.key === undefined) return { output: '', error: 'give a key, --all or --list-keys' };
  let target: unknown = data;
  if (opts.key !== undefined) {
    const r = lookup(data, opts.key);
    if (!r.found) return { output: '', error: `undefined key: ${opts.key} (try --list-keys)` };
    target = r.value;
  }
  if (opts.listKeys) {
    if (!isDict(target)) return { output: '', error: `${opts.key ?? 'instance data'} is not a mapping; it has no keys` };
    return { output: Object.keys(target).sort().join('\n') + '\n' };
  }
  return { output: show(target) };
}
