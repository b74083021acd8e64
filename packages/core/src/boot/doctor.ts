// `nimbus doctor`: checks the boot order on the init system(s) a root uses and the
// known traps, and applies the fixes on request.
import type { Host } from '../host/host.js';
import { detectInitSystem } from './init-system.js';
import { detectRcLayout } from './rc-tree.js';
import { checkSystemd, nimbusEnabledForSystemd, nimbusUnitsPresent } from './doctor-systemd.js';
import { checkSysv, nimbusRcLinksPresent, nimbusScriptsPresent } from './doctor-sysv.js';
import { checkFstab, checkNetworkManagerHostname } from './doctor-traps.js';
import type { DoctorCheckResult, DoctorFinding } from './finding.js';

export function runDoctor(host: Host): DoctorCheckResult {
  const init = detectInitSystem(host);
  const layout = detectRcLayout(host);
  const parts: DoctorCheckResult[] = [];
  // The init system the root boots with is checked. The package ships both the units
  // and the SysV scripts, so shipped files of the other one mean nothing; its rc links
  // do. When the init system is unknown (an image tree), the one nimbus is enabled for,
  // or, when it is enabled for neither, whatever nimbus files are there.
  const rcLinks = layout !== null && nimbusRcLinksPresent(host, layout);
  const wants = nimbusEnabledForSystemd(host);
  let doSystemd = init === 'systemd';
  let doSysv = layout !== null && (init === 'sysv' || rcLinks);
  if (init === null) {
    doSystemd = wants || (!rcLinks && nimbusUnitsPresent(host));
    doSysv = layout !== null && (rcLinks || (!wants && nimbusScriptsPresent(host, layout)));
  }
  if (doSystemd) parts.push(checkSystemd(host));
  if (doSysv && layout !== null) parts.push(checkSysv(host, layout));
  if (init === 'sysv' && layout === null) {
    parts.push({ checked: [], findings: [{ check: 'sysv', problem: 'SysV init without an rc tree (/etc/rc.d/init.d or /etc/init.d)', fix: 'not supported: nimbus only orders rc?.d links' }] });
  }
  if (!doSystemd && !doSysv) {
    parts.push({
      checked: [],
      findings: [
        {
          check: 'install',
          problem: 'nimbus is not set up to run at boot: no nimbus units and no nimbus rc links, and the init system is unknown',
          fix: 'install nimbus (the .deb or scripts/install.sh), then `systemctl enable nimbus.target` or `nimbus sysvinit install`',
        },
      ],
    });
  }
  parts.push(checkFstab(host), checkNetworkManagerHostname(host));
  return { checked: parts.flatMap((p) => p.checked), findings: parts.flatMap((p) => p.findings) };
}

export interface FixOutcome {
  fixed: DoctorFinding[];
  manual: DoctorFinding[];
  failed: { finding: DoctorFinding; error: string }[];
  /** Commands run after the fixes so a running system sees them (systemctl daemon-reload). */
  reloads: { argv: string[]; code: number; recorded: boolean }[];
}

export function applyFixes(host: Host, findings: readonly DoctorFinding[]): FixOutcome {
  const out: FixOutcome = { fixed: [], manual: [], failed: [], reloads: [] };
  for (const f of findings) {
    if (f.apply === undefined) {
      out.manual.push(f);
      continue;
    }
    try {
      f.apply(host);
      out.fixed.push(f);
    } catch (e) {
      out.failed.push({ finding: f, error: e instanceof Error ? e.message : String(e) });
    }
  }
  // A running systemd reads unit files and links only on daemon-reload.
  if (out.fixed.some((f) => f.check === 'systemd') && host.fs.isDir('/run/systemd/system')) {
    const argv = ['systemctl', 'daemon-reload'];
    const r = host.exec.run(argv);
    out.reloads.push({ argv, code: r.code, recorded: r.recorded });
  }
  return out;
}
