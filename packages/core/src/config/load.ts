// The system configuration: built-in defaults (when cloud.cfg is absent), then
// /etc/cloud/cloud.cfg, then /etc/cloud/cloud.cfg.d/*.cfg in lexical order, then
// /run/cloud-init/cloud.cfg, then `cc:` on the kernel command line — each laid on the
// one before. A file that cannot be read is reported and skipped; the rest still count.
import type { Host } from '../host/host.js';
import type { Distro } from '../distro/types.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import { builtinConfig } from './defaults.js';
import { cmdlineCloudConfig } from './cmdline.js';
import { isDict, mergeConfig, type Dict } from './merge.js';
import { ConfigSource } from './source.js';
import { ParsedConfigCache } from './parsed-cache.js';

export const CLOUD_CFG = '/etc/cloud/cloud.cfg';
export const CLOUD_CFG_D = '/etc/cloud/cloud.cfg.d';
export const RUN_CLOUD_CFG = '/run/cloud-init/cloud.cfg';

export interface SystemConfig {
  cfg: Dict;
  source: ConfigSource;
  /** Files read, in order (for `status --long` and debugging). */
  files: string[];
  /** Files that could not be read, each with file, line and reason. */
  errors: string[];
}

function readOne(file: string, label: string, text: string, out: SystemConfig, cache?: ParsedConfigCache): void {
  try {
    let doc = cache?.get(label, text) ?? null;
    if (doc === null) {
      doc = loadYaml(text, label);
      cache?.put(label, text, doc);
    }
    const { value, positions } = doc;
    if (value === null) return;
    if (!isDict(value)) {
      out.errors.push(`${label}: expected a mapping of configuration keys at the top level, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      return;
    }
    out.cfg = mergeConfig(out.cfg, value);
    out.source.add(Object.keys(value), { file: label, positions });
    out.files.push(file);
  } catch (e) {
    out.errors.push(e instanceof YamlError ? e.message : `${label}: ${(e as Error).message}`);
  }
}

export function loadSystemConfig(host: Host, distro: Distro, datasources: string[]): SystemConfig {
  const out: SystemConfig = { cfg: {}, source: new ConfigSource(), files: [], errors: [] };
  const cache = new ParsedConfigCache(host);
  const main = host.fs.readText(CLOUD_CFG);
  if (main === null) {
    out.cfg = builtinConfig(distro, datasources);
  } else {
    readOne(CLOUD_CFG, CLOUD_CFG, main, out, cache);
  }
  for (const name of host.fs.list(CLOUD_CFG_D)) {
    if (!name.endsWith('.cfg')) continue;
    const file = `${CLOUD_CFG_D}/${name}`;
    const text = host.fs.readText(file);
    if (text !== null) readOne(file, file, text, out, cache);
  }
  const run = host.fs.readText(RUN_CLOUD_CFG);
  if (run !== null) readOne(RUN_CLOUD_CFG, RUN_CLOUD_CFG, run, out, cache);
  const cc = cmdlineCloudConfig(host.sysfs.cmdline());
  if (cc !== null) readOne('/proc/cmdline', 'kernel command line (cc:)', cc, out);
  cache.save();
  return out;
}
