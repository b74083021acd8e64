// The tests' boots, run in a worker thread: the four stages the daemons run
// (packages/{local,init,config,final}/src/main.ts), one after another on a root, each
// with a host of its own and its stdout and stderr collected. test/helpers/boot.ts
// starts one worker per test process and waits for each boot synchronously, so a test
// that boots pays for the stages' work, not for four Node starts and four loads of the
// code (docs/development.md, "The fast lane"). The daemons themselves are started from
// their bundles by bootDaemons(), test/boot, test/integration and the VM test.
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

if (parentPort !== null) {
  const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
  const answer = (a: BootAnswer) => {
    port.postMessage(a);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  parentPort.on('message', (root: string) => {
    bootStages(root).then(
      (runs) => answer({ runs }),
      (e: unknown) => answer({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
  // Whatever escapes a stage still answers the waiting test instead of leaving it blocked.
  process.on('uncaughtException', (e) => answer({ error: `uncaught in a boot: ${e.stack ?? e.message}` }));
}
