// init: after the network is up. Trusts what init-local found (or finds a network
// datasource, the None datasource last), stores and handles user-data and
// vendor-data, and runs cloud_init_modules.
import { writeAid, type StageEnv } from './env.js';
import type { DatasourceResult } from '../datasources/types.js';
import { findDatasource } from '../datasources/find.js';
import { isNewInstance, readCachedInstance, recordInstance } from '../state/instance.js';
import { buildInstanceData, writeInstanceData } from '../state/instance-data.js';
import { jinjaVariables } from '../userdata/jinja.js';
import { stageFinished, stageStarted } from '../state/status.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { consumeData } from './consume.js';
import { buildInstanceConfig } from './instance-config.js';
import { runModuleList, type ModuleResult } from './runner.js';
import { initNetwork } from './network.js';
import { checkMergedConfig } from '../schema/check-memo.js';
import { unlistedModuleKeys, unsupportedReporters } from '../schema/unlisted-keys.js';
import { formatProblem } from '../schema/problems.js';

/** The instance's data: the cache when init-local (or an earlier boot) found a real source, else a search. */
export async function obtainDatasource(env: StageEnv): Promise<DatasourceResult | null> {
  const cached = readCachedInstance(env.host);
  // A None cache is not trusted: a real source may have appeared since.
  if (cached !== null && cached.dsname !== 'None') return cached;
  return (await findDatasource(env.host, env.log, env.system.cfg, 'local')) ?? (await findDatasource(env.host, env.log, env.system.cfg, 'net'));
}

/** Template variables for jinja parts: instance data as it stands before user-data is merged. */
export function jinjaVarsFor(env: StageEnv, ds: DatasourceResult): () => Record<string, unknown> {
  let vars: Record<string, unknown> | null = null;
  return () => (vars ??= jinjaVariables(buildInstanceData(env.host, { ds, distro: env.distro, mergedCfg: env.system.cfg, version: NIMBUS_VERSION_STRING }).sensitive));
}

export async function runInit(env: StageEnv): Promise<{ code: number; modules: ModuleResult[] }> {
  const { host, log } = env;
  stageStarted(host, 'init');
  const ds = await obtainDatasource(env);
  if (ds === null) {
    log.error('no datasource found (not even None: is it missing from datasource_list?); nothing was configured');
    stageFinished(host, 'init', log.report, null);
    return { code: 1, modules: [] };
  }
  // As in init-local, the network comes before the instance is recorded, so a boot killed
  // in between renders a network datasource's new instance again on the next boot. Its
  // inputs are the datasource and the system config (user-data cannot set the network).
  initNetwork(env, ds, isNewInstance(host, ds.instanceId), env.system.cfg);
  const { paths, runProblem } = recordInstance(host, ds);
  if (runProblem !== undefined) log.warn(`${runProblem}; the boot goes on without it`);
  const { user, vendor, vendor2 } = await consumeData(host, log, ds, paths, { runBoothooks: true, jinjaVars: jinjaVarsFor(env, ds), systemCfg: env.system.cfg });
  // The user's cloud-config is checked as `nimbus schema` checks it. The boot goes on:
  // modules refuse what they cannot use themselves, so every message is a warning here.
  for (const p of checkMergedConfig(host, paths.instance('schema-check.json'), user.cfg, user.parts)) {
    if (p.severity === 'deprecated') log.deprecated(`schema ${formatProblem(p)}`);
    else log.warn(`schema ${formatProblem(p)}`);
  }
  const { cfg, source } = buildInstanceConfig(env.system, vendor, user, ds, vendor2);
  for (const u of unlistedModuleKeys(cfg)) {
    log.warn(`${source.where([u.key])}configured but not run: ${u.key} (module ${u.modules.join(' or ')} is in none of the module lists of /etc/cloud/cloud.cfg)`);
  }
  for (const [name, type] of unsupportedReporters(cfg))
    log.warn(`${source.where(['reporting', name])}not supported: reporting.${name} of type ${type} (nimbus reports to cloud-init.log and the journal only)`);
  writeAid(log, 'instance-data.json', () => writeInstanceData(host, { ds, distro: env.distro, mergedCfg: cfg, version: NIMBUS_VERSION_STRING }));
  const modules = await runModuleList(env, { host, cfg, source, ds, paths, distro: env.distro }, 'cloud_init_modules', 'init');
  stageFinished(host, 'init', log.report, ds.description);
  return { code: log.report.errors.length > 0 ? 1 : 0, modules };
}
