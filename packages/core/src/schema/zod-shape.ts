// Reading the structure of a zod schema (zod 4's `_zod.def`), so unknown keys can be
// found: zod's plain objects drop keys they do not know without a word, and a key the
// user misspelt is exactly what a schema check must point at.
import type { ZodType } from 'zod';

/** What a schema accepts at one node, as far as keys go. */
export type Shape =
  | { kind: 'object'; fields: Map<string, ZodType>; open: boolean }
  | { kind: 'array'; element: ZodType }
  | { kind: 'record'; value: ZodType }
  | { kind: 'any' } // a leaf, or something whose keys cannot be known (custom, lazy, ...)
  | { kind: 'union'; options: Shape[] };

interface Def {
  type?: string;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
  innerType?: ZodType;
  options?: ZodType[];
  in?: ZodType;
  out?: ZodType;
  left?: ZodType;
  right?: ZodType;
  getter?: () => ZodType;
}

function defOf(t: ZodType): Def {
  const internals = (t as unknown as { _zod?: { def?: Def } })._zod;
  return internals?.def ?? {};
}

/** The shape of a schema, looking through optional/nullable/default/pipe/lazy wrappers. */
export function shapeOf(t: ZodType, depth = 0): Shape {
  if (depth > 40) return { kind: 'any' };
  const d = defOf(t);
  switch (d.type) {
    case 'object': {
      const catchallType = d.catchall ? defOf(d.catchall).type : undefined;
      // A catchall of unknown/any (looseObject) accepts every key; never (strictObject) none.
      const open = catchallType !== undefined && catchallType !== 'never';
      return { kind: 'object', fields: new Map(Object.entries(d.shape ?? {})), open };
    }
    case 'array':
      return d.element ? { kind: 'array', element: d.element } : { kind: 'any' };
    case 'record':
      return d.valueType ? { kind: 'record', value: d.valueType } : { kind: 'any' };
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return d.innerType ? shapeOf(d.innerType, depth + 1) : { kind: 'any' };
    case 'pipe':
      return d.in ? shapeOf(d.in, depth + 1) : { kind: 'any' };
    case 'lazy':
      return d.getter ? shapeOf(d.getter(), depth + 1) : { kind: 'any' };
    case 'union': {
      const options = (d.options ?? []).map((o) => shapeOf(o, depth + 1)).filter((s) => s.kind !== 'any');
      if (options.length === 0) return { kind: 'any' };
      return options.length === 1 ? (options[0] as Shape) : { kind: 'union', options };
    }
    case 'intersection': {
      const l = d.left ? shapeOf(d.left, depth + 1) : { kind: 'any' as const };
      const r = d.right ? shapeOf(d.right, depth + 1) : { kind: 'any' as const };
      if (l.kind === 'object' && r.kind === 'object') return { kind: 'object', fields: new Map([...l.fields, ...r.fields]), open: l.open || r.open };
      return l.kind === 'any' ? r : l;
    }
    default:
      return { kind: 'any' };
  }
}

/** The object shapes among a shape's alternatives (a union of objects gives several). */
export function objectShapes(s: Shape): { fields: Map<string, ZodType>; open: boolean }[] {
  if (s.kind === 'object') return [s];
  if (s.kind === 'union') return s.options.flatMap(objectShapes);
  return [];
}

/** The array element schemas among a shape's alternatives. */
export function arrayElements(s: Shape): ZodType[] {
  if (s.kind === 'array') return [s.element];
  if (s.kind === 'union') return s.options.flatMap(arrayElements);
  return [];
}

/** The record value schemas among a shape's alternatives. */
export function recordValues(s: Shape): ZodType[] {
  if (s.kind === 'record') return [s.value];
  if (s.kind === 'union') return s.options.flatMap(recordValues);
  return [];
}

/**
 * Every key name a schema accepts below its top level, with the dotted paths (list
 * items as "[]") where it is valid: "content" → ["write_files[]"]. Used to say that a
 * key which is unknown where it stands belongs somewhere else (wrong indentation).
 */
export function nestedKeyNames(top: Map<string, ZodType>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const seen = new Set<ZodType>();
  const visit = (t: ZodType, at: string, depth: number): void => {
    if (depth > 12 || seen.has(t)) return;
    seen.add(t);
    const s = shapeOf(t);
    for (const o of objectShapes(s)) {
      for (const [k, v] of o.fields) {
        const list = out.get(k) ?? [];
        if (!list.includes(at)) list.push(at);
        out.set(k, list);
        visit(v, `${at}.${k}`, depth + 1);
      }
    }
    for (const e of arrayElements(s)) visit(e, `${at}[]`, depth + 1);
    for (const v of recordValues(s)) visit(v, `${at}.*`, depth + 1);
    seen.delete(t);
  };
  for (const [k, v] of top) visit(v, k, 0);
  return out;
}
