// init-local: before the network. Re-checks the cached instance cheaply, otherwise
// finds a local datasource; records the instance. The network configuration is
// written here, before the network manager starts (see net/).
import type { StageEnv } from './env.js';
import type { DatasourceResult } from '../datasources/types.js';
import { datasourceByName } from '../datasources/registry.js';
import { contextFor, findDatasource } from '../datasources/find.js';
import { readCachedInstance, recordInstance } from '../state/instance.js';
import { writeInstanceData } from '../state/instance-data.js';
import { stageFinished, stageStarted } from '../state/status.js';
import { Paths } from '../state/paths.js';
import { NIMBUS_VERSION_STRING } from '../modules/final-message.js';

/** The cached datasource when it is still this machine's; "stale" when it is certainly not. */
async function checkCache(env: StageEnv, cached: DatasourceResult): Promise<DatasourceResult | 'stale' | 'unknown'> {
  const { host, log, system } = env;
  if (system.cfg.manual_cache_clean === true) {
    log.info(`manual_cache_clean is set: trusting the cached instance ${cached.instanceId}`);
    return cached;
  }
  const impl = datasourceByName(cached.dsname);
  if (impl?.currentInstanceId === undefined) return 'unknown';
  let current: string | null;
  try {
    current = await impl.currentInstanceId(contextFor(host, log, system.cfg, impl.name, 'local'));
  } catch (e) {
    log.debug(`could not re-read the instance-id from ${impl.name}: ${(e as Error).message}`);
    return 'unknown';
  }
  if (current === cached.instanceId) {
    log.info(`instance-id ${current} unchanged: using the cached ${cached.dsname} data`);
    return cached;
  }
  if (current === null) return 'unknown';
  log.info(`instance-id changed from ${cached.instanceId} to ${current}: this is a new instance`);
  return 'stale';
}

export async function runInitLocal(env: StageEnv): Promise<number> {
  const { host, log } = env;
  stageStarted(host, 'init-local');
  host.fs.write(`${new Paths().runDir}/enabled`, '');
  let ds: DatasourceResult | null = null;
  const cached = readCachedInstance(host);
  if (cached !== null) {
    const verdict = await checkCache(env, cached);
    if (verdict === 'stale') host.fs.remove(new Paths().instanceLink);
    else if (verdict !== 'unknown') ds = verdict;
  }
  ds ??= await findDatasource(host, log, env.system.cfg, 'local');
  if (ds !== null) {
    const rec = recordInstance(host, ds);
    if (rec.isNew) log.info(`new instance ${ds.instanceId} (previous: ${rec.previousId})`);
    writeInstanceData(host, { ds, distro: env.distro, mergedCfg: env.system.cfg, version: NIMBUS_VERSION_STRING });
  } else {
    log.info('no local datasource: the init stage looks for network ones');
  }
  stageFinished(host, 'init-local', log.report, ds?.description ?? null);
  return log.report.errors.length > 0 ? 1 : 0;
}
