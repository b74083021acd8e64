// nimbus-final: the final boot stage as a oneshot daemon (see units/nimbus-final.service).
import { runStageDaemon } from '@nimbus/core';

runStageDaemon('final', process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
