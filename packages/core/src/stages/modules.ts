// modules --mode init|config|final: runs one module list on the instance recorded by
// the init stage, with the configuration it stored. The final stage also writes
// result.json, which tells `status --wait` the boot is over.
import type { StageEnv } from './env.js';
import { modulesStage, type ModulesMode } from './stage-names.js';
import { readCachedInstance } from '../state/instance.js';
import { stageFinished, stageStarted, writeResult } from '../state/status.js';
import { Paths } from '../state/paths.js';
import { configFromStore } from './instance-config.js';
import { runModuleList, type ModuleResult } from './runner.js';

const LIST: Record<ModulesMode, string> = { init: 'cloud_init_modules', config: 'cloud_config_modules', final: 'cloud_final_modules' };

export async function runModulesMode(env: StageEnv, mode: ModulesMode): Promise<{ code: number; modules: ModuleResult[] }> {
  const { host, log } = env;
  const stage = modulesStage(mode);
  stageStarted(host, stage);
  const ds = readCachedInstance(host);
  let modules: ModuleResult[] = [];
  if (ds === null) {
    log.error('no instance recorded: the init stage has not run on this root (or /var/lib/cloud was removed); run `nimbus init` first');
  } else {
    const paths = new Paths(ds.instanceId);
    const { cfg, source } = configFromStore(host, log, env.system, paths, ds);
    modules = await runModuleList(env, { host, cfg, source, ds, paths, distro: env.distro }, LIST[mode], stage);
  }
  const v1 = stageFinished(host, stage, log.report, ds?.description ?? null);
  if (mode === 'final') writeResult(host, v1);
  return { code: log.report.errors.length > 0 ? 1 : 0, modules };
}
