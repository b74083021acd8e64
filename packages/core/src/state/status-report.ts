// What `status` says, as cloud-init 25.x reads status.json and result.json: a running
// state (not started, running until result.json exists, done, disabled) and a condition
// (error when any stage has errors, degraded with recoverable errors only) — exit codes
// 0 healthy, 1 error, 2 degraded.
import type { Host } from '../host/host.js';
import { cmdlineDisabled } from '../config/cmdline.js';
import { Paths } from './paths.js';
import { readStatus } from './status.js';
import { STATUS_STAGES as STAGES } from '../stages/stage-names.js';
import { escapeControl } from '../util/escape.js';

export type RunningWord = 'not started' | 'running' | 'done' | 'disabled';
export type StatusWord = RunningWord | 'error';
export type Condition = 'healthy' | 'degraded' | 'error';

export interface StatusReport {
  status: StatusWord;
  running: RunningWord;
  condition: Condition;
  extended_status: string;
  boot_status_code: string;
  detail: string;
  datasource: string;
  errors: string[];
  recoverable_errors: Record<string, string[]>;
  last_update: string;
  stage: string | null;
  /** status.json's v1 as read (the stages' start, finished and errors), without datasource. */
  v1: Record<string, unknown>;
  exitCode: 0 | 1 | 2;
}

function bootStatusCode(host: Host): { code: string; reason: string } {
  const paths = new Paths();
  const cmdline = host.sysfs.cmdline().split(/\s+/);
  // Unlike cloud-init 22.4, the disabled checks come before the init-system one: the
  // marker file and cloud-init=disabled switch nimbus off on SysV hosts too.
  if (cmdline.includes('cloud-init=enabled')) return { code: 'enabled-by-kernel-command-line', reason: 'enabled by kernel command line cloud-init=enabled' };
  if (host.fs.exists(paths.disabledFile)) return { code: 'disabled-by-marker-file', reason: `disabled by ${paths.disabledFile}` };
  if (cmdlineDisabled(host.sysfs.cmdline())) return { code: 'disabled-by-kernel-command-line', reason: 'disabled by kernel parameter cloud-init=disabled' };
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
  let running: RunningWord = boot.code.startsWith('disabled') ? 'disabled' : 'not started';
  let detail = boot.reason;
  const v1 = readStatus(host, paths);
  const errors: string[] = [];
  const recoverable: Record<string, string[]> = {};
  let latest = 0;
  let datasource = '';
  let stillRunning = false;
  if (v1 !== null) {
    if (!host.fs.exists(paths.resultJson)) stillRunning = true;
    if (v1.stage) detail = `Running in stage: ${v1.stage}`;
    if (v1.datasource) {
      // The description may carry metadata (a seed URL): shown with its control characters escaped.
      detail = escapeControl(v1.datasource);
      datasource = v1.datasource.split(' ')[0]?.toLowerCase().replace('datasource', '') ?? '';
    }
    for (const s of STAGES) {
      const st = v1[s];
      errors.push(...st.errors.map((m) => escapeControl(m)));
      for (const [level, msgs] of Object.entries(st.recoverable_errors ?? {})) (recoverable[level] ??= []).push(...msgs.map((m) => escapeControl(m)));
      // A stage started and not finished is running even after an earlier boot's result.json.
      if (st.start && !st.finished) stillRunning = true;
      latest = Math.max(latest, st.start ?? 0, st.finished ?? 0);
    }
    if (v1.stage) stillRunning = true;
  }
  if (running !== 'disabled') running = stillRunning ? 'running' : latest > 0 ? 'done' : 'not started';
  for (const [level, msgs] of Object.entries(recoverable)) if (msgs.length === 0) delete recoverable[level];
  const condition: Condition = errors.length > 0 ? 'error' : Object.keys(recoverable).length > 0 ? 'degraded' : 'healthy';
  const status: StatusWord = condition === 'error' ? 'error' : running;
  const extended = condition === 'error' ? `error - ${running}` : condition === 'degraded' && (running === 'done' || running === 'running') ? `degraded ${running}` : running;
  const { datasource: _ds, ...rest } = (v1 ?? {}) as Record<string, unknown>;
  return {
    status,
    running,
    condition,
    extended_status: extended,
    boot_status_code: boot.code,
    detail,
    datasource,
    errors,
    recoverable_errors: recoverable,
    last_update: latest > 0 ? rfc2822Local(latest) : '',
    stage: v1?.stage ?? null,
    v1: rest,
    exitCode: condition === 'error' ? 1 : condition === 'degraded' ? 2 : 0,
  };
}
