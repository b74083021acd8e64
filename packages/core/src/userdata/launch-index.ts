// Launch-index filtering, as cloud-init does for user-data: when the metadata gives this
// instance a launch index (EC2's ami-launch-index, or `launch-index`), a part that
// names another index (a MIME part's Launch-Index header, an archive item's
// `launch-index`) is left out; parts that name none are kept on every instance.
import type { DatasourceResult } from '../datasources/types.js';
import type { UserPart } from './parts.js';

/** Python's util.safe_int: an int from a number or numeric text, else null. */
export function safeInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** This instance's launch index, or null when the metadata gives none (then nothing is filtered). */
export function launchIndexOf(ds: Pick<DatasourceResult, 'dsname' | 'metadata'>): number | null {
  const md = ds.metadata ?? {};
  const v = ds.dsname === 'Ec2' ? md['ami-launch-index'] : md['launch-index'];
  return v === undefined || v === null ? null : safeInt(v);
}

/** The parts this instance keeps, and how many were left out (pure). */
export function filterLaunchIndex(parts: readonly UserPart[], wanted: number | null): { parts: UserPart[]; discarded: number } {
  if (wanted === null) return { parts: [...parts], discarded: 0 };
  const kept = parts.filter((p) => p.launchIndex === undefined || safeInt(p.launchIndex) === wanted);
  return { parts: kept, discarded: parts.length - kept.length };
}
