// Merging cloud-config parts with cloud-init's rules. What happens to two values is
// decided by the type of the value already there (the "old" one) and the merger of that
// type named in merge_how; a type with no merger named keeps the old value.
//   dict: new keys are added; a key present in both is replaced (replace), or kept
//         (no_replace, the dict default) unless the new value is a mapping (always
//         merged recursively), a list (with recurse_list/recurse_array) or a string
//         (with recurse_str); allow_delete drops a key whose new value is null.
//   list: append / prepend join the lists; replace (the default) and no_replace go index
//         by index: replace takes the new item (merging it when recurse_* says so),
//         no_replace keeps the old one, and items past the shorter list stay.
//         replace with a new value that is no list takes the new value.
//   str:  append concatenates; otherwise the new value wins.
// Inputs are never modified; the result shares unchanged sub-values with them.
import { DEFAULT_PART_MERGE_HOW, parseMergeHow, partMergeHow, type MergeHow, type MergerSpec, type MergerType } from './merge-how.js';

export * from './merge-how.js';

export class MergeError extends Error {
  constructor(
    /** Key path of the value that could not be merged, e.g. "runcmd.2". */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path === '' ? '(top level)' : path}: ${reason}`);
  }
}

export type CloudConfig = Record<string, unknown>;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

function kind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isMapping(v)) return 'a mapping';
  if (v instanceof Uint8Array) return 'binary data';
  return `a ${typeof v}`;
}

interface Flags {
  method: string;
  recurseDict: boolean;
  recurseList: boolean;
  recurseStr: boolean;
  allowDelete: boolean;
}

// The first method option present in this order wins, as cloud-init picks it.
const METHODS: Record<MergerType, readonly string[]> = { dict: ['replace', 'no_replace'], list: ['append', 'prepend', 'replace', 'no_replace'], str: ['append'] };
const DEFAULT_METHOD: Record<MergerType, string> = { dict: 'no_replace', list: 'replace', str: 'replace' };

function flagsOf(s: MergerSpec): Flags {
  const has = (o: string): boolean => s.options.includes(o);
  return {
    method: METHODS[s.type].find(has) ?? DEFAULT_METHOD[s.type],
    // The dict merger always recurses into mappings (cloud-init keeps that for old configs).
    recurseDict: s.type === 'dict' || has('recurse_dict'),
    recurseList: has('recurse_list') || has('recurse_array'),
    recurseStr: has('recurse_str'),
    allowDelete: has('allow_delete'),
  };
}

type Mergers = Partial<Record<MergerType, Flags>>;

function compile(how: MergeHow): Mergers {
  const out: Mergers = {};
  for (const s of how) if (out[s.type] === undefined) out[s.type] = flagsOf(s);
  return out;
}

function join(path: string, k: string | number): string {
  return path === '' ? String(k) : `${path}.${k}`;
}

/** Whether a value already there gets merged with the new one rather than left or replaced. */
function recurses(f: Flags, next: unknown): boolean {
  return (Array.isArray(next) && f.recurseList) || (typeof next === 'string' && f.recurseStr) || (isMapping(next) && f.recurseDict);
}

function mergeValue(m: Mergers, old: unknown, next: unknown, path: string): unknown {
  if (isMapping(old)) return m.dict ? mergeDict(m, m.dict, old, next, path) : old;
  if (Array.isArray(old)) return m.list ? mergeList(m, m.list, old, next, path) : old;
  if (typeof old === 'string') return m.str ? mergeStr(m.str, old, next, path) : old;
  return old; // numbers, booleans, null, binary: cloud-init has no merger for them
}

// defineProperty, so that a key named "__proto__" is a key and not the prototype.
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function mergeDict(m: Mergers, f: Flags, old: Record<string, unknown>, next: unknown, path: string): Record<string, unknown> {
  if (!isMapping(next)) return old;
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(next)) {
    if (!Object.hasOwn(out, k)) {
      setKey(out, k, v);
    } else if (v === null && f.allowDelete) {
      delete out[k];
    } else if (f.method === 'replace') {
      setKey(out, k, v);
    } else if (recurses(f, v)) {
      setKey(out, k, mergeValue(m, out[k], v, join(path, k)));
    }
  }
  return out;
}

function mergeList(m: Mergers, f: Flags, old: unknown[], next: unknown, path: string): unknown {
  if (!Array.isArray(next)) {
    if (f.method === 'replace') return next;
    if (f.method === 'no_replace') return old;
    // cloud-init would splice the characters of a string or the keys of a mapping in.
    throw new MergeError(path, `cannot ${f.method} ${kind(next)} to a list (list(${f.method}) needs a list)`);
  }
  if (f.method === 'append') return [...old, ...next];
  if (f.method === 'prepend') return [...next, ...old];
  const out = [...old];
  const n = Math.min(old.length, next.length);
  for (let i = 0; i < n; i++) {
    if (f.method === 'no_replace') continue;
    const v = next[i];
    out[i] = recurses(f, v) ? mergeValue(m, out[i], v, join(path, i)) : v;
  }
  return out;
}

function mergeStr(f: Flags, old: string, next: unknown, path: string): unknown {
  if (f.method !== 'append') return next;
  if (typeof next !== 'string') throw new MergeError(path, `cannot append ${kind(next)} to a string (str(append) needs a string)`);
  return old + next;
}

/**
 * Merges cloud-config `next` into `base` as cloud-init merges a user-data part into the
 * ones before it. `mergeHow` is parsed (parseMergeHow / partMergeHow) or a string.
 * A null `next` (an empty part) leaves `base` as it is; any other non-mapping is an error.
 * Throws MergeError (or MergeHowError for a bad string).
 */
export function mergeCloudConfigs(base: CloudConfig, next: unknown, mergeHow: MergeHow | string = DEFAULT_PART_MERGE_HOW): CloudConfig {
  const how = typeof mergeHow === 'string' ? parseMergeHow(mergeHow) : mergeHow;
  if (next === null || next === undefined) return base;
  if (!isMapping(next)) throw new MergeError('', `a cloud-config must be a mapping of keys, found ${kind(next)}`);
  const m = compile(how);
  // Without a dict merger cloud-init leaves the config as it was.
  return m.dict ? mergeDict(m, m.dict, base, next, '') : base;
}

/**
 * Merges one cloud-config part (its YAML value) into the config of the parts before it,
 * the way cloud-init's cloud-config handler does: merge_how / merge_type taken out of
 * the part, then its Merge-Type header, else the user-data default. `where` names the
 * part in errors. Throws MergeHowError or MergeError.
 */
export function mergeCloudConfigPart(base: CloudConfig, part: unknown, headerMergeType: string | null = null, where = 'cloud-config part'): CloudConfig {
  if (part === null || part === undefined) return base;
  if (!isMapping(part)) throw new MergeError('', `${where}: a cloud-config must be a mapping of keys, found ${kind(part)}`);
  const { config, mergeHow } = partMergeHow(part, headerMergeType, where);
  return mergeCloudConfigs(base, config, mergeHow);
}
