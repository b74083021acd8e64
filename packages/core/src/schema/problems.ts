// A schema problem: what is wrong, where (file, line, column, key path) and how bad.
import type { Position } from '../yaml/load.js';

/**
 * error: the value cannot mean what the user wants (the module will refuse it);
 * warning: a key nimbus does not know (misspelt, or at the wrong indentation);
 * deprecated: an old spelling that still works.
 */
export type Severity = 'error' | 'warning' | 'deprecated';

export type KeyPath = readonly (string | number)[];

export interface SchemaProblem {
  severity: Severity;
  path: KeyPath;
  message: string;
  file: string;
  pos: Position | null;
}

/** Where a key path stands: the file and the key's (or nearest ancestor's) line:col. */
export type Locate = (path: KeyPath) => { file: string; pos: Position | null };

/** "write_files.0.path", as cloud-init names paths; "(top level)" for the root. */
export function pathText(path: KeyPath): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}

/** One line: "<file>:<line>:<col>: <severity>: <path>: <message>". */
export function formatProblem(p: SchemaProblem): string {
  const at = p.pos ? `${p.file}:${p.pos.line}:${p.pos.col}` : p.file;
  return `${at}: ${p.severity}: ${pathText(p.path)}: ${p.message}`;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, deprecated: 2 };

/** Source order (line, column), errors first on one spot; problems without a line last. */
export function sortProblems(list: SchemaProblem[]): SchemaProblem[] {
  return [...list].sort((a, b) => {
    const la = a.pos?.line ?? Infinity;
    const lb = b.pos?.line ?? Infinity;
    if (la !== lb) return la - lb;
    const ca = a.pos?.col ?? 0;
    const cb = b.pos?.col ?? 0;
    if (ca !== cb) return ca - cb;
    return RANK[a.severity] - RANK[b.severity];
  });
}

/** A locator over one file's position map, falling back to the nearest ancestor. */
export function locateIn(file: string, positions: ReadonlyMap<string, Position>): Locate {
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const pos = positions.get(path.slice(0, n).join('.'));
      if (pos) return { file, pos };
    }
    return { file, pos: positions.get('') ?? null };
  };
}
