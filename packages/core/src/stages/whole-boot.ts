// The four stages of a boot, as functions to call one after another in one process:
// `nimbus try` and the tests' boot worker run a whole boot this way. The daemons do not
// use this table: each imports only its own stage, so its bundle carries only that code.
import type { StageEnv } from './env.js';
import { runInit } from './init.js';
import { runInitLocal } from './local.js';
import { runModulesMode } from './modules.js';
import type { ModuleResult } from './runner.js';
import { BOOT_STAGES, STATUS_STAGE_OF, type BootStage, type StatusStage } from './stage-names.js';

export interface StageOutcome {
  code: number;
  /** The modules the stage ran (none for init-local). */
  modules: ModuleResult[];
}

const RUN: Readonly<Record<BootStage, (env: StageEnv) => Promise<StageOutcome>>> = {
  local: async (env) => ({ code: await runInitLocal(env), modules: [] }),
  init: runInit,
  config: (env) => runModulesMode(env, 'config'),
  final: (env) => runModulesMode(env, 'final'),
};

/** The stages in boot order, each with its status.json name. */
export const WHOLE_BOOT: readonly { stage: BootStage; name: StatusStage; run: (env: StageEnv) => Promise<StageOutcome> }[] = BOOT_STAGES.map((stage) => ({
  stage,
  name: STATUS_STAGE_OF[stage],
  run: RUN[stage],
}));
