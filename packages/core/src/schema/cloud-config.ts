// The cloud-config schema: every module's schema joined, plus the keys that need no
// module here (system keys, cloud-init modules nimbus does not have), plus the
// deprecated spellings. The one entry point for validating cloud-config text or a
// merged configuration.
import type { ZodType } from 'zod';
import type { Module } from '../modules/types.js';
import { BUILTIN_MODULES } from '../modules/registry.js';
import { catalogKeys, DEPRECATED_KEYS, DEPRECATED_PATHS, SYSTEM_KEYS } from './known-keys.js';
import type { SchemaSpec } from './validate.js';
import { zod } from './zod.js';

// A module's schema is built the first time a check needs it (see zod.ts), then kept:
// the init stage and `nimbus schema` may validate several documents.
const built = new WeakMap<Module, ZodType>();

export function moduleSchema(m: Module): ZodType {
  let s = built.get(m);
  if (s === undefined) {
    s = m.schema(zod().z);
    built.set(m, s);
  }
  return s;
}

export function cloudConfigSpec(modules: readonly Module[] = BUILTIN_MODULES): SchemaSpec {
  const moduleKeys = modules.flatMap((m) => m.keys);
  // Deprecated spellings a catalog entry lists are still reported as deprecated.
  const extra = [...new Set([...SYSTEM_KEYS, ...catalogKeys(), ...moduleKeys])].filter((k) => DEPRECATED_KEYS[k] === undefined);
  // An old spelling is "still honoured" only where a module says it reads it.
  const honoured = Object.keys(DEPRECATED_KEYS).filter((k) => moduleKeys.includes(k));
  return { schemas: modules.map(moduleSchema), extraKeys: extra, deprecated: DEPRECATED_KEYS, honoured, deprecatedPaths: DEPRECATED_PATHS, kind: 'cloud-config' };
}
