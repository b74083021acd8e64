// Network configuration handed over inside a datasource's own data (LXD's
// user.network-config, VMware's guestinfo `network`, OVF's `network-config` property):
// YAML or JSON text, or an already parsed mapping, holding cloud-init's v1 or v2
// format, optionally under a top-level `network:` key.
import type { NetworkConfigSource } from './types.js';
import { DatasourceError } from './types.js';
import { isDict } from '../config/merge.js';
import { loadYaml, YamlError } from '../yaml/load.js';

/** Parses YAML (JSON is YAML) text; a DatasourceError naming `source`, line and column when it is not. */
export function yamlOf(text: string, source: string): unknown {
  try {
    return loadYaml(text, source).value;
  } catch (e) {
    throw new DatasourceError(e instanceof YamlError ? e.message : `${source}: ${(e as Error).message}`);
  }
}

/**
 * The network config in `raw` (text or mapping) as v1 or v2; null for an empty value.
 * Anything else is a DatasourceError naming `source` and the key that is wrong.
 */
export function networkConfigOf(raw: unknown, source: string): NetworkConfigSource | null {
  const parsed = typeof raw === 'string' ? (raw.trim() === '' ? null : yamlOf(raw, source)) : raw;
  if (parsed === null || parsed === undefined) return null;
  const cfg = isDict(parsed) && isDict(parsed.network) ? parsed.network : parsed;
  if (!isDict(cfg)) throw new DatasourceError(`${source}: expected a mapping with "version: 1" or "version: 2", got ${Array.isArray(cfg) ? 'a list' : typeof cfg}`);
  if (cfg.version === 1) return { format: 'v1', config: cfg, source };
  if (cfg.version === 2) return { format: 'v2', config: cfg, source };
  if (cfg.config === 'disabled') return { format: 'v1', config: cfg, source };
  throw new DatasourceError(`${source}: key "version" must be 1 or 2, got ${JSON.stringify(cfg.version) ?? 'nothing'}`);
}
