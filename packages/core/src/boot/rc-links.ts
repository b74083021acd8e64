// rc?.d links as data: the S-number computation and the doctor work on these values,
// never on the file system, so every ordering rule is tested with plain lists.

/** An rc directory: rcS.d (Debian's boot-time scripts) or rc0.d .. rc6.d. */
export type RcDir = 'S' | '0' | '1' | '2' | '3' | '4' | '5' | '6';
export const START_LEVELS: readonly RcDir[] = ['2', '3', '4', '5'];
export const STOP_LEVELS: readonly RcDir[] = ['0', '1', '6'];
export const ALL_RC_DIRS: readonly RcDir[] = ['S', '0', '1', '2', '3', '4', '5', '6'];

export interface RcLink {
  dir: RcDir;
  kind: 'S' | 'K';
  seq: number;
  /** The service (init script) name after the number. */
  name: string;
}

const LINK_RE = /^([SK])(\d\d)(.+)$/;

export function parseLinkName(dir: RcDir, file: string): RcLink | null {
  const m = LINK_RE.exec(file);
  if (m === null) return null;
  return { dir, kind: m[1] as 'S' | 'K', seq: Number(m[2]), name: m[3] as string };
}

export function linkFileName(l: Pick<RcLink, 'kind' | 'seq' | 'name'>): string {
  return `${l.kind}${String(l.seq).padStart(2, '0')}${l.name}`;
}

export function rcDirLabel(dir: RcDir): string {
  return `rc${dir}.d`;
}

/**
 * The order rc runs scripts in: the shell glob S* of the directory, i.e. the byte order
 * of the file names (boot runs in the C locale). So two scripts with the same number run
 * in name order: S10network before S10nimbus-local.
 */
export function runsBefore(a: Pick<RcLink, 'kind' | 'seq' | 'name'>, b: Pick<RcLink, 'kind' | 'seq' | 'name'>): boolean {
  return linkFileName(a) < linkFileName(b);
}

export function sameLink(a: RcLink, b: RcLink): boolean {
  return a.dir === b.dir && a.kind === b.kind && a.seq === b.seq && a.name === b.name;
}
