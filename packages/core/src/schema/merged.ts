// Validating the user's merged cloud-config in the init stage: the same checks and
// messages as `nimbus schema`, each located in the part (and line) that set the key.
import type { Dict } from '../config/merge.js';
import { ConfigSource } from '../config/source.js';
import type { PositionMap } from '../yaml/load.js';
import { cloudConfigSpec } from './cloud-config.js';
import { validateDocument } from './validate.js';
import type { SchemaProblem } from './problems.js';

export interface LocatedPart {
  label: string;
  value: Dict;
  positions: PositionMap;
}

/** Problems of `cfg`, merged from `parts` (in merge order: the last part setting a key is where it stands). */
export function validateMergedConfig(cfg: Dict, parts: readonly LocatedPart[]): SchemaProblem[] {
  const source = new ConfigSource();
  for (const p of parts) source.add(Object.keys(p.value), { file: p.label, positions: p.positions });
  const fallback = parts.length === 1 ? (parts[0] as LocatedPart).label : 'user-data';
  return validateDocument(cfg, cloudConfigSpec(), (path) => source.locate(path) ?? { file: fallback, pos: null });
}
