// What the doctor reports: a named problem, the exact fix, and (when it can) the fix as
// an action `nimbus doctor --fix` applies through host.
import type { Host } from '../host/host.js';

export interface DoctorFinding {
  /** The check that found it: systemd, sysv, fstab, networkmanager, install. */
  check: string;
  problem: string;
  /** The fix in words or commands a person can run. */
  fix: string;
  /** Applies the fix; absent when it needs a person (e.g. a missing package). */
  apply?: (host: Host) => void;
}

export interface DoctorCheckResult {
  /** What was checked, for the report's "ok" lines. */
  checked: string[];
  findings: DoctorFinding[];
}
