// Looks for the instance's data: the sources of datasource_list in order, those that
// can be read at this stage; the first with data wins. A source that is present but
// broken is reported (file, line, what was wrong) and the search goes on.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { DatasourceError } from './types.js';
import { builtinDatasourceList, datasourceByName, notSupported } from './registry.js';
import { isDict, type Dict } from '../config/merge.js';
import { normalizeInstanceId } from '../state/instance-id.js';

export function datasourceList(cfg: Dict, log: Logger): string[] {
  const v = cfg.datasource_list;
  const fallback = builtinDatasourceList();
  if (v === undefined || v === null) return fallback;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  log.warn(`datasource_list: expected a list of datasource names, got ${JSON.stringify(v)}; using the default ${fallback.join(', ')}`);
  return fallback;
}

export function contextFor(host: Host, log: Logger, cfg: Dict, name: string, stage: 'local' | 'net'): DatasourceContext {
  const all = isDict(cfg.datasource) ? cfg.datasource : {};
  const own = all[name];
  return { host, log, cfg, dsCfg: isDict(own) ? own : {}, stage };
}

/** The usable sources among `names` for a stage, in order; unknown names are reported once. */
export function candidates(names: readonly string[], log: Logger, stage: 'local' | 'net'): Datasource[] {
  const out: Datasource[] = [];
  for (const name of names) {
    const ds = datasourceByName(name);
    if (ds === undefined) {
      if (stage === 'local') log.warn(`datasource_list: ${notSupported(name)}; skipped`);
      continue;
    }
    // None is the last resort of the network stage, never a local answer.
    if (stage === 'local' && (ds.needs !== 'local' || ds.name === 'None')) continue;
    out.push(ds);
  }
  return out;
}

export async function findDatasource(host: Host, log: Logger, cfg: Dict, stage: 'local' | 'net', names: readonly string[] = datasourceList(cfg, log)): Promise<DatasourceResult | null> {
  for (const ds of candidates(names, log, stage)) {
    const t0 = host.clock.monotonicMs();
    try {
      const r = await ds.find(contextFor(host, log, cfg, ds.name, stage));
      if (r !== null && r.dsmode === 'disabled') {
        // The instance's own data says this source is not to be used (dsmode: disabled).
        log.info(`datasource ${ds.name}: present but dsmode is disabled; looking further`);
        continue;
      }
      if (r !== null) {
        log.info(`found datasource ${r.description} (${Math.round(host.clock.monotonicMs() - t0)} ms)`);
        return { ...r, instanceId: normalizeInstanceId(r.instanceId) };
      }
      log.debug(`datasource ${ds.name}: not present`);
    } catch (e) {
      if (e instanceof DatasourceError) log.error(`datasource ${ds.name}: ${e.message}`);
      else log.error(`datasource ${ds.name}: unexpected failure: ${(e as Error).message}`);
    }
  }
  return null;
}
