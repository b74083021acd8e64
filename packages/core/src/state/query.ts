// `query`: looks keys up in instance data. Root reads the sensitive copy (and may see
// user-data); anyone else gets the redacted one, as with cloud-init.
import type { Host } from '../host/host.js';
import { isDict, type Dict } from '../config/merge.js';
import { Paths } from './paths.js';
import { readCachedInstance } from './instance.js';

export interface QueryOptions {
  key?: string | undefined;
  all: boolean;
  listKeys: boolean;
  privileged: boolean;
}

export function loadInstanceData(host: Host, privileged: boolean): Dict | string {
  const paths = new Paths();
  const file = privileged ? paths.instanceDataSensitive : paths.instanceData;
  const text = host.fs.readText(file);
  if (text === null) return `${file} does not exist: nimbus has not run on this boot (run \`nimbus init --local\` first)`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return `${file}: not valid JSON (${(e as Error).message})`;
  }
  if (!isDict(data)) return `${file}: expected a JSON object`;
  if (isDict(data.v1)) for (const [k, v] of Object.entries(data.v1)) if (!(k in data)) data[k] = v;
  if (privileged) {
    const ds = readCachedInstance(host);
    if (ds !== null) {
      data.userdata = ds.userdata === null ? null : Buffer.from(ds.userdata).toString('utf8');
      data.vendordata = ds.vendordata === null ? null : Buffer.from(ds.vendordata).toString('utf8');
    }
  }
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
  const data = loadInstanceData(host, opts.privileged);
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
