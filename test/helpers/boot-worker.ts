// The tests' boots, run in a worker thread: the four stages the daemons run
// (packages/{local,init,config,final}/src/main.ts), one after another on a root, each
// with a host of its own and its stdout and stderr collected. test/helpers/boot.ts
// starts one worker per test process and waits for each boot synchronously, so a test
// that boots pays for the stages' work, not for four Node starts and four loads of the
// code (docs/development.md, "The fast lane"). The daemons themselves are started from
// their bundles by bootDaemons(), test/boot, test/integration and the VM test.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createHost } from '../../packages/core/src/host/host.js';
import { Console } from '../../packages/core/src/host/console.js';
import { runStage } from '../../packages/core/src/stages/daemon.js';
import { WHOLE_BOOT } from '../../packages/core/src/stages/whole-boot.js';

export interface StageRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** What the worker answers: the four runs, or why it could not boot. */
export type BootAnswer = { runs: StageRun[] } | { error: string };

/** What a stage wrote, kept instead of written. */
class Collected extends Console {
  stdoutText = '';
  stderrText = '';
  override write(fd: 1 | 2, text: string): void {
    if (fd === 1) this.stdoutText += text;
    else this.stderrText += text;
  }
  override stderrIsTty(): boolean {
    return false;
  }
}

/** The four stages on `root`, as the daemons run them with `--root root`. */
export async function bootStages(root: string): Promise<StageRun[]> {
  const runs: StageRun[] = [];
  for (const { stage, name, run } of WHOLE_BOOT) {
    const out = new Collected();
    let code: number;
    try {
      code = await runStage(createHost({ root, console: out }), name, false, async (env) => (await run(env)).code, `nimbus-${stage}`);
    } catch (e) {
      // A daemon whose stage rejects exits 1 (packages/*/src/main.ts).
      out.stderr(`nimbus-${stage}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      code = 1;
    }
    runs.push({ code, stdout: out.stdoutText, stderr: out.stderrText });
  }
  return runs;
}

/** The CLI library (build/cli-worker/cli.cjs, from cli-entry.ts), loaded on the first command. */
interface CliLibrary {
  runCli(argv: string[]): Promise<number>;
  Console: typeof Console;
}
let cliLibrary: CliLibrary | undefined;

/**
 * `nimbus ARGS` as dist/nimbus.js runs it, in this thread: what it writes to stdout and
 * stderr (process.stdout/stderr and the host console) is collected for the run.
 */
export async function runCliHere(args: string[]): Promise<StageRun> {
  cliLibrary ??= createRequire(import.meta.url)(fileURLToPath(new URL('../../cli-worker/cli.cjs', import.meta.url))) as CliLibrary;
  const lib = cliLibrary;
  const out = { stdout: '', stderr: '' };
  const text = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  const saved = { out: process.stdout.write, err: process.stderr.write, console: lib.Console.prototype.write };
  process.stdout.write = ((chunk: unknown) => {
    out.stdout += text(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => {
    out.stderr += text(chunk);
    return true;
  }) as typeof process.stderr.write;
  lib.Console.prototype.write = (fd: 1 | 2, t: string) => {
    if (fd === 1) out.stdout += t;
    else out.stderr += t;
  };
  let code: number;
  try {
    code = await lib.runCli([process.execPath, 'nimbus', ...args]);
  } catch (e) {
    // dist/nimbus.js's main: an internal error exits 1.
    out.stderr += `nimbus: internal error: ${e instanceof Error ? e.message : String(e)}\n`;
    code = 1;
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    lib.Console.prototype.write = saved.console;
  }
  return { code, ...out };
}

/** What a test asks the worker: a whole boot of a root, or one CLI command. */
export type WorkerRequest = { kind: 'boot'; root: string } | { kind: 'cli'; args: string[] };

if (parentPort !== null) {
  const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
  const answer = (a: BootAnswer) => {
    port.postMessage(a);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  parentPort.on('message', (req: WorkerRequest) => {
    const work = req.kind === 'boot' ? bootStages(req.root) : runCliHere(req.args).then((r) => [r]);
    work.then(
      (runs) => answer({ runs }),
      (e: unknown) => answer({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
  // Whatever escapes a stage still answers the waiting test instead of leaving it blocked.
  process.on('uncaughtException', (e) => answer({ error: `uncaught in a boot: ${e.stack ?? e.message}` }));
}
