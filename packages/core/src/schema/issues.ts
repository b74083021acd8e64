// zod issues turned into messages a person can act on: what was expected and what was
// found, at the deepest key path that explains it (a union's branch that got furthest).
import type { KeyPath } from './problems.js';
import { didYouMean } from './suggest.js';

/** The parts of a zod 4 issue this file reads (zod's own type is a wide union). */
export interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  errors?: ZodIssueLike[][];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  pattern?: string;
  keys?: string[];
  /** A discriminated union's accepted tags (invalid_union with a discriminator). */
  options?: unknown[];
  discriminator?: string;
}

export interface MappedIssue {
  path: KeyPath;
  message: string;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  null: 'null',
  nan: 'a number',
  bigint: 'an integer',
  date: 'a date',
  literal: 'a fixed value',
};

function expectedText(e: string | undefined): string {
  return (e && EXPECTED[e]) ?? (e ? `a ${e}` : 'something else');
}

/** What a value is, in words: "a mapping", "the string \"x\"", "the number 5". */
/** Keys whose values are secrets: a message about them names the value's kind, never the value. */
const SECRET_KEY = /pass(word|wd)?|secret|token|private|hash|chpasswd|ssh_keys/i;

export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((k) => typeof k === 'string' && SECRET_KEY.test(k));
}

export function describeValue(v: unknown, path: readonly PropertyKey[] = []): string {
  if (v === undefined) return 'nothing';
  // Messages go to logs and the 0644 status.json: a password there would be a leak.
  if (isSecretPath(path) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint')) return `a ${typeof v} (not shown: it may be a secret)`;
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return `the ${typeof v} ${String(v)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function joinOr(items: string[]): string {
  const u = [...new Set(items)];
  if (u.length <= 1) return u[0] ?? '';
  return `${u.slice(0, -1).join(', ')} or ${u[u.length - 1]}`;
}

function deepest(branch: ZodIssueLike[]): number {
  return Math.max(0, ...branch.map((i) => i.path.length));
}

/** One zod issue as messages, `base` being the issue's path from the document root. */
export function mapIssue(issue: ZodIssueLike, root: unknown, base: readonly PropertyKey[] = []): MappedIssue[] {
  const full = [...base, ...issue.path];
  const path = full.map((k) => (typeof k === 'number' ? k : String(k)));
  const got = valueAt(root, full);
  const one = (message: string): MappedIssue[] => [{ path, message }];
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return one(`required key is missing (expected ${expectedText(issue.expected)})`);
      return one(`expected ${expectedText(issue.expected)}, got ${describeValue(got, full)}`);
    case 'invalid_union': {
      const branches = (issue.errors ?? []).filter((b) => b.length > 0);
      if (issue.discriminator !== undefined && issue.options) {
        const tags = issue.options.map((o) => JSON.stringify(o)).join(', ');
        return one(got === undefined ? `required key is missing (one of ${tags})` : `expected one of ${tags}, got ${describeValue(got, full)}`);
      }
      if (branches.length === 0) return one(issue.message);
      // Every branch refused the value itself: say what any of them would take.
      if (branches.every((b) => b.length === 1 && b[0]?.path.length === 0 && b[0]?.code === 'invalid_type')) {
        const want = joinOr(branches.map((b) => expectedText(b[0]?.expected)));
        return one(got === undefined ? `required key is missing (expected ${want})` : `expected ${want}, got ${describeValue(got, full)}`);
      }
      // Otherwise the branch that went deepest into the value is the one the user meant.
      const best = [...branches].sort((a, b) => deepest(b) - deepest(a) || a.length - b.length)[0] as ZodIssueLike[];
      return best.flatMap((i) => mapIssue(i, root, full));
    }
    case 'invalid_value': {
      const vals = (issue.values ?? []).map((v) => JSON.stringify(v));
      const hint =
        typeof got === 'string'
          ? didYouMean(
              got,
              (issue.values ?? []).filter((v): v is string => typeof v === 'string'),
            )
          : null;
      return one(`expected ${vals.length === 1 ? vals[0] : `one of ${vals.join(', ')}`}, got ${describeValue(got, full)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`);
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const n = Number(small ? issue.minimum : issue.maximum);
      const unit = issue.origin === 'array' || issue.origin === 'set' ? ` item${n === 1 ? '' : 's'}` : issue.origin === 'string' ? ` character${n === 1 ? '' : 's'}` : '';
      if (small && n === 1 && (issue.origin === 'array' || issue.origin === 'string')) return one(`must not be empty`);
      const cmp = small ? (issue.inclusive === false ? 'more than' : 'at least') : issue.inclusive === false ? 'less than' : 'at most';
      return one(`must be ${cmp} ${n}${unit}, got ${describeValue(got, full)}`);
    }
    case 'invalid_format':
      return one(
        issue.format === 'regex' && issue.pattern ? `${describeValue(got, full)} does not match the pattern ${issue.pattern}` : `${describeValue(got, full)} is not a valid ${issue.format ?? 'value'}`,
      );
    case 'not_multiple_of':
      return one(`${describeValue(got, full)} is not allowed: ${issue.message}`);
    default:
      // custom checks carry their own message; anything else keeps zod's.
      return one(issue.message);
  }
}
