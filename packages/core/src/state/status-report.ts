// What `status` says: cloud-init's reading of status.json and result.json (running
// until result.json exists, error when any stage has errors) plus "degraded" when the
// boot finished with recoverable errors only — exit codes 0 done, 1 error, 2 degraded.
import type { Host } from '../host/host.js';
import { cmdlineDisabled } from '../config/cmdline.js';
import { Paths } from './paths.js';
import { readStatus } from './status.js';
import { STATUS_STAGES as STAGES } from '../stages/stage-names.js';
import { escapeControl } from '../util/escape.js';

export type StatusWord = 'not run' | 'running' | 'done' | 'error' | 'disabled';

export interface StatusReport {
  status: StatusWord;
  extended_status: string;
  boot_status_code: string;
  detail: string;
  datasource: string;
  errors: string[];
  recoverable_errors: Record<string, string[]>;
  last_update: string;
  stage: string | null;
  exitCode: 0 | 1 | 2;
}

function bootStatusCode(host: Host): { code: string; reason: string } {
  const paths = new Paths();
  const cmdline = host.sysfs.cmdline().split(/\s+/);
  // Unlike cloud-init 22.4, the disabled checks come before the init-system one: the
  // marker file and cloud-init=disabled switch nimbus off on SysV hosts too.
  if (cmdline.includes('cloud-init=enabled')) return { code: 'enabled-by-kernel-cmdline', reason: 'enabled by kernel command line cloud-init=enabled' };
  if (host.fs.exists(paths.disabledFile)) return { code: 'disabled-by-marker-file', reason: `disabled by ${paths.disabledFile}` };
  if (cmdlineDisabled(host.sysfs.cmdline())) return { code: 'disabled-by-kernel-cmdline', reason: 'disabled by kernel parameter cloud-init=disabled' };
  if (!host.fs.exists('/run/systemd/system')) return { code: 'enabled-by-sysvinit', reason: 'enabled on sysvinit' };
  if (host.fs.exists(`${paths.runDir}/enabled`)) return { code: 'enabled-by-generator', reason: 'enabled for this boot' };
  return { code: 'unknown', reason: 'nimbus has not run on this boot yet' };
}

export function rfc2822Local(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export function statusReport(host: Host): StatusReport {
  const paths = new Paths();
  const boot = bootStatusCode(host);
  let status: StatusWord = boot.code.startsWith('disabled') ? 'disabled' : 'not run';
  let detail = boot.reason;
  const v1 = readStatus(host, paths);
  const errors: string[] = [];
  const recoverable: Record<string, string[]> = {};
  let latest = 0;
  let datasource = '';
  if (v1 !== null) {
    if (!host.fs.exists(paths.resultJson)) status = 'running';
    if (v1.datasource) {
      // The description may carry metadata (a seed URL): shown with its control characters escaped.
      detail = escapeControl(v1.datasource);
      datasource = v1.datasource.split(' ')[0]?.toLowerCase().replace('datasource', '') ?? '';
    }
    for (const s of STAGES) {
      const st = v1[s];
      errors.push(...st.errors.map((m) => escapeControl(m)));
      for (const [level, msgs] of Object.entries(st.recoverable_errors ?? {})) (recoverable[level] ??= []).push(...msgs.map((m) => escapeControl(m)));
      if (st.start && !st.finished) status = 'running';
      latest = Math.max(latest, st.start ?? 0, st.finished ?? 0);
    }
    if (v1.stage) {
      status = 'running';
      detail = `Running in stage: ${v1.stage}`;
    }
  }
  const degraded = Object.values(recoverable).some((m) => m.length > 0);
  if (errors.length > 0) {
    status = 'error';
    detail = errors.join('\n');
  } else if (status === 'not run' && latest > 0) status = 'done';
  const extended = status === 'done' && degraded ? 'degraded done' : status === 'running' && degraded ? 'degraded running' : status;
  const exitCode = status === 'error' ? 1 : status === 'done' && degraded ? 2 : 0;
  return {
    status,
    extended_status: extended,
    boot_status_code: boot.code,
    detail,
    datasource,
    errors,
    recoverable_errors: recoverable,
    last_update: latest > 0 ? rfc2822Local(latest) : '',
    stage: v1?.stage ?? null,
    exitCode,
  };
}
