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
import { STATUS_STAGE_OF, BOOT_STAGES, type BootStage } from '../../packages/core/src/stages/stage-names.js';
import type { StageEnv } from '../../packages/core/src/stages/env.js';
import { runInitLocal } from '../../packages/core/src/stages/local.js';
import { runInit } from '../../packages/core/src/stages/init.js';
import { runModulesMode } from '../../packages/core/src/stages/modules.js';

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

const RUN: Readonly<Record<BootStage, (env: StageEnv) => Promise<number>>> = {
  local: runInitLocal,
  init: async (env) => (await runInit(env)).code,
  config: async (env) => (await runModulesMode(env, 'config')).code,
  final: async (env) => (await runModulesMode(env, 'final')).code,
};

/** The four stages on `root`, as the daemons run them with `--root root`. */
export async function bootStages(root: string): Promise<StageRun[]> {
  const runs: StageRun[] = [];
  for (const stage of BOOT_STAGES) {
    const out = new Collected();
    let code: number;
    try {
      code = await runStage(createHost({ root, console: out }), STATUS_STAGE_OF[stage], false, RUN[stage], `nimbus-${stage}`);
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
