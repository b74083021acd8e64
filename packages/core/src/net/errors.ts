// Network-config errors name the source file, the field (with line:col when the source
// is YAML and the position is known) and what was expected.
import type { PositionMap } from '../yaml/load.js';

export class NetConfigError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field}: ${reason}`);
  }
}

/** Where a parser is reading: the file and, for YAML, the positions of its keys. */
export interface Where {
  source: string;
  positions?: PositionMap;
  /** Key path of the document's root inside the file (["network"] when wrapped). */
  base?: (string | number)[];
}

export type FieldPath = (string | number)[];

export function fieldName(path: FieldPath): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** "file:line:col" of `path` (of its nearest located parent), or the file alone. */
export function locate(w: Where, path: FieldPath): string {
  const full = [...(w.base ?? []), ...path];
  if (w.positions) {
    for (let n = full.length; n >= 0; n--) {
      const pos = w.positions.get(full.slice(0, n).join('.'));
      if (pos) return `${w.source}:${pos.line}:${pos.col}`;
    }
  }
  return w.source;
}

/** Throws a NetConfigError for `path`: "file:line:col: field: expected X, got Y". */
export function fail(w: Where, path: FieldPath, expected: string, got?: unknown): never {
  const full = [...(w.base ?? []), ...path];
  const src = locate(w, path);
  const gotText = got === undefined ? '' : `, got ${describe(got)}`;
  throw new NetConfigError(src, fieldName(full) || '(top level)', `expected ${expected}${gotText}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '..."' : s;
}
