// `nimbus` (also installed as `cloud-init`): the cloud-init-compatible CLI.
import './commands/index.js';
import { runCli } from './program.js';

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`nimbus: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
