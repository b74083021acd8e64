// The configuration modules see: the system configuration, then vendor cloud-config,
// then the user's cloud-config (highest precedence), with where every key came from.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { SystemConfig } from '../config/load.js';
import type { Paths } from '../state/paths.js';
import { ConfigSource } from '../config/source.js';
import { isDict, mergeConfig, type Dict } from '../config/merge.js';
import { loadYaml, YamlError } from '../yaml/load.js';
import type { CloudConfigPart } from '../userdata/process.js';

export interface InstanceConfig {
  cfg: Dict;
  source: ConfigSource;
}

/** System config, then each part in order (vendor parts first), each key's origin kept. */
export function configFromParts(system: SystemConfig, vendor: CloudConfigPart[], user: CloudConfigPart[]): InstanceConfig {
  let cfg: Dict = { ...system.cfg };
  const source = new ConfigSource();
  source.addFrom(system.source);
  for (const p of [...vendor, ...user]) {
    cfg = mergeConfig(cfg, p.value);
    source.add(Object.keys(p.value), { file: p.label, positions: p.positions });
  }
  return { cfg, source };
}

/** From the files the init stage stored (the config and final stages, `single`). */
export function configFromStore(host: Host, log: Logger, system: SystemConfig, paths: Paths): InstanceConfig {
  const parts: CloudConfigPart[] = [];
  for (const name of ['vendor-cloud-config.txt', 'cloud-config.txt']) {
    const file = paths.instance(name);
    const text = host.fs.readText(file);
    if (text === null || text.trim() === '') continue;
    try {
      const { value, positions } = loadYaml(text, file);
      if (isDict(value)) parts.push({ label: file, text, value, positions });
    } catch (e) {
      log.error(e instanceof YamlError ? e.message : `${file}: ${(e as Error).message}`);
    }
  }
  return configFromParts(system, [], parts);
}
