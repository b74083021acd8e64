// Installs, re-orders and removes nimbus's SysV scripts and rc links through host.fs.
import type { Host } from '../host/host.js';
import { BOOT_STAGES, STAGE_UNITS, stageOfName } from './stages.js';
import { START_LEVELS, linkFileName, type RcLink } from './rc-links.js';
import { diffNimbusLinks, formatOrder, planRcOrder, type LinkChanges } from './rc-order.js';
import { linkTarget, rcDirPath, readRcLinks, type RcLayout } from './rc-tree.js';
import { renderInitScript } from './sysv-scripts.js';
import { insservOf, registerWithInsserv, unregisterWithInsserv } from './sysv-insserv.js';

export type SysvInstallResult =
  | {
      ok: true;
      scripts: string[];
      kept: string[];
      changes: LinkChanges;
      order: string[];
      /** The insserv command that made the links, on hosts that order with insserv. */
      insserv?: { argv: string[]; recorded: boolean; warnings: string[] };
    }
  | {
      ok: false;
      problems: string[];
      /** What was changed anyway (insserv hosts: the scripts are written first); absent: nothing. */
      changed?: string;
    };

export function linkPath(layout: RcLayout, l: RcLink): string {
  return `${rcDirPath(layout, l.dir)}/${linkFileName(l)}`;
}

/** Applies link changes: renames, new links, removals. */
export function applyLinkChanges(host: Host, layout: RcLayout, c: LinkChanges): void {
  for (const m of c.moves) host.fs.rename(linkPath(layout, m.from), linkPath(layout, m.to));
  for (const l of c.add) host.fs.symlink(linkTarget(l.name), linkPath(layout, l));
  for (const l of c.remove) host.fs.remove(linkPath(layout, l));
}

/** The readable boot order of every directory nimbus starts from. */
export function orderLines(links: readonly RcLink[]): string[] {
  return (['S', ...START_LEVELS] as const).map((d) => formatOrder(links, d)).filter((s): s is string => s !== null);
}

/**
 * Writes the four init scripts and registers them. On a host that orders its rc links
 * with insserv (Debian's sysv-rc), insserv does it from the scripts' LSB headers, as
 * update-rc.d would, and the order it made is checked. Elsewhere (rhel's chkconfig
 * trees, Debian without insserv) the links get S-numbers computed from the host's own
 * links; nothing is changed when no order is possible. A script that exists and
 * differs is kept (it may be the admin's edit of the package's conffile) unless
 * `rewriteScripts`.
 */
export function installSysv(host: Host, layout: RcLayout, opts: { rewriteScripts?: boolean } = {}): SysvInstallResult {
  const existing = readRcLinks(host, layout);
  const insserv = insservOf(host, layout);
  const plan = insserv === null ? planRcOrder({ links: existing, hasRcS: layout.hasRcS }) : null;
  if (plan !== null && !plan.ok) return plan;
  const scripts: string[] = [];
  const kept: string[] = [];
  for (const stage of BOOT_STAGES) {
    const path = `${layout.initDir}/${STAGE_UNITS[stage].name}`;
    const text = renderInitScript(stage, layout.style);
    const now = host.fs.readText(path);
    if (now !== null && now !== text && !opts.rewriteScripts) {
      kept.push(path);
      continue;
    }
    if (now !== text) host.fs.write(path, text, { mode: 0o755 });
    else if (((host.fs.stat(path)?.mode ?? 0) & 0o111) === 0) host.fs.chmod(path, 0o755);
    scripts.push(path);
  }
  if (insserv !== null) {
    const r = registerWithInsserv(host, insserv);
    if (!r.ok)
      return {
        ok: false,
        problems: r.problems,
        changed: r.ranInsserv ? 'the scripts are written and insserv registered them, in the order below' : 'the scripts are written; insserv changed no link and no .depend file',
      };
    const now = readRcLinks(host, layout);
    // insserv may renumber the host's other links too; only nimbus's are reported.
    const changes = diffNimbusLinks(
      existing,
      now.filter((l) => stageOfName(l.name) !== null),
    );
    return { ok: true, scripts, kept, changes, order: orderLines(now), insserv: { argv: r.argv, recorded: r.recorded, warnings: r.warnings } };
  }
  if (plan === null) throw new Error('unreachable: no plan without insserv');
  const changes = diffNimbusLinks(existing, plan.links);
  applyLinkChanges(host, layout, changes);
  return { ok: true, scripts, kept, changes, order: orderLines(readRcLinks(host, layout)) };
}

/** Removes every nimbus rc link and (unless kept) init script; returns the paths removed. */
export function removeSysv(host: Host, layout: RcLayout, opts: { keepScripts?: boolean } = {}): string[] {
  const removed: string[] = [];
  const insserv = insservOf(host, layout);
  if (insserv !== null) {
    const before = readRcLinks(host, layout).filter((l) => BOOT_STAGES.some((s) => STAGE_UNITS[s].name === l.name));
    const r = unregisterWithInsserv(host, insserv);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const after = readRcLinks(host, layout);
    removed.push(...before.filter((b) => !after.some((a) => linkFileName(a) === linkFileName(b) && a.dir === b.dir)).map((l) => linkPath(layout, l)));
  }
  for (const l of readRcLinks(host, layout)) {
    if (!BOOT_STAGES.some((s) => STAGE_UNITS[s].name === l.name)) continue;
    const p = linkPath(layout, l);
    host.fs.remove(p);
    removed.push(p);
  }
  for (const stage of BOOT_STAGES) {
    const p = `${layout.initDir}/${STAGE_UNITS[stage].name}`;
    if (!opts.keepScripts && host.fs.stat(p, false) !== null) {
      host.fs.remove(p);
      removed.push(p);
    }
  }
  return removed;
}
