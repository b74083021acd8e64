// init-local: before the network. Re-checks the cached instance cheaply, otherwise
// finds a local datasource; records the instance. The network configuration is
// written here, before the network manager starts (see net/).
import type { StageEnv } from './env.js';
import type { DatasourceResult } from '../datasources/types.js';
import { datasourceByName } from '../datasources/registry.js';
import { contextFor, datasourceList, findDatasource } from '../datasources/find.js';
import { decideDatasources, recordVerdict, verdictCloudCfg } from '../datasources/detect.js';
import { gatherFacts } from '../datasources/facts.js';
import { RUN_CLOUD_CFG } from '../config/load.js';
import { isNewInstance, readCachedInstance, recordInstance } from '../state/instance.js';
import { writeInstanceData } from '../state/instance-data.js';
import { stageFinished, stageStarted } from '../state/status.js';
import { Paths } from '../state/paths.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { localNetwork } from './network.js';
import { normalizeInstanceId } from '../state/instance-id.js';
import { setHostnameEarly } from '../modules/lib/early-hostname.js';

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
  if (current !== null) current = normalizeInstanceId(current);
  if (current === normalizeInstanceId(cached.instanceId)) {
    log.info(`instance-id ${current} unchanged: using the cached ${cached.dsname} data`);
    return cached;
  }
  if (current === null) return 'unknown';
  log.info(`instance-id changed from ${cached.instanceId} to ${current}: this is a new instance`);
  return 'stale';
}

/**
 * The local probe (as ds-identify): which datasources can be here at all, decided from
 * DMI, block-device labels, seed directories and the kernel command line before any
 * wait. The narrowed datasource_list goes to /run/cloud-init/cloud.cfg, where the later
 * stages read it, so a machine with no datasource never waits on a metadata service.
 */
function detect(env: StageEnv): string[] {
  const { host, log } = env;
  const t0 = host.clock.monotonicMs();
  const facts = gatherFacts(host, log);
  const verdict = decideDatasources(facts, datasourceList(env.system.cfg, log));
  for (const c of verdict.checks) if (c.verdict === 'not-supported') log.warn(`datasource_list: ${c.reason}; skipped`);
  recordVerdict(host, facts, verdict);
  host.fs.write(RUN_CLOUD_CFG, verdictCloudCfg(verdict));
  log.info(`datasource detection: ${verdict.summary} (${Math.round(host.clock.monotonicMs() - t0)} ms)`);
  return verdict.datasources;
}

export async function runInitLocal(env: StageEnv): Promise<number> {
  const { host, log } = env;
  stageStarted(host, 'init-local');
  host.fs.write(`${new Paths().runDir}/enabled`, '');
  let ds: DatasourceResult | null = null;
  const cached = readCachedInstance(host);
  // A cache this stage cannot check (a network datasource's) still is this machine's
  // until the init stage says otherwise: its network config must not be replaced by
  // the fallback just because no local source is here.
  let unverified: DatasourceResult | null = null;
  if (cached !== null) {
    const verdict = await checkCache(env, cached);
    if (verdict === 'stale') host.fs.remove(new Paths().instanceLink);
    else if (verdict === 'unknown') unverified = cached;
    else ds = verdict;
  }
  if (ds === null) ds = await findDatasource(host, log, env.system.cfg, 'local', detect(env));
  // The network configuration is written before the instance is recorded: a boot killed
  // in between then still finds a new instance next time, and renders it then. (Recorded
  // first, the next boot would see a known instance and keep no network configuration.)
  const isNew = ds !== null && isNewInstance(host, ds.instanceId);
  localNetwork(env, ds ?? unverified, isNew);
  if (ds !== null) {
    const rec = recordInstance(host, ds);
    if (rec.isNew) log.info(`new instance ${ds.instanceId} (previous: ${rec.previousId})`);
    writeInstanceData(host, { ds, distro: env.distro, mergedCfg: env.system.cfg, version: NIMBUS_VERSION_STRING });
    // Before any network manager or DHCP client starts, so none can claim the name first.
    setHostnameEarly(env, ds);
  } else {
    log.info('no local datasource: the init stage looks for network ones');
  }
  stageFinished(host, 'init-local', log.report, ds?.description ?? null);
  return log.report.errors.length > 0 ? 1 : 0;
}
