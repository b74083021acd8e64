// The S-number computation and the ordering check for SysV hosts: pure functions on the
// list of links a host already has. The rules, per runlevel directory:
//   nimbus-local  after the local file systems (Debian rcS), before every network manager
//   nimbus-init   after every network manager and nimbus-local, before sshd/ssh
//   nimbus-config after nimbus-init
//   nimbus-final  after nimbus-config, as late as possible (S99)
// On Debian, `networking` starts from rcS.d, before any rc2.d script, so nimbus-local
// then starts from rcS.d too. Existing nimbus links that satisfy the rules are kept, so
// installing twice changes nothing and the doctor moves only what is wrong.
import { BOOT_STAGES, STAGE_UNITS, SYSV_LOCAL_FS, SYSV_NETWORK_MANAGERS, SYSV_SSH, stageOfName, type BootStage } from './stages.js';
import { START_LEVELS, STOP_LEVELS, linkFileName, rcDirLabel, runsBefore, sameLink, type RcDir, type RcLink } from './rc-links.js';

export interface RcTreeLinks {
  /** Every S/K link of every rc directory, nimbus's own included. */
  links: readonly RcLink[];
  /** Debian layout: an rcS.d that runs before the runlevel directories. */
  hasRcS: boolean;
}

export type RcPlanResult = { ok: true; links: RcLink[] } | { ok: false; problems: string[] };

export interface RcViolation {
  dir: RcDir;
  stage: BootStage;
  message: string;
}

interface Bound {
  link: RcLink;
  why: string;
}
interface Bounds {
  after: Bound[];
  before: Bound[];
}

const isNimbus = (l: RcLink): boolean => stageOfName(l.name) !== null;
const startLinks = (links: readonly RcLink[], dir: RcDir, names: readonly string[]): RcLink[] => links.filter((l) => l.dir === dir && l.kind === 'S' && names.includes(l.name));

/** The links a stage must start after and before in `dir`, given the other stages' links there. */
function boundsFor(stage: BootStage, dir: RcDir, others: readonly RcLink[], placed: Partial<Record<BootStage, RcLink>>): Bounds {
  const b: Bounds = { after: [], before: [] };
  const after = (ls: RcLink[], why: string) => b.after.push(...ls.map((link) => ({ link, why })));
  const before = (ls: RcLink[], why: string) => b.before.push(...ls.map((link) => ({ link, why })));
  const own = (s: BootStage): RcLink[] => (placed[s] !== undefined && placed[s]!.dir === dir ? [placed[s]!] : []);
  switch (stage) {
    case 'local':
      after(startLinks(others, dir, SYSV_LOCAL_FS), 'the local stage writes under /etc and /var once they are mounted');
      before(startLinks(others, dir, SYSV_NETWORK_MANAGERS), 'the local stage writes the network configuration the network manager reads when it starts');
      break;
    case 'init':
      after(startLinks(others, dir, SYSV_NETWORK_MANAGERS), 'the init stage needs the network up');
      after(own('local'), 'the init stage uses what the local stage found');
      before(startLinks(others, dir, SYSV_SSH), 'the init stage writes host keys and authorized keys before sshd starts');
      break;
    case 'config':
      after(own('init'), 'config modules run after the init stage');
      break;
    case 'final':
      after(own('config'), 'the final stage runs after the config stage');
      break;
  }
  return b;
}

function fits(name: string, seq: number, b: Bounds): boolean {
  const me = { kind: 'S' as const, seq, name };
  return b.after.every((x) => runsBefore(x.link, me)) && b.before.every((x) => runsBefore(me, x.link));
}

/**
 * Fits without sharing a number with a bound: a tie is decided by name order, which
 * a non-C locale's glob collation may not keep, so ties are the last resort.
 */
function fitsStrictly(seq: number, b: Bounds): boolean {
  return b.after.every((x) => x.link.seq < seq) && b.before.every((x) => seq < x.link.seq);
}

/** The S-number for a stage: its current one when it fits, else the preferred fitting one. */
function choose(stage: BootStage, b: Bounds, current: number | undefined): number | null {
  const name = STAGE_UNITS[stage].name;
  if (current !== undefined && fits(name, current, b)) return current;
  let ok: number[] = [];
  for (let s = 0; s <= 99; s++) if (fits(name, s, b)) ok.push(s);
  if (ok.length === 0) return null;
  const strict = ok.filter((s) => fitsStrictly(s, b));
  if (strict.length > 0) ok = strict;
  switch (stage) {
    case 'local': {
      // Just below the first network manager, so it also runs after everything that
      // precedes it (syslog, udev); with no network manager, early (at most S09).
      if (b.before.length > 0) return ok[ok.length - 1]!;
      const early = ok.filter((s) => s <= 9);
      return early.length > 0 ? early[early.length - 1]! : ok[0]!;
    }
    case 'init':
    case 'config':
      // As early as allowed, avoiding S00 when anything else fits.
      return ok.find((s) => s >= 1) ?? ok[0]!;
    case 'final':
      return ok[ok.length - 1]!;
  }
}

function describe(l: RcLink): string {
  return `${l.name} (${linkFileName(l).slice(0, 3)})`;
}

function noFitMessage(stage: BootStage, dir: RcDir, b: Bounds): string {
  const list = (bs: Bound[]) => bs.map((x) => linkFileName(x.link)).join(', ');
  const parts: string[] = [];
  if (b.after.length > 0) parts.push(`after ${list(b.after)}`);
  if (b.before.length > 0) parts.push(`before ${list(b.before)}`);
  let msg = `${rcDirLabel(dir)}: no S-number fits ${STAGE_UNITS[stage].name}: it must start ${parts.join(' and ')}`;
  // Name the host's own links that conflict; nimbus's links were placed by this plan.
  const conflicting = b.after.filter((a) => b.before.some((x) => !runsBefore(a.link, x.link)));
  const hostOnes = conflicting.filter((a) => !isNimbus(a.link));
  const late = hostOnes.length > 0 ? hostOnes : conflicting;
  if (late.length > 0) {
    const early = b.before.filter((x) => late.some((a) => !runsBefore(a.link, x.link)));
    msg += `, but ${early.map((x) => linkFileName(x.link)).join(', ')} already starts before ${late.map((a) => linkFileName(a.link)).join(', ')}; reorder those first`;
  }
  return msg;
}

function networkManagersInRcS(t: RcTreeLinks): RcLink[] {
  return t.hasRcS
    ? startLinks(
        t.links.filter((l) => !isNimbus(l)),
        'S',
        SYSV_NETWORK_MANAGERS,
      )
    : [];
}

/** K number mirroring the start number, as chkconfig does (start 09 -> stop 91). */
export function stopSeq(startSeq: number): number {
  return Math.min(99, Math.max(1, 100 - startSeq));
}

/**
 * Computes the nimbus links for a host: S links in rc2-5 (rcS for the local stage on
 * Debian when a network manager starts there), K links in rc0, rc1 and rc6. Fails with
 * every impossible placement named.
 */
export function planRcOrder(t: RcTreeLinks): RcPlanResult {
  const others = t.links.filter((l) => !isNimbus(l));
  const current = (stage: BootStage, dir: RcDir): number | undefined => t.links.find((l) => l.dir === dir && l.kind === 'S' && l.name === STAGE_UNITS[stage].name)?.seq;
  const problems: string[] = [];
  const out: RcLink[] = [];
  // rcS.d when a network manager starts there; also kept there when it already is,
  // since rcS.d runs before every runlevel's network manager.
  const localInRcS = networkManagersInRcS(t).length > 0 || (t.hasRcS && current('local', 'S') !== undefined);
  const firstStart: Partial<Record<BootStage, number>> = {};

  const place = (stage: BootStage, dir: RcDir, placed: Partial<Record<BootStage, RcLink>>): void => {
    const b = boundsFor(stage, dir, others, placed);
    const seq = choose(stage, b, current(stage, dir));
    if (seq === null) {
      problems.push(noFitMessage(stage, dir, b));
      return;
    }
    const link: RcLink = { dir, kind: 'S', seq, name: STAGE_UNITS[stage].name };
    placed[stage] = link;
    out.push(link);
    firstStart[stage] ??= seq;
  };

  if (localInRcS) place('local', 'S', {});
  const sshInRcS = t.hasRcS ? startLinks(others, 'S', SYSV_SSH) : [];
  if (sshInRcS.length > 0) {
    problems.push(`rcS.d: ${sshInRcS.map(linkFileName).join(', ')} starts at boot, before any runlevel script: nimbus-init cannot start before it; move ssh to rc2-5`);
  }
  for (const dir of START_LEVELS) {
    const placed: Partial<Record<BootStage, RcLink>> = {};
    for (const stage of BOOT_STAGES) {
      if (stage === 'local' && localInRcS) continue;
      place(stage, dir, placed);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  for (const stage of BOOT_STAGES) {
    const seq = stopSeq(firstStart[stage] ?? 50);
    for (const dir of STOP_LEVELS) out.push({ dir, kind: 'K', seq, name: STAGE_UNITS[stage].name });
  }
  return { ok: true, links: out };
}

/** What is wrong with the nimbus links a host has now; empty when the order is right. */
export function checkRcOrder(t: RcTreeLinks): RcViolation[] {
  const others = t.links.filter((l) => !isNimbus(l));
  const v: RcViolation[] = [];
  const startOf = (stage: BootStage, dir: RcDir): RcLink | undefined => t.links.find((l) => l.dir === dir && l.kind === 'S' && l.name === STAGE_UNITS[stage].name);
  const checkBounds = (stage: BootStage, dir: RcDir, link: RcLink, placed: Partial<Record<BootStage, RcLink>>): void => {
    const b = boundsFor(stage, dir, others, placed);
    for (const a of b.after) {
      if (!runsBefore(a.link, link)) v.push({ dir, stage, message: `${rcDirLabel(dir)}: ${describe(link)} starts before ${describe(a.link)}; ${a.why}` });
    }
    for (const x of b.before) {
      if (!runsBefore(link, x.link)) v.push({ dir, stage, message: `${rcDirLabel(dir)}: ${describe(x.link)} starts before ${describe(link)}; ${x.why}` });
    }
  };

  const nmS = networkManagersInRcS(t);
  const localS = t.hasRcS ? startOf('local', 'S') : undefined;
  if (localS !== undefined) checkBounds('local', 'S', localS, {});
  if (nmS.length > 0 && localS === undefined) {
    const where = START_LEVELS.map((d) => startOf('local', d)).filter((l): l is RcLink => l !== undefined);
    v.push({
      dir: 'S',
      stage: 'local',
      message: `rcS.d: ${nmS.map(describe).join(', ')} starts at boot, before every runlevel script, but nimbus-local ${where.length > 0 ? `starts from ${where.map((l) => `${rcDirLabel(l.dir)}/${linkFileName(l)}`).join(', ')}` : 'has no start link'}; the local stage must write the network configuration before it`,
    });
  }
  for (const dir of START_LEVELS) {
    const placed: Partial<Record<BootStage, RcLink>> = {};
    for (const stage of BOOT_STAGES) {
      const link = startOf(stage, dir);
      if (link === undefined) {
        // The local stage may start from rcS.d instead (Debian); that was checked above.
        if (!(stage === 'local' && (localS !== undefined || nmS.length > 0))) {
          v.push({ dir, stage, message: `${rcDirLabel(dir)}: ${STAGE_UNITS[stage].name} has no start link, so it does not run in runlevel ${dir}` });
        }
        continue;
      }
      placed[stage] = link;
      if (stage === 'local' && nmS.length > 0) continue; // reported above
      checkBounds(stage, dir, link, placed);
    }
  }
  return v;
}

export interface LinkChanges {
  /** Links renamed to a new number (same directory, kind and service). */
  moves: { from: RcLink; to: RcLink }[];
  add: RcLink[];
  remove: RcLink[];
}

/** The changes that turn the nimbus links a host has into the planned ones. */
export function diffNimbusLinks(existing: readonly RcLink[], wanted: readonly RcLink[]): LinkChanges {
  const have = existing.filter(isNimbus);
  const gone = have.filter((h) => !wanted.some((w) => sameLink(h, w)));
  const missing = wanted.filter((w) => !have.some((h) => sameLink(h, w)));
  const moves: LinkChanges['moves'] = [];
  const add: RcLink[] = [];
  for (const w of missing) {
    const i = gone.findIndex((g) => g.dir === w.dir && g.kind === w.kind && g.name === w.name);
    if (i >= 0) moves.push({ from: gone.splice(i, 1)[0]!, to: w });
    else add.push(w);
  }
  return { moves, add, remove: gone };
}

/** The boot order of one directory as a readable line: the links that matter to nimbus. */
export function formatOrder(links: readonly RcLink[], dir: RcDir): string | null {
  const relevant = links
    .filter((l) => l.dir === dir && l.kind === 'S')
    .filter((l) => isNimbus(l) || SYSV_NETWORK_MANAGERS.includes(l.name) || SYSV_SSH.includes(l.name) || (dir === 'S' && SYSV_LOCAL_FS.includes(l.name)))
    .sort((a, b) => (runsBefore(a, b) ? -1 : runsBefore(b, a) ? 1 : 0));
  if (!relevant.some(isNimbus)) return null;
  return `${rcDirLabel(dir)}: ${relevant.map(linkFileName).join(' -> ')}`;
}
