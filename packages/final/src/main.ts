// nimbus-final: the modules-final boot stage as a oneshot daemon (units/nimbus-final.service).
import { runStageDaemon } from '@nimbus/core/daemon';
import { runModulesMode } from '@nimbus/core/stages/modules';

runStageDaemon('final', process.argv.slice(2), async (env) => (await runModulesMode(env, 'final')).code).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
