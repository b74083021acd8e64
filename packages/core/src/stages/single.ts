// single --name N [--frequency F]: runs one module. When /var/lib/cloud was removed it
// finds the datasource and handles user-data first, so the module runs on the
// instance's real configuration rather than on none.
import type { StageEnv } from './env.js';
import type { Frequency } from '../modules/types.js';
import { lookupModule } from '../modules/registry.js';
import { NOT_IMPLEMENTED } from '../modules/not-implemented.js';
import { canonicalModuleName } from '../config/modules-list.js';
import { readCachedInstance, recordInstance } from '../state/instance.js';
import { Paths } from '../state/paths.js';
import { consumeData } from './consume.js';
import { configFromStore } from './instance-config.js';
import { jinjaVarsFor, obtainDatasource } from './init.js';
import { runModule, type ModuleResult } from './runner.js';

export async function runSingle(env: StageEnv, name: string, frequency: Frequency | undefined): Promise<{ code: number; result: ModuleResult | null }> {
  const { host, log } = env;
  const canonical = canonicalModuleName(name);
  // Built-in or custom (/etc/cloud/modules.d), as the module lists find them.
  const { module: mod, error } = lookupModule(host, canonical);
  if (mod === null) {
    log.error(error ?? (NOT_IMPLEMENTED[canonical] !== undefined ? `not supported: module ${canonical}` : `no module named ${name}`));
    return { code: 1, result: null };
  }
  let ds = readCachedInstance(host);
  if (ds === null) {
    log.info('no cached instance (was /var/lib/cloud removed?): finding the datasource and handling user-data first');
    ds = await obtainDatasource(env);
    if (ds === null) {
      log.error('no datasource found; the module was not run');
      return { code: 1, result: null };
    }
    const { paths } = recordInstance(host, ds);
    await consumeData(host, log, ds, paths, { runBoothooks: false, jinjaVars: jinjaVarsFor(env, ds), systemCfg: env.system.cfg });
  }
  const paths = new Paths(ds.instanceId);
  const { cfg, source } = configFromStore(host, log, env.system, paths, ds);
  const result = await runModule(env, { host, cfg, source, ds, paths, distro: env.distro }, mod, frequency ?? mod.frequency, 'single');
  return { code: log.report.errors.length > 0 ? 1 : 0, result };
}
