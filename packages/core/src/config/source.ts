// Where each configuration key came from, so any error can name the file, line and column.
import type { Position, PositionMap } from '../yaml/load.js';

export interface ConfigOrigin {
  /** Human name of the source: "/etc/cloud/cloud.cfg", "user-data (part 2)", ... */
  file: string;
  positions: PositionMap;
}

/**
 * Records, per top-level key, which source last set it (the one whose value won the
 * merge), and looks up dotted key paths in that source's position map.
 */
export class ConfigSource {
  private readonly byKey = new Map<string, ConfigOrigin>();

  /** Notes that `origin` set these top-level keys (later calls win, as the merge does). */
  add(keys: Iterable<string>, origin: ConfigOrigin): void {
    for (const k of keys) this.byKey.set(k, origin);
  }

  /** Takes over every key origin of another source (later add() calls still win). */
  addFrom(other: ConfigSource): void {
    for (const [k, o] of other.byKey) this.byKey.set(k, o);
  }

  /** "user-data line 12 col 5" style location for a key path like ["write_files", 2, "encoding"]. */
  locate(path: readonly (string | number)[]): { file: string; pos: Position | null } | null {
    if (path.length === 0) return null;
    const origin = this.byKey.get(String(path[0]));
    if (!origin) return null;
    for (let n = path.length; n > 0; n--) {
      const pos = origin.positions.get(path.slice(0, n).join('.'));
      if (pos) return { file: origin.file, pos };
    }
    return { file: origin.file, pos: null };
  }

  /** "<file> line L col C: " prefix for messages (or "" when unknown). */
  where(path: readonly (string | number)[]): string {
    const loc = this.locate(path);
    if (!loc) return '';
    return loc.pos ? `${loc.file} line ${loc.pos.line} col ${loc.pos.col}: ` : `${loc.file}: `;
  }
}
