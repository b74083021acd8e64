// `nimbus` (also installed as `cloud-init`): the cloud-init-compatible CLI.
import './commands/index.js';
import { runCli } from './program.js';

// Installed as `cloud-init-per` too (a link to this bundle): that name is `nimbus per`.
const invokedAs = (process.argv[1] ?? '')
  .split('/')
  .pop()
  ?.replace(/\.(js|cjs|mjs)$/, '');
const argv = invokedAs === 'cloud-init-per' ? [process.argv[0] as string, process.argv[1] as string, 'per', ...process.argv.slice(2)] : process.argv;

runCli(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`nimbus: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
