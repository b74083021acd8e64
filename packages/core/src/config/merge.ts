// The merge cloud-init applies to system configuration files (cloud.cfg, then each
// cloud.cfg.d file, then the kernel command line): dictionaries merge key by key,
// anything else — lists included — is replaced by the later source.

import { hasKey, setKey } from '../util/object.js';

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** A new dictionary: `over` laid on `base`, recursively for nested dictionaries. */
export function mergeConfig(base: Dict, over: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(base)) setKey(out, k, v);
  for (const [k, v] of Object.entries(over)) {
    const b = hasKey(out, k) ? out[k] : undefined;
    setKey(out, k, isDict(b) && isDict(v) ? mergeConfig(b, v) : v);
  }
  return out;
}
