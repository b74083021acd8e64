// Doctor checks for the known traps besides the boot order: fstab entries that hang a
// boot when their disk is missing, and NetworkManager taking over the hostname.
import type { Host } from '../host/host.js';
import { addNofail, fstabTraps } from './fstab.js';
import { NM_FIX_FILE, NM_FIX_TEXT, networkManagerInstalled, nmManagesHostname } from './nm-hostname.js';
import type { DoctorCheckResult, DoctorFinding } from './finding.js';

export function checkFstab(host: Host): DoctorCheckResult {
  const text = host.fs.readText('/etc/fstab');
  if (text === null) return { checked: ['/etc/fstab: none'], findings: [] };
  const traps = fstabTraps(text);
  if (traps.length === 0) return { checked: ['/etc/fstab: every mount of a disk that may be missing has nofail'], findings: [] };
  const findings: DoctorFinding[] = traps.map((t) => ({
    check: 'fstab',
    problem: `/etc/fstab line ${t.entry.line}: ${t.entry.spec} on ${t.entry.file} (${t.entry.vfstype}) has no nofail: ${t.reason}, and then the boot waits for it and stops in emergency mode`,
    fix: `in /etc/fstab line ${t.entry.line}, change the options '${t.entry.options.join(',')}' to '${t.options.join(',')}'`,
    apply: (h: Host) => {
      // Re-read: an earlier fix may have rewritten the file; line numbers do not move.
      const now = h.fs.readText('/etc/fstab') ?? '';
      const mode = h.fs.stat('/etc/fstab')?.mode ?? 0o644;
      h.fs.write(
        '/etc/fstab',
        addNofail(
          now,
          fstabTraps(now).filter((x) => x.entry.line === t.entry.line),
        ),
        { mode },
      );
    },
  }));
  return { checked: [], findings };
}

export function checkNetworkManagerHostname(host: Host): DoctorCheckResult {
  if (!networkManagerInstalled(host)) return { checked: ['NetworkManager: not installed'], findings: [] };
  const m = nmManagesHostname(host);
  if (m === null) return { checked: ['NetworkManager: hostname-mode=none, the hostname stays as nimbus set it'], findings: [] };
  return {
    checked: [],
    findings: [
      {
        check: 'networkmanager',
        problem: `NetworkManager manages the hostname (hostname-mode=${m.mode}; ${m.source}): a DHCP or reverse-DNS name replaces the one set from the instance metadata`,
        fix: `write ${NM_FIX_FILE} with:\n${NM_FIX_TEXT}then: systemctl reload NetworkManager (or restart it)`,
        apply: (h) => h.fs.write(NM_FIX_FILE, NM_FIX_TEXT),
      },
    ],
  };
}
