// Keys that configure a module no module list runs: `resolv_conf` on an image whose
// cloud.cfg lists no resolv_conf module, `wireguard` on Debian's lists. cloud-init
// ignores them without a word; nimbus says, once per boot (in the init stage), which
// key was configured but not run and which module it needs. Pure: the merged config in,
// the findings out.
import type { Module } from '../modules/types.js';
import { BUILTIN_MODULES } from '../modules/registry.js';
import { NOT_IMPLEMENTED } from '../modules/not-implemented.js';
import { parseModuleList } from '../config/modules-list.js';

export const MODULE_LIST_KEYS = ['cloud_init_modules', 'cloud_config_modules', 'cloud_final_modules'] as const;

// Keys a stage reads as well as a module: `updates` (the network stage's boot events).
const READ_BY_STAGES = new Set(['updates']);

export interface UnlistedKey {
  key: string;
  /** The modules that would read it, none of them in a list. */
  modules: string[];
}

export function unlistedModuleKeys(
  cfg: Record<string, unknown>,
  modules: readonly Module[] = BUILTIN_MODULES,
  notImplemented: Readonly<Record<string, readonly string[]>> = NOT_IMPLEMENTED,
): UnlistedKey[] {
  const listed = new Set(MODULE_LIST_KEYS.flatMap((k) => parseModuleList(cfg[k], k).entries.map((e) => e.name)));
  const owners = new Map<string, string[]>();
  const claim = (key: string, name: string) => owners.set(key, [...(owners.get(key) ?? []), name]);
  for (const m of modules) for (const k of m.keys) claim(k, m.name);
  for (const [name, keys] of Object.entries(notImplemented)) for (const k of keys) claim(k, name);
  const out: UnlistedKey[] = [];
  for (const [key, value] of Object.entries(cfg)) {
    if (value === undefined || value === null || READ_BY_STAGES.has(key)) continue;
    const mods = owners.get(key);
    if (mods === undefined || mods.some((m) => listed.has(m))) continue;
    out.push({ key, modules: [...new Set(mods)].sort() });
  }
  return out;
}

/**
 * Reporters of `reporting:` nimbus does not have: every type but `log` (which is what
 * nimbus always does: cloud-init.log and the journal). Each as [name, type].
 */
export function unsupportedReporters(cfg: Record<string, unknown>): [string, string][] {
  const r = cfg.reporting;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return [];
  const out: [string, string][] = [];
  for (const [name, v] of Object.entries(r as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    const type = typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).type : undefined;
    if (type !== 'log') out.push([name, typeof type === 'string' ? type : String(type)]);
  }
  return out;
}
