// nimbus-init: the init boot stage as a oneshot daemon (units/nimbus-init.service).
import { runStageDaemon } from '@nimbus/core/daemon';
import { runInit } from '@nimbus/core/stages/init';

runStageDaemon('init', process.argv.slice(2), async (env) => (await runInit(env)).code).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
