// `analyze boot`: when the kernel started and handed over to userspace, when systemd
// started nimbus-local, and when the last boot's init-local stage began (from the log),
// in cloud-init's report. The timestamps are gathered by the caller (systemctl, uptime).
import { parseEvents } from './events.js';

export interface BootTimes {
  /** Seconds since the epoch, now, and the machine's uptime in seconds (/proc/uptime). */
  now: number;
  uptime: number;
  /** systemd's UserspaceTimestampMonotonic and nimbus-local's InactiveExitTimestampMonotonic, in µs; null when systemd did not say. */
  userspaceMonotonicUs: number | null;
  localUnitMonotonicUs: number | null;
  container: boolean;
}

/** A time as Python prints a datetime in UTC: `2026-12-03 16:02:00.123456+00:00`. */
export function pyUtc(epoch: number): string {
  const d = new Date(Math.floor(epoch * 1000));
  const us = Math.round((epoch - Math.floor(epoch)) * 1e6) % 1e6;
  const base = d.toISOString().slice(0, 19).replace('T', ' ');
  return `${base}${us === 0 ? '' : `.${String(us).padStart(6, '0')}`}+00:00`;
}

/** A float as Python's repr prints it (shortest round-trip; `1.0` for whole numbers). */
export function pyFloat(n: number): string {
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const FAILURE =
  'Your Linux distro or container does not support this functionality.\nYou must be running a Kernel Telemetry supported distro.\n' +
  'nimbus reads the kernel and unit times from systemd: `systemctl show -p UserspaceTimestampMonotonic` and nimbus-local.service.\n';

/** The report and whether it could be made (`ok` false: exit 1, as cloud-init's failure). */
export function analyzeBoot(times: BootTimes, logText: string): { text: string; ok: boolean } {
  if (times.userspaceMonotonicUs === null || times.localUnitMonotonicUs === null) return { text: FAILURE, ok: false };
  const kernelStart = times.now - times.uptime;
  const kernelEnd = kernelStart + times.userspaceMonotonicUs / 1e6;
  const unitStart = kernelStart + times.localUnitMonotonicUs / 1e6;
  const starts = parseEvents(logText).filter((e) => e.event_type === 'start' && e.name === 'init-local');
  const last = starts[starts.length - 1];
  // As cloud-init: without the stage's start in the log there is no report.
  if (last === undefined) return { text: `${FAILURE}Could not find init-local log-line in cloud-init.log\n`, ok: false };
  const ciStart = pyUtc(last.timestamp);
  if (times.container) {
    return {
      text: `-- Most Recent Container Boot Record --\n    Container started at: ${pyUtc(kernelStart)}\n    Cloud-init activated by systemd at: ${pyUtc(unitStart)}\n    Cloud-init start: ${ciStart}\n`,
      ok: true,
    };
  }
  return {
    text:
      '-- Most Recent Boot Record --\n' +
      `    Kernel Started at: ${pyUtc(kernelStart)}\n` +
      `    Kernel ended boot at: ${pyUtc(kernelEnd)}\n` +
      `    Kernel time to boot (seconds): ${pyFloat(kernelEnd - kernelStart)}\n` +
      `    Cloud-init activated by systemd at: ${pyUtc(unitStart)}\n` +
      `    Time between Kernel end boot and Cloud-init activation (seconds): ${pyFloat(unitStart - kernelEnd)}\n` +
      `    Cloud-init start: ${ciStart}\n`,
    ok: true,
  };
}
