// Validating a document against schemas that each cover some of its top-level keys
// (the modules' schemas, joined): every error at once, each with its key path and
// line:col; unknown keys with a did-you-mean or a note that they are at the wrong
// indentation; deprecated spellings. Pure: the document and a locator in, problems out.
import type { ZodType } from 'zod';
import { isDict, type Dict } from '../config/merge.js';
import { mapIssue, type ZodIssueLike } from './issues.js';
import { arrayElements, nestedKeyNames, objectShapes, recordValues, shapeOf } from './zod-shape.js';
import { didYouMean } from './suggest.js';
import { sortProblems, type KeyPath, type Locate, type SchemaProblem, type Severity } from './problems.js';

export interface SchemaSpec {
  /** Schemas over the whole document, each an object schema over some top-level keys. */
  schemas: readonly ZodType[];
  /** Top-level keys that are valid without a schema here. */
  extraKeys: readonly string[];
  /** Old spelling → the key that replaces it. */
  deprecated: Readonly<Record<string, string>>;
  /** The old top-level spellings a module still reads. */
  honoured: readonly string[];
  /** Old spellings below the top level: dotted pattern ("*" any index or key) → replacement. */
  deprecatedPaths: Readonly<Record<string, string>>;
  /** What the document is called in messages ("cloud-config", "network-config"). */
  kind: string;
}

/** The top-level keys a spec knows, each with every schema that declares it. */
function topFields(spec: SchemaSpec): Map<string, ZodType[]> {
  const out = new Map<string, ZodType[]>();
  for (const s of spec.schemas) {
    for (const o of objectShapes(shapeOf(s))) {
      for (const [k, t] of o.fields) out.set(k, [...(out.get(k) ?? []), t]);
    }
  }
  return out;
}

function literalValues(t: ZodType): unknown[] | null {
  const d = (t as unknown as { _zod?: { def?: { type?: string; values?: unknown[]; innerType?: ZodType } } })._zod?.def;
  if (d?.type === 'literal') return d.values ?? null;
  if ((d?.type === 'optional' || d?.type === 'default') && d.innerType) return literalValues(d.innerType);
  return null;
}

/** Of a union of objects, the ones whose literal fields (type: physical) the value matches. */
function matchingObjects(shapes: { fields: Map<string, ZodType>; open: boolean }[], v: Dict): { fields: Map<string, ZodType>; open: boolean }[] {
  if (shapes.length < 2) return shapes;
  const hit = shapes.filter((o) =>
    [...o.fields].every(([k, t]) => {
      const lit = literalValues(t);
      return lit === null || lit.includes(v[k]);
    }),
  );
  return hit.length > 0 ? hit : shapes;
}

export function validateDocument(doc: unknown, spec: SchemaSpec, locate: Locate): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const add = (severity: Severity, path: KeyPath, message: string): void => {
    const id = `${severity}|${path.join('.')}|${message}`;
    if (seen.has(id)) return; // two modules sharing a key (write_files, write_files_deferred)
    seen.add(id);
    problems.push({ severity, path, message, ...locate(path) });
  };
  if (doc === null || doc === undefined) return [];
  if (!isDict(doc)) {
    add('error', [], `a ${spec.kind} must be a mapping of keys at the top level, got ${Array.isArray(doc) ? 'a list' : typeof doc}`);
    return problems;
  }
  for (const schema of spec.schemas) {
    let issues: ZodIssueLike[] = [];
    try {
      const r = schema.safeParse(doc);
      if (!r.success) issues = r.error.issues as unknown as ZodIssueLike[];
    } catch (e) {
      // A schema's own check threw: report it on the document instead of crashing.
      add('error', [], `schema check failed: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') continue; // reported as unknown keys below
      for (const m of mapIssue(issue, doc)) add('error', m.path, m.message);
    }
  }
  const fields = topFields(spec);
  const known = new Set([...fields.keys(), ...spec.extraKeys]);
  const nested = nestedKeyNames(new Map([...fields].map(([k, v]) => [k, v[0] as ZodType])));
  for (const key of Object.keys(doc)) {
    const replacement = spec.deprecated[key];
    if (replacement !== undefined) {
      const both = key in doc && replacement in doc;
      const note = both ? ` (both are set; ${replacement} wins)` : spec.honoured.includes(key) ? ' (still honoured)' : '';
      add('deprecated', [key], `deprecated spelling: use ${replacement}${note}`);
      continue;
    }
    if (!known.has(key)) {
      add('warning', [key], unknownTopLevel(key, known, nested, spec.kind));
      continue;
    }
    for (const t of fields.get(key) ?? []) {
      try {
        walk(doc[key], t, [key], known, add);
      } catch (e) {
        // A schema that cannot be walked (a lazy getter that throws) loses only this check.
        add('error', [key], `schema check failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  findDeprecatedPaths(doc, spec.deprecatedPaths, add);
  // A deprecated spelling a strict schema does not list is not also "unknown".
  const deprecatedAt = new Set(problems.filter((p) => p.severity === 'deprecated').map((p) => p.path.join('.')));
  return sortProblems(problems.filter((p) => p.severity !== 'warning' || !deprecatedAt.has(p.path.join('.'))));
}

/** Reports every key whose path matches one of the deprecated patterns. */
function findDeprecatedPaths(doc: Dict, patterns: Readonly<Record<string, string>>, add: Add): void {
  const list = Object.entries(patterns).map(([p, use]) => ({ parts: p.split('.'), use }));
  if (list.length === 0) return;
  const visit = (v: unknown, path: (string | number)[]): void => {
    if (path.length > 0) {
      for (const { parts, use } of list) {
        if (parts.length === path.length && parts.every((s, i) => s === '*' || s === String(path[i]))) add('deprecated', [...path], `deprecated: use ${use}`);
      }
    }
    const maxLen = Math.max(...list.map((l) => l.parts.length));
    if (path.length >= maxLen) return;
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (isDict(v)) for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
  };
  visit(doc, []);
}

function unknownTopLevel(key: string, known: Set<string>, nested: Map<string, string[]>, kind: string): string {
  const hint = didYouMean(key, known);
  const where = nested.get(key);
  const parts = [`unknown ${kind} key`];
  if (hint) parts.push(`did you mean ${hint}?`);
  if (where && where.length > 0) {
    const places = where
      .slice(0, 3)
      .map((p) => (p.endsWith('[]') ? `the items of ${p.slice(0, -2)}` : p))
      .join(', ');
    parts.push(`${key} is a key of ${places}: is it indented too little?`);
  }
  if (!hint && !where) parts.push('ignored');
  return parts.join('; ');
}

type Add = (severity: Severity, path: KeyPath, message: string) => void;

/** Unknown keys below the top level, checked against what the schema accepts there. */
function walk(v: unknown, t: ZodType, path: KeyPath, topKeys: Set<string>, add: Add, ancestors: { path: KeyPath; keys: Set<string> }[] = [], depth = 0): void {
  if (depth > 64) return;
  const s = shapeOf(t);
  if (isDict(v)) {
    const objects = matchingObjects(objectShapes(s), v);
    if (objects.length > 0) {
      if (objects.some((o) => o.open)) return;
      const allowed = new Set(objects.flatMap((o) => [...o.fields.keys()]));
      for (const [k, child] of Object.entries(v)) {
        const at = [...path, k];
        if (!allowed.has(k)) {
          add('warning', at, unknownNested(k, allowed, topKeys, path, ancestors));
          continue;
        }
        const ft = objects.map((o) => o.fields.get(k)).find((x): x is ZodType => x !== undefined);
        if (ft) walk(child, ft, at, topKeys, add, [...ancestors, { path, keys: allowed }], depth + 1);
      }
      return;
    }
    for (const rv of recordValues(s).slice(0, 1)) for (const [k, child] of Object.entries(v)) walk(child, rv, [...path, k], topKeys, add, ancestors, depth + 1);
    return;
  }
  if (Array.isArray(v)) {
    const el = arrayElements(s)[0];
    if (el) v.forEach((item, i) => walk(item, el, [...path, i], topKeys, add, ancestors, depth + 1));
  }
}

function unknownNested(key: string, allowed: Set<string>, topKeys: Set<string>, parent: KeyPath, ancestors: { path: KeyPath; keys: Set<string> }[]): string {
  const hint = didYouMean(key, allowed);
  const parts = [`unknown key${hint ? `; did you mean ${hint}?` : ''}`];
  // A key valid further out was most likely meant to be there: its indentation is off.
  if (topKeys.has(key)) parts.push(`${key} is a top-level key, but it is nested under ${parent.join('.')}: is it indented too much?`);
  else {
    const outer = [...ancestors].reverse().find((a) => a.keys.has(key));
    if (outer) parts.push(`${key} is a key of ${outer.path.length === 0 ? 'the top level' : outer.path.join('.')}: is it indented too much?`);
  }
  if (!hint && parts.length === 1) parts.push('ignored');
  return parts.join('; ');
}
