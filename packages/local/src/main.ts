// nimbus-local: the init-local boot stage as a oneshot daemon (units/nimbus-local.service).
import { runStageDaemon } from '@nimbus/core/daemon';
import { runInitLocal } from '@nimbus/core/stages/local';

runStageDaemon('local', process.argv.slice(2), runInitLocal).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
