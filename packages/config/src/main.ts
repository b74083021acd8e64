// nimbus-config: the modules-config boot stage as a oneshot daemon (units/nimbus-config.service).
import { runStageDaemon } from '@nimbus/core/daemon';
import { runModulesMode } from '@nimbus/core/stages/modules';

runStageDaemon('config', process.argv.slice(2), async (env) => (await runModulesMode(env, 'config')).code).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
