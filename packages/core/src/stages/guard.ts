// The last line of defence: an unexpected exception in a stage is logged (stack in
// the log file only), recorded in status.json, and turned into exit code 1. No stack
// trace reaches the user's terminal or the journal.
import type { StageEnv } from './env.js';
import { readStatus, writeStatus, type StatusStage } from '../state/status.js';

export async function guarded<T>(env: StageEnv, statusStage: StatusStage | null, fn: () => Promise<T>, failed: T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    env.log.error(`internal error: ${msg}`);
    if (e instanceof Error && e.stack) env.log.debug(e.stack);
    if (statusStage !== null) {
      try {
        const v1 = readStatus(env.host);
        if (v1 !== null) {
          v1.stage = null;
          v1[statusStage] = { ...v1[statusStage], finished: env.host.clock.now(), errors: [...v1[statusStage].errors, ...env.log.report.errors] };
          writeStatus(env.host, v1);
        }
      } catch {
        // Status could not be written either; the log line above is what remains.
      }
    }
    return failed;
  }
}
