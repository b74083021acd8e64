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
  return new Logger(
    {
      file: (text) => host.fs.appendLog(LOG_FILE, text, 0o640),
      stderr: (text) => host.console.stderr(text),
    },
    { stage, debug: opts.debug === true, tty: host.console.stderrIsTty(), ...(opts.quiet ? { quiet: true } : {}) },
  );
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
