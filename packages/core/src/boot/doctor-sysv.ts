// Doctor checks for SysV hosts: the init scripts are there and every rc link starts in
// the right order; the fix is the exact set of link renames that puts it right.
import type { Host } from '../host/host.js';
import { BOOT_STAGES, STAGE_UNITS, stageOfName } from './stages.js';
import { checkRcOrder, diffNimbusLinks, planRcOrder, type LinkChanges } from './rc-order.js';
import { linkTarget, readRcLinks, type RcLayout } from './rc-tree.js';
import type { RcLink } from './rc-links.js';
import { applyLinkChanges, linkPath } from './sysv-install.js';
import { renderInitScript } from './sysv-scripts.js';
import { dependProblems, insservOf, registerWithInsserv } from './sysv-insserv.js';
import type { DoctorCheckResult, DoctorFinding } from './finding.js';

/** Whether nimbus's rc links are on the host (it is installed for SysV, not only shipped). */
export function nimbusRcLinksPresent(host: Host, layout: RcLayout): boolean {
  return readRcLinks(host, layout).some((l) => stageOfName(l.name) !== null);
}

export function nimbusScriptsPresent(host: Host, layout: RcLayout): boolean {
  return BOOT_STAGES.some((s) => host.fs.exists(`${layout.initDir}/${STAGE_UNITS[s].name}`));
}

export function describeChanges(layout: RcLayout, c: LinkChanges): string[] {
  return [
    ...c.moves.map((m) => `mv ${linkPath(layout, m.from)} ${linkPath(layout, m.to)}`),
    ...c.add.map((l) => `ln -s ${linkTarget(l.name)} ${linkPath(layout, l)}`),
    ...c.remove.map((l) => `rm ${linkPath(layout, l)}`),
  ];
}

/** cloud-init's own SysV scripts, still started beside nimbus's. */
export const CLOUD_INIT_SCRIPTS: readonly string[] = ['cloud-init-local', 'cloud-init', 'cloud-config', 'cloud-final'];

function cloudInitLinks(layout: RcLayout, links: readonly RcLink[]): DoctorFinding[] {
  const theirs = links.filter((l) => l.kind === 'S' && CLOUD_INIT_SCRIPTS.includes(l.name));
  if (theirs.length === 0 || !links.some((l) => l.kind === 'S' && stageOfName(l.name) !== null)) return [];
  const paths = theirs.map((l) => linkPath(layout, l));
  return [
    {
      check: 'sysv',
      problem: `cloud-init's own scripts still start at boot beside nimbus's (${paths.join(', ')}): both would configure the machine`,
      fix: `${layout.style === 'debian' ? `update-rc.d <script> disable, for ${[...new Set(theirs.map((l) => l.name))].join(', ')}; or ` : ''}rm ${paths.join(' ')}`,
      apply: (h) => paths.forEach((p) => h.fs.remove(p)),
    },
  ];
}

export function checkSysv(host: Host, layout: RcLayout): DoctorCheckResult {
  const findings: DoctorFinding[] = [];
  const checked: string[] = [];
  for (const stage of BOOT_STAGES) {
    const path = `${layout.initDir}/${STAGE_UNITS[stage].name}`;
    const st = host.fs.stat(path);
    if (st === null || !st.isFile || (st.mode & 0o111) === 0) {
      findings.push({
        check: 'sysv',
        problem: `${path} ${st === null ? 'is missing' : 'is not an executable file'}`,
        fix: 'nimbus sysvinit install',
        apply: (h) => h.fs.write(path, renderInitScript(stage, layout.style), { mode: 0o755 }),
      });
    }
  }
  const links = readRcLinks(host, layout);
  findings.push(...cloudInitLinks(layout, links));
  const insserv = insservOf(host, layout);
  if (insserv !== null)
    return checkInsservHost(
      host,
      insserv,
      links.some((l) => stageOfName(l.name) !== null),
      checked,
      findings,
    );
  const violations = checkRcOrder({ links, hasRcS: layout.hasRcS });
  if (violations.length === 0) {
    checked.push(`SysV (${layout.style} layout): nimbus rc links in order`);
    return { checked, findings };
  }
  const plan = planRcOrder({ links, hasRcS: layout.hasRcS });
  if (!plan.ok) {
    for (const v of violations) findings.push({ check: 'sysv', problem: v.message, fix: `no order is possible until this is resolved: ${plan.problems.join('; ')}` });
    return { checked, findings };
  }
  const changes = diffNimbusLinks(links, plan.links);
  const commands = describeChanges(layout, changes);
  findings.push({
    check: 'sysv',
    problem: violations.map((v) => v.message).join('\n'),
    fix: commands.join('\n'),
    apply: (h) => applyLinkChanges(h, layout, changes),
  });
  return { checked, findings };
}

/**
 * On a host ordered by insserv, Debian's rc starts what /etc/init.d/.depend.* list: those
 * are checked, and the fix is insserv (links renamed by hand would be left out of them).
 */
function checkInsservHost(host: Host, insserv: string, linked: boolean, checked: string[], findings: DoctorFinding[]): DoctorCheckResult {
  const problems = linked ? dependProblems(host) : ['nimbus has no rc links: its scripts do not start at boot'];
  if (problems.length === 0) {
    checked.push('SysV (debian layout, insserv): nimbus in /etc/init.d/.depend.boot and .depend.start, in order');
    return { checked, findings };
  }
  findings.push({
    check: 'sysv',
    problem: problems.join('\n'),
    fix: `nimbus sysvinit install (it runs ${insserv} on the four scripts, as update-rc.d <script> defaults does)`,
    apply: (h) => {
      const r = registerWithInsserv(h, insserv);
      if (!r.ok) throw new Error(r.problems.join('\n'));
    },
  });
  return { checked, findings };
}
