// What every stage starts from: the host, a logger writing to cloud-init.log and the
// journal, the distro and the system configuration.
import type { Host } from '../host/host.js';
import { Logger, LOG_FILE } from '../log/logger.js';
import type { Distro } from '../distro/types.js';
import { detectDistro } from '../distro/detect.js';
import { loadSystemConfig, type SystemConfig } from '../config/load.js';
import { cmdlineDisabled } from '../config/cmdline.js';
import { builtinDatasourceList } from '../datasources/registry.js';
import { Paths } from '../state/paths.js';
import type { RunStage } from './stage-names.js';

export interface StageEnv {
  host: Host;
  log: Logger;
  distro: Distro;
  system: SystemConfig;
  stage: RunStage;
}

export interface StageOptions {
  debug?: boolean;
  /** Nothing on stderr (the CLI's own output is the answer, as with `status`). */
  quiet?: boolean;
}

export function stageLogger(host: Host, stage: string, opts: StageOptions = {}): Logger {
  // The log file is an aid, not a precondition: when it cannot be written (a full disk,
  // a read-only /var/log) the stage still configures the machine, its lines still reach
  // the journal (stderr), and the failure is said once there and in status.json.
  let fileFailed = false;
  const log: Logger = new Logger(
    {
      file: (text) => {
        if (fileFailed) return;
        try {
          host.fs.appendLog(LOG_FILE, text, 0o640);
        } catch (e) {
          fileFailed = true;
          const why = e instanceof Error ? e.message : String(e);
          log.warn(`cannot write ${LOG_FILE} (${why}); logging to the journal (stderr) only`);
        }
      },
      stderr: (text) => host.console.stderr(text),
    },
    { stage, debug: opts.debug === true, tty: host.console.stderrIsTty(), ...(opts.quiet ? { quiet: true } : {}) },
  );
  return log;
}

/** Error codes of a file system that cannot take a write: full, read-only, over quota, failing. */
const CANNOT_WRITE = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EACCES', 'EPERM']);

/**
 * Writes a file that is an aid to tools rather than to the boot (/run/cloud-init's
 * markers, instance-data.json, the ds-identify record): when the file system cannot take
 * it (a full /run), the stage warns, records it in status.json, and goes on.
 */
export function writeAid(log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined || !CANNOT_WRITE.has(code)) throw e;
    log.warn(`${what} could not be written (${(e as Error).message}); the boot goes on without it`);
  }
}

export function openStage(host: Host, stage: RunStage, opts: StageOptions = {}): StageEnv {
  host.fs.journalTempDirs(new Paths().tempDirsJournal);
  const log = stageLogger(host, stage, opts);
  const distro = detectDistro(host.fs);
  const system = loadSystemConfig(host, distro, builtinDatasourceList());
  for (const e of system.errors) log.error(`${e}; the rest of the configuration is still used`);
  return { host, log, distro, system, stage };
}

/** Why nimbus must do nothing on this boot, or null. */
export function disabledReason(host: Host): string | null {
  if (host.fs.exists(new Paths().disabledFile)) return `disabled by ${new Paths().disabledFile}`;
  if (cmdlineDisabled(host.sysfs.cmdline())) return 'disabled by cloud-init=disabled on the kernel command line';
  return null;
}
