// Doctor checks for systemd hosts: the units are installed, not masked, carry the
// ordering lines (drop-ins included) and are enabled.
import type { Host } from '../host/host.js';
import { BOOT_STAGES, CLOUD_INIT_TARGET, STAGE_UNITS, TARGET_UNIT } from './stages.js';
import { listSetting } from './unit-file.js';
import { missingUnitLines, renderDropIn } from './unit-rules.js';
import { ADMIN_UNIT_DIR, UNIT_DIRS, enableLinkPresent, enableLinks, findUnit, makeEnableLink, type FoundUnit } from './systemd-units.js';
import type { DoctorCheckResult, DoctorFinding } from './finding.js';

export const DOCTOR_DROP_IN = '99-nimbus-doctor.conf';

/** Whether any nimbus unit is on the host (the doctor then checks systemd even off systemd). */
export function nimbusUnitsPresent(host: Host): boolean {
  return [...BOOT_STAGES.map((s) => STAGE_UNITS[s].unit), TARGET_UNIT].some((u) => findUnit(host, u).state !== 'missing');
}

/** Whether nimbus is enabled for systemd: a wants link to one of its units in the admin directory. */
export function nimbusEnabledForSystemd(host: Host): boolean {
  const ours = new Set([...BOOT_STAGES.map((s) => STAGE_UNITS[s].unit), TARGET_UNIT]);
  return host.fs
    .list(ADMIN_UNIT_DIR)
    .filter((d) => d.endsWith('.wants') || d.endsWith('.requires'))
    .some((d) => host.fs.list(`${ADMIN_UNIT_DIR}/${d}`).some((f) => ours.has(f)));
}

export function checkSystemd(host: Host): DoctorCheckResult {
  const findings: DoctorFinding[] = [];
  const checked: string[] = [];
  const units = new Map<string, FoundUnit>();
  for (const name of [...BOOT_STAGES.map((s) => STAGE_UNITS[s].unit), TARGET_UNIT]) units.set(name, findUnit(host, name));
  // Aliases of the wanting units, so a link under cloud-init.target.wants counts for nimbus.target.
  const aliasesOf = (u: string): string[] => {
    const f = units.get(u);
    if (u === CLOUD_INIT_TARGET) return [TARGET_UNIT];
    return f !== undefined && f.state === 'found' ? listSetting(f.files, 'Install', 'Alias') : [];
  };

  if ([...units.values()].every((u) => u.state === 'missing')) {
    return {
      checked,
      findings: [
        {
          check: 'systemd',
          problem: `nimbus's units are not installed (none of ${[...units.keys()].join(', ')} in ${UNIT_DIRS.join(', ')})`,
          fix: 'install nimbus: the nimbus .deb, or scripts/install.sh --destdir / from a built checkout, then systemctl enable the units',
        },
      ],
    };
  }
  for (const [name, u] of units) {
    if (u.state === 'missing') {
      findings.push({
        check: 'systemd',
        problem: `${name} is not installed (looked in ${UNIT_DIRS.join(', ')})`,
        fix: 'install nimbus: the nimbus .deb, or scripts/install.sh --destdir / from a built checkout',
      });
      continue;
    }
    if (u.state === 'masked') {
      findings.push({
        check: 'systemd',
        problem: `${name} is masked (${u.path} -> /dev/null), so it never runs`,
        fix: `systemctl unmask ${name}   (removes ${u.path})`,
        apply: (h) => h.fs.remove(u.path),
      });
      continue;
    }
    const stage = BOOT_STAGES.find((s) => STAGE_UNITS[s].unit === name);
    if (stage !== undefined) {
      const missing = missingUnitLines(stage, u.files);
      if (missing.length > 0) {
        const dropIn = `${ADMIN_UNIT_DIR}/${name}.d/${DOCTOR_DROP_IN}`;
        const text = renderDropIn(missing);
        findings.push({
          check: 'systemd',
          problem: `${name} lacks ${missing.map((m) => `${m.key}=${m.values.join(' ')}`).join('; ')} (${missing.map((m) => m.why).join('; ')}); read from ${u.files.map((f) => f.path).join(', ')}`,
          fix: `write ${dropIn} with:\n${text}then: systemctl daemon-reload`,
          apply: (h) => h.fs.write(dropIn, text),
        });
      } else {
        checked.push(`${name}: ordering lines present`);
      }
    }
    const absent = enableLinks(u).filter((l) => !enableLinkPresent(host, l, name, aliasesOf));
    if (absent.length > 0) {
      findings.push({
        check: 'systemd',
        problem: `${name} is not enabled: missing ${absent.map((l) => l.path).join(', ')}`,
        fix: `systemctl enable ${name}`,
        apply: (h) => absent.forEach((l) => makeEnableLink(h, l)),
      });
    } else {
      checked.push(`${name}: enabled`);
    }
  }
  return { checked, findings };
}
