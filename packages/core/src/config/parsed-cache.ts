// The system configuration files parsed once, not by every stage of every boot. Every
// stage reads cloud.cfg and cloud.cfg.d/*.cfg; parsing them costs each stage 7-10 ms of
// a start (cold code), and they rarely change. A stage that parses a file keeps its
// value and positions in /var/cache/nimbus; a later one uses them when the file's text
// is exactly the text that was parsed, and parses it itself otherwise.
//
// Only values that JSON keeps unchanged are kept (no !!binary bytes, no .inf or .nan),
// so a kept value is the parse's value. Configuration decides what runs as root, so the
// file is written 0600 and read only when it and its directory are this user's and no
// one else can write them, as the code caches beside it.
import type { Host } from '../host/host.js';
import type { Position, PositionMap, YamlDoc } from '../yaml/load.js';

export const PARSED_CONFIG_CACHE = '/var/cache/nimbus/parsed-config.json';
const CACHE_DIR = '/var/cache/nimbus';

interface Entry {
  text: string;
  value: unknown;
  positions: [string, Position][];
}

/** Whether JSON.parse(JSON.stringify(v)) is v: plain data, finite numbers. */
export function jsonExact(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((x) => jsonExact(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as Record<string, unknown>).every((x) => jsonExact(x, depth + 1));
  }
  return false;
}

/** This process's user owns it and neither group nor others can write it. */
function ownedHere(host: Host, path: string): boolean {
  const st = host.fs.stat(path, false);
  return st !== null && !st.isSymlink && st.uid === (process.geteuid?.() ?? 0) && (st.mode & 0o022) === 0;
}

export class ParsedConfigCache {
  private entries: Record<string, Entry> = {};
  private changed = false;

  constructor(private readonly host: Host) {
    let text: string | null = null;
    try {
      text = ownedHere(host, CACHE_DIR) && ownedHere(host, PARSED_CONFIG_CACHE) ? host.fs.readText(PARSED_CONFIG_CACHE) : null;
    } catch {
      text = null;
    }
    if (text === null) return;
    try {
      const v = JSON.parse(text) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) this.entries = v as Record<string, Entry>;
    } catch {
      // A damaged cache is only a slower start: everything is parsed again.
    }
  }

  /** The parse of `text` from `file` kept earlier in this boot, or null. */
  get(file: string, text: string): YamlDoc | null {
    const e = Object.hasOwn(this.entries, file) ? this.entries[file] : undefined;
    if (e === undefined || e.text !== text || !Array.isArray(e.positions)) return null;
    return { value: e.value, positions: new Map(e.positions) as PositionMap };
  }

  put(file: string, text: string, doc: YamlDoc): void {
    if (!jsonExact(doc.value)) return;
    this.entries[file] = { text, value: doc.value, positions: [...doc.positions] };
    this.changed = true;
  }

  /**
   * Keeps what this stage parsed for the next ones, where /var/cache is (a scratch
   * --root tree has none) and the directory is fit; anything else is left alone.
   */
  save(): void {
    if (!this.changed || !this.host.fs.isDir('/var/cache')) return;
    try {
      if (this.host.fs.exists(CACHE_DIR) && !ownedHere(this.host, CACHE_DIR)) return;
      this.host.fs.write(PARSED_CONFIG_CACHE, JSON.stringify(this.entries), { mode: 0o600, dirMode: 0o755 });
      this.changed = false;
    } catch {
      // read-only or missing /run: the next stage parses for itself
    }
  }
}
