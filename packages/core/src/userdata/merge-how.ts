// merge_how / merge_type: how one cloud-config part is merged into the ones before it,
// written as "list(append)+dict(recurse_array,no_replace)+str()" or as a list of
// {name, settings} mappings (or [name, setting, ...] lists). Names and options are
// case-insensitive and '-' reads as '_', as in cloud-init. cloud-init ignores an option
// it does not know and drops the whole part for a merger it does not know; nimbus
// refuses both with the column or item that is wrong, so a typo cannot pass unseen.

export type MergerType = 'dict' | 'list' | 'str';

export interface MergerSpec {
  type: MergerType;
  /** Canonical option names (lowercase, '_'). */
  options: readonly string[];
}

/** Ordered; for each type the first spec of that type applies (as cloud-init's lookup). */
export type MergeHow = readonly MergerSpec[];

export class MergeHowError extends Error {
  constructor(
    /** What was being read, e.g. "user-data part 2 merge_how" or "Merge-Type header". */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

const COMMON = ['recurse_dict', 'recurse_list', 'recurse_array', 'recurse_str'];
export const MERGER_OPTIONS: Readonly<Record<MergerType, readonly string[]>> = {
  dict: ['replace', 'no_replace', 'allow_delete', ...COMMON],
  list: ['append', 'prepend', 'replace', 'no_replace', ...COMMON],
  str: ['append', ...COMMON],
};

/** The default for user-data cloud-config parts: later parts replace earlier keys. */
export const DEFAULT_PART_MERGE_HOW = 'dict(replace)+list()+str()';
/** The default for cloud.cfg and cloud.cfg.d files (util.mergemanydict): earlier sources keep their keys. */
export const DEFAULT_CONFIG_MERGE_HOW = 'list()+dict()+str()';

function canonical(s: string): string {
  return s.trim().toLowerCase().replace(/-/g, '_');
}

function spec(name: string, options: string[], where: string): MergerSpec {
  const n = canonical(name).replace(/^m_/, '');
  if (n !== 'dict' && n !== 'list' && n !== 'str') throw new MergeHowError(where, `unknown merger "${name}" (known: dict, list, str)`);
  const known = MERGER_OPTIONS[n];
  const opts = options.map(canonical).filter((o) => o !== '');
  for (const o of opts) {
    if (known.includes(o)) continue;
    const hint = n === 'str' && o === 'prepend' ? " (cloud-init's str merger only appends)" : '';
    throw new MergeHowError(where, `not supported: option "${o}" for ${n}()${hint}; known: ${known.join(', ')}`);
  }
  return { type: n, options: opts };
}

const SEGMENT = /^([a-z_][a-z0-9_]*)\((.*?)\)$/;

/** Parses the string form. An empty string gives an empty list (no mergers named). */
export function parseMergeHow(text: string, where = 'merge_how'): MergeHow {
  const out: MergerSpec[] = [];
  let col = 1;
  for (const raw of text.split('+')) {
    const seg = canonical(raw);
    if (seg !== '') {
      const at = `${where} "${text}" at column ${col + (raw.length - raw.trimStart().length)}`;
      const m = SEGMENT.exec(seg);
      if (!m) throw new MergeHowError(at, `expected name(options) such as list(append), found "${raw.trim()}"`);
      out.push(spec(m[1] as string, (m[2] as string).split(','), at));
    }
    col += raw.length + 1;
  }
  return out;
}

/** Reads merge_how in any form a cloud-config may give it: a string or a list. */
export function mergeHowFrom(value: unknown, where = 'merge_how'): MergeHow {
  if (typeof value === 'string') return parseMergeHow(value, where);
  if (!Array.isArray(value)) throw new MergeHowError(where, `expected a string like "list(append)+dict()" or a list of {name, settings}, found ${describe(value)}`);
  return value.map((item, i): MergerSpec => {
    const at = `${where}[${i}]`;
    if (typeof item === 'object' && item !== null && !Array.isArray(item) && !(item instanceof Uint8Array)) {
      const rec = item as Record<string, unknown>;
      for (const k of Object.keys(rec)) if (k !== 'name' && k !== 'settings') throw new MergeHowError(at, `unknown key "${k}" (expected name and settings)`);
      if (typeof rec.name !== 'string') throw new MergeHowError(at, `name must be a string such as "list", found ${describe(rec.name)}`);
      const settings = rec.settings ?? [];
      if (!Array.isArray(settings) || !settings.every((s): s is string => typeof s === 'string'))
        throw new MergeHowError(at, `settings must be a list of strings such as [append], found ${describe(rec.settings)}`);
      return spec(rec.name, settings, at);
    }
    if (Array.isArray(item) && item.length > 0 && item.every((s): s is string => typeof s === 'string')) return spec(item[0] as string, item.slice(1), at);
    throw new MergeHowError(at, `expected {name: list, settings: [append]} or [list, append], found ${describe(item)}`);
  });
}

export function formatMergeHow(how: MergeHow): string {
  return how.map((s) => `${s.type}(${s.options.join(',')})`).join('+');
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export interface PartMerge {
  /** The part's config without merge_how / merge_type. */
  config: Record<string, unknown>;
  mergeHow: MergeHow;
}

/**
 * Takes merge_how (else merge_type) out of a cloud-config part and decides how it merges:
 * the part's own mergers, then the Merge-Type header's, else the user-data default,
 * as cloud-init's cloud-config handler does.
 */
export function partMergeHow(config: Record<string, unknown>, headerMergeType: string | null, where = 'cloud-config part'): PartMerge {
  const rest = { ...config };
  const hasHow = rest.merge_how !== undefined && rest.merge_how !== null;
  const key = hasHow ? 'merge_how' : 'merge_type';
  const raw = rest[key] ?? null;
  // cloud-init pops merge_how and, only when that gave nothing, merge_type.
  delete rest.merge_how;
  if (!hasHow) delete rest.merge_type;
  const own = raw === null ? [] : mergeHowFrom(raw, `${where} ${key}`);
  const header = headerMergeType === null ? [] : parseMergeHow(headerMergeType, `${where} Merge-Type header`);
  const all = [...own, ...header];
  return { config: rest, mergeHow: all.length > 0 ? all : parseMergeHow(DEFAULT_PART_MERGE_HOW) };
}
