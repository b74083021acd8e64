// The CLI as a library, for the tests' worker (boot-worker.ts): the same commands and
// program as dist/nimbus.js, bundled by scripts/build.mjs into build/cli-worker/cli.cjs
// (the CLI's sources import @nimbus/core, which only a bundle resolves). The worker
// calls runCli with its output collected instead of starting a Node per command.
import '../../packages/cli/src/commands/index.js';

export { runCli } from '../../packages/cli/src/program.js';
export { Console } from '../../packages/core/src/host/console.js';
