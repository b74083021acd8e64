// The last line of defence: an unexpected exception in a stage is logged (stack in
// the log file only), recorded in status.json, and turned into exit code 1. No stack
// trace reaches the user's terminal or the journal.
import type { StageEnv } from './env.js';
import { NIMBUS_VERSION_STRING } from '../version.js';
import { readStatus, writeStatus, type StatusStage } from '../state/status.js';

export async function guarded<T>(env: StageEnv, statusStage: StatusStage | null, fn: () => Promise<T>, failed: T): Promise<T> {
  // Stage-level events, as cloud-init logs them, so `analyze` can group a boot's work.
  const event = statusStage ?? env.stage;
  const t0 = env.host.clock.monotonicMs();
  const since = () => `${((env.host.clock.monotonicMs() - t0) / 1000).toFixed(3)} seconds`;
  env.log.debug(`start: ${event}: running stage ${event} (nimbus ${NIMBUS_VERSION_STRING})`);
  try {
    const r = await fn();
    env.log.debug(`finish: ${event}: ${env.log.report.errors.length > 0 ? 'FAIL' : 'SUCCESS'}: stage ${event} done in ${since()}`);
    return r;
  } catch (e) {
    env.log.debug(`finish: ${event}: FAIL: stage ${event} failed after ${since()}`);
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
