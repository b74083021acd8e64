// nimbus-local: the local boot stage as a oneshot daemon (see units/nimbus-local.service).
import { runStageDaemon } from '@nimbus/core';

runStageDaemon('local', process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
