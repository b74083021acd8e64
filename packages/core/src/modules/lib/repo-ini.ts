// Repository files in the ini shape yum, dnf and zypper read: one `[id]` section and
// `key = value` lines. Every id, key and value from user-data is checked so that none
// can open another section or add a line of its own: ids and keys are words, a value
// holds no control character, and the lines of a multi-line value (a list) are
// indented continuation lines, which the ini readers append to the same key.
import { isDict } from '../../config/merge.js';
import { hasBlankOrControl } from './package-manager.js';

export type RepoValue = string | number | boolean | (string | number | boolean)[];

/** Why a repo id cannot name a section and a file, or null. */
export function repoIdProblem(id: string): string | null {
  if (id === '' || id === '.' || id === '..') return 'it is empty or a dot name';
  if (/[/[\]=]/.test(id) || hasBlankOrControl(id)) return 'it must not contain "/", "[", "]", "=", a blank or a control character';
  return null;
}

function scalarProblem(v: unknown): string | null {
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return null;
  if (typeof v !== 'string') return 'expected a string, a number or true/false';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'it contains a line break or a control character (a list gives several lines)';
  }
  return null;
}

/**
 * A repo's options checked (pure): keys normalised as cloud-init does (lower case,
 * trimmed, `-` to `_`), each key a word, each value a scalar or a list of scalars.
 */
export function checkRepoOptions(v: unknown, skip: readonly string[] = []): { options: Map<string, RepoValue>; problems: { key: string; message: string }[] } {
  const options = new Map<string, RepoValue>();
  const problems: { key: string; message: string }[] = [];
  if (v === null || v === undefined) return { options, problems };
  if (!isDict(v)) return { options, problems: [{ key: '', message: 'expected a mapping of repository options' }] };
  for (const [raw, val] of Object.entries(v)) {
    const key = raw.toLowerCase().trim().replace(/-/g, '_');
    if (key === '' || skip.includes(raw)) continue;
    if (!/^[a-z0-9_.]+$/.test(key)) {
      problems.push({ key: raw, message: `option name ${JSON.stringify(raw)} must be letters, digits, "_" or "-"` });
      continue;
    }
    const items = Array.isArray(val) ? val : [val];
    const why = items.length === 0 ? 'an empty list' : items.map(scalarProblem).find((p) => p !== null);
    if (why !== undefined && why !== null) {
      problems.push({ key: raw, message: `${raw}: ${why}` });
      continue;
    }
    options.set(key, val as RepoValue);
  }
  return { options, problems };
}
