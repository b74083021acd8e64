// The configuration modules see, built in one place for every stage and `single`: the
// system configuration, then vendor cloud-config, then the second vendor-data's
// (vendor_data2), then the user's cloud-config (highest precedence), with where every
// key came from. Within user-data (and within
// vendor-data) the parts were already merged following their merge_how; the layers
// themselves merge as cloud-init merges its config sources: dictionaries key by key,
// anything else replaced by the later layer.
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

/** One layer of cloud-config (user-data or vendor-data): its parts already merged, and the parts for positions. */
export interface CloudConfigLayer {
  cfg: Dict;
  parts: CloudConfigPart[];
}

export const NO_LAYER: CloudConfigLayer = { cfg: {}, parts: [] };

/** The datasource's own configuration (Azure's ovf-env.xml user, ...), as the datasource gave it. */
export interface DatasourceConfigLayer {
  dsname: string;
  config?: Dict;
}

/**
 * The one way the instance configuration is made. A datasource's own configuration
 * sits above the system configuration and below vendor- and user-data, as cloud-init
 * merges a datasource's config object; vendor-data2 sits above vendor-data (cloud-init
 * 25: the dynamic vendor-data overrides the static one) and below user-data.
 */
export function buildInstanceConfig(system: SystemConfig, vendor: CloudConfigLayer, user: CloudConfigLayer, ds?: DatasourceConfigLayer, vendor2: CloudConfigLayer = NO_LAYER): InstanceConfig {
  const source = new ConfigSource();
  source.addFrom(system.source);
  let base = system.cfg;
  if (ds?.config && isDict(ds.config)) {
    base = mergeConfig(base, ds.config);
    source.add(Object.keys(ds.config), { file: `datasource ${ds.dsname}`, positions: new Map() });
  }
  for (const p of [...vendor.parts, ...vendor2.parts, ...user.parts]) source.add(Object.keys(p.value), { file: p.label, positions: p.positions });
  return { cfg: mergeConfig(mergeConfig(mergeConfig(base, vendor.cfg), vendor2.cfg), user.cfg), source };
}

/** A layer the init stage stored (vendor-cloud-config.txt, cloud-config.txt), read back. */
function storedLayer(host: Host, log: Logger, file: string): CloudConfigLayer {
  const text = host.fs.readText(file);
  if (text === null || text.trim() === '') return NO_LAYER;
  try {
    const { value, positions } = loadYaml(text, file);
    if (isDict(value)) return { cfg: value, parts: [{ label: file, text, value, positions }] };
  } catch (e) {
    log.error(e instanceof YamlError ? e.message : `${file}: ${(e as Error).message}`);
  }
  return NO_LAYER;
}

/** From the files the init stage stored (the config and final stages, `single`). */
export function configFromStore(host: Host, log: Logger, system: SystemConfig, paths: Paths, ds?: DatasourceConfigLayer): InstanceConfig {
  return buildInstanceConfig(
    system,
    storedLayer(host, log, paths.instance('vendor-cloud-config.txt')),
    storedLayer(host, log, paths.instance('cloud-config.txt')),
    ds,
    storedLayer(host, log, paths.instance('vendor2-cloud-config.txt')),
  );
}
