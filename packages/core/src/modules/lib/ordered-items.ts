// cloud-init's "list or dict" configuration values (snap assertions and commands,
// ubuntu_pro features): a list is taken in its order, a dict's keys only order its
// values. js-yaml hands every key over as text, so keys that are all integers
// (YAML's 00, 01, 10) sort as numbers, as they do in Python, and other keys as text.
import { isDict } from '../../config/merge.js';

/** The items of a list, or a dict's values ordered by key; null for anything else (pure). */
export function orderedItems(v: unknown): { key: string | number; value: unknown }[] | null {
  if (Array.isArray(v)) return v.map((value, key) => ({ key, value }));
  if (!isDict(v)) return null;
  const keys = Object.keys(v);
  const numeric = keys.every((k) => /^-?\d+$/.test(k));
  keys.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((key) => ({ key, value: v[key] }));
}
