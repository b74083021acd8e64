// nimbus-init: the init boot stage as a oneshot daemon (see units/nimbus-init.service).
import { runStageDaemon } from '@nimbus/core';

runStageDaemon('init', process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
