// The init stage checks the user's cloud-config on every boot, and on most boots it is
// the one it checked on the boot before. The check loads zod and builds every module's
// schema (15-25 ms of a start), so its answer is kept in the instance directory with a
// 128-bit hash of what it was asked: this build of nimbus, the merged config and where
// each key stands. The same question gets the kept answer; any change asks again. The
// config itself is not kept (it holds passwords); the answer is what the log shows.
import type { Host } from '../host/host.js';
import type { Dict } from '../config/merge.js';
import { NIMBUS_BUILD_ID_STRING } from '../version.js';
import { validateMergedConfig, type LocatedPart } from './merged.js';
import type { SchemaProblem } from './problems.js';
import { Fnv } from '../util/fnv.js';

/** The question as text: bytes (write_files' !!binary) spelled out so they count too. */
export function checkQuestion(cfg: Dict, parts: readonly LocatedPart[]): string {
  return JSON.stringify([NIMBUS_BUILD_ID_STRING, cfg, parts.map((p) => [p.label, [...p.positions]])], (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: Buffer.from(v).toString('base64') } : v));
}

/** validateMergedConfig, answered from `memoPath` when the question is the same. */
export function checkMergedConfig(host: Host, memoPath: string, cfg: Dict, parts: readonly LocatedPart[]): SchemaProblem[] {
  const question = new Fnv(4).text(checkQuestion(cfg, parts)).hex();
  try {
    const kept = JSON.parse(host.fs.readText(memoPath) ?? 'null') as { question?: unknown; problems?: unknown } | null;
    if (kept !== null && kept.question === question && Array.isArray(kept.problems)) return kept.problems as SchemaProblem[];
  } catch {
    // unreadable or damaged: check again
  }
  const problems = validateMergedConfig(cfg, parts);
  host.fs.write(memoPath, JSON.stringify({ question, problems }) + '\n', { mode: 0o600 });
  return problems;
}
