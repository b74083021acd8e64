// Runs modules: each at its frequency, guarded by its semaphore and a lock so it never
// runs twice (at once or over time), its failure reported without stopping the next.
// Each run is logged as start/finish events, the raw material of `analyze` and the demo.
import type { Module, ModuleContext, Frequency } from '../modules/types.js';
import type { RunStage } from './stage-names.js';
import { lookupModule } from '../modules/registry.js';
import { distroSkip } from '../modules/lib/distro-gate.js';
import { NOT_IMPLEMENTED } from '../modules/not-implemented.js';
import { parseModuleList } from '../config/modules-list.js';
import type { StageEnv } from './env.js';

export type Outcome = 'ran' | 'failed' | 'skipped' | 'unsupported';

export interface ModuleResult {
  name: string;
  outcome: Outcome;
  ms: number;
  reason: string;
}

const LOCK_WAIT_MS = 10 * 60 * 1000;

export type BaseContext = Omit<ModuleContext, 'log' | 'frequency' | 'stage'>;

function configured(mod: Module, cfg: Record<string, unknown>): boolean {
  return mod.alwaysRun === true || mod.keys.some((k) => cfg[k] !== undefined && cfg[k] !== null);
}

export async function runModule(env: StageEnv, base: BaseContext, mod: Module, frequency: Frequency, stage: RunStage): Promise<ModuleResult> {
  const { host } = env;
  const log = env.log.child(mod.name);
  const event = `${stage}/config-${mod.name}`;
  const t0 = host.clock.monotonicMs();
  const done = (outcome: Outcome, reason: string): ModuleResult => {
    const ms = Math.round(host.clock.monotonicMs() - t0);
    const status = outcome === 'ran' ? 'SUCCESS' : outcome === 'failed' ? 'FAIL' : 'SKIP';
    log.debug(`finish: ${event}: ${status}: config-${mod.name} ${reason} (${ms} ms)`);
    return { name: mod.name, outcome, ms, reason };
  };
  if (!configured(mod, base.cfg)) return done('skipped', `no ${mod.keys.join('/')} configuration`);
  // As cloud-init: a module not verified on this distro is skipped (info, not a
  // warning: nothing the user asked for went wrong), and no semaphore is written.
  const notHere = distroSkip(mod, base, log);
  if (notHere !== null) return done('skipped', notHere);
  const sem = base.paths.semaphore(mod.name, frequency);
  // `<sem>.started`: written before the module's first command runs, removed once the
  // semaphore is written. Found without the semaphore, it means a crash (power loss,
  // SIGKILL) stopped the module after it had started running commands.
  const started = sem === null ? null : `${sem}.started`;
  const alreadyRan = (): boolean => {
    if (sem === null || !host.fs.exists(sem)) return false;
    if (started !== null && host.fs.exists(started)) host.fs.remove(started); // killed between the two
    return true;
  };
  if (alreadyRan()) return done('skipped', `already ran (${frequency})`);
  let release: (() => void) | null;
  try {
    release = host.fs.lock(base.paths.moduleLock(mod.name), LOCK_WAIT_MS);
  } catch (e) {
    // The lock lives in /run: a full /run must not keep the module from running. Without
    // the lock a second nimbus process could run it at once; the semaphore still keeps
    // it from running twice over time.
    log.warn(`the lock of ${mod.name} could not be created (${(e as Error).message}); running it without the lock`);
    release = () => undefined;
  }
  if (release === null) {
    log.error(`another nimbus process kept the lock of ${mod.name} for ${LOCK_WAIT_MS / 1000} s; not run`);
    return done('failed', 'lock held by another process');
  }
  try {
    // The other holder may have just finished it.
    if (alreadyRan()) return done('skipped', `already ran (${frequency})`);
    if (sem !== null && started !== null && host.fs.exists(started) && mod.rerunAfterInterruption === true) {
      // Its commands are safe to run again: leaving it out would leave the machine without
      // its users or login keys. The marker stays until the semaphore is written.
      log.info(`${mod.name} was interrupted in an earlier boot after it had started running commands; it is safe to run again, so it runs again`);
    } else if (sem !== null && started !== null && host.fs.exists(started)) {
      // Re-running could run a command (a user's script) a second time; a module killed
      // before its first command is simply run again (its file writes are atomic).
      log.error(
        `${mod.name} was interrupted in an earlier boot after it had started running commands; it is not run again, so that no command runs twice (\`nimbus single --name ${mod.name} --frequency always\` runs it again)`,
      );
      host.fs.write(sem, `${process.pid}: ${host.clock.now()}\n`);
      host.fs.remove(started);
      return done('failed', 'interrupted in an earlier boot');
    }
    log.debug(`start: ${event}: running config-${mod.name} with frequency ${frequency}`);
    const errorsBefore = log.report.errors.length;
    const prevHook = host.exec.beforeRun;
    if (started !== null) {
      let marked = false;
      host.exec.beforeRun = () => {
        if (marked) return;
        host.fs.write(started, `${process.pid}: ${host.clock.now()}\n`);
        marked = true;
      };
    }
    try {
      await mod.run({ ...base, log, frequency, stage });
    } catch (e) {
      log.error(e instanceof Error ? e.message : String(e));
      if (e instanceof Error && e.stack) log.debug(e.stack);
    } finally {
      host.exec.beforeRun = prevHook;
    }
    // The semaphore marks "ran", failed or not, as cloud-init's does: a failing
    // per-instance module is reported, not retried on every boot.
    if (sem !== null) host.fs.write(sem, `${process.pid}: ${host.clock.now()}\n`);
    if (started !== null && host.fs.exists(started)) host.fs.remove(started);
    const failed = log.report.errors.length > errorsBefore;
    return done(failed ? 'failed' : 'ran', failed ? `${log.report.errors.length - errorsBefore} error(s)` : 'ran successfully');
  } finally {
    release();
  }
}

export async function runModuleList(env: StageEnv, base: BaseContext, listKey: string, stage: RunStage): Promise<ModuleResult[]> {
  const { entries, errors } = parseModuleList(base.cfg[listKey], listKey);
  for (const e of errors) env.log.error(`${base.source.where([listKey])}${e}`);
  const results: ModuleResult[] = [];
  for (const entry of entries) {
    const { module: mod, error } = lookupModule(env.host, entry.name);
    if (error !== undefined) {
      env.log.child(entry.name).error(error);
      results.push({ name: entry.name, outcome: 'failed', ms: 0, reason: 'custom module could not be loaded' });
      continue;
    }
    if (mod === null) {
      results.push(unsupported(env, base, entry.name, stage));
      continue;
    }
    results.push(await runModule(env, base, mod, entry.frequency ?? mod.frequency, stage));
  }
  return results;
}

function unsupported(env: StageEnv, base: BaseContext, name: string, stage: RunStage): ModuleResult {
  const keys = NOT_IMPLEMENTED[name];
  const log = env.log.child(name);
  const event = `${stage}/config-${name}`;
  if (keys === undefined) {
    log.warn(`not supported: module ${name} is not a module nimbus knows; skipped`);
    log.debug(`finish: ${event}: SKIP: config-${name} unknown module (0 ms)`);
    return { name, outcome: 'unsupported', ms: 0, reason: 'unknown module' };
  }
  const set = keys.filter((k) => base.cfg[k] !== undefined && base.cfg[k] !== null);
  if (set.length > 0) {
    log.warn(`not supported: module ${name}; its configuration (${set.join(', ')}) was not applied`);
    log.debug(`finish: ${event}: SKIP: config-${name} not supported (0 ms)`);
    return { name, outcome: 'unsupported', ms: 0, reason: `not supported; ${set.join(', ')} ignored` };
  }
  log.debug(`finish: ${event}: SKIP: config-${name} not supported, nothing configured for it (0 ms)`);
  return { name, outcome: 'skipped', ms: 0, reason: 'not supported, nothing configured' };
}
