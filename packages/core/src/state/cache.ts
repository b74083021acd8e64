// The datasource cache: what the datasource found, as JSON (cloud-init keeps a
// pickle; nimbus keeps something a person can read and edit). Bytes are stored as
// {"base64": "..."} so user-data survives byte for byte. The file is 0600: it holds
// user-data and may hold secrets.
import type { DatasourceResult } from '../datasources/types.js';
import type { RootFs } from '../host/rootfs.js';
import { isDict } from '../config/merge.js';

export const CACHE_NAME = 'obj.json';
const CACHE_VERSION = 1;

function encode(v: unknown): unknown {
  if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (v instanceof Date) return v.toISOString();
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

function decode(v: unknown): unknown {
  if (isDict(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'base64' && typeof v.base64 === 'string') return new Uint8Array(Buffer.from(v.base64, 'base64'));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  if (Array.isArray(v)) return v.map(decode);
  return v;
}

export function serializeCache(ds: DatasourceResult): string {
  return JSON.stringify({ version: CACHE_VERSION, datasource: encode(ds) }, null, 1) + '\n';
}

/** Reads a cache; null when absent or unreadable (an unreadable cache is simply not trusted). */
export function readCache(fs: RootFs, path: string): DatasourceResult | null {
  const text = fs.readText(path);
  if (text === null) return null;
  try {
    const doc = JSON.parse(text) as { version?: unknown; datasource?: unknown };
    if (doc.version !== CACHE_VERSION || !isDict(doc.datasource)) return null;
    const ds = decode(doc.datasource) as DatasourceResult;
    return typeof ds.instanceId === 'string' && typeof ds.dsname === 'string' ? ds : null;
  } catch {
    return null;
  }
}
