// nimbus-config: the config boot stage as a oneshot daemon (see units/nimbus-config.service).
import { runStageDaemon } from '@nimbus/core';

runStageDaemon('config', process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
