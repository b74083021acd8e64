// YAML read as cloud-init reads it (PyYAML's safe_load, YAML 1.1): yes/no/on/off are
// booleans but y/n are not, 0644 is octal, !!binary gives bytes, the last duplicate key
// wins, and an empty document is null. Alongside the value it returns where every key
// and item stands in the source, so an error can name the line and column.
import { YAML11_SCHEMA, YAMLException, constructFromEvents, defineScalarTag, NOT_RESOLVED, parseEvents, EVENT_ID, type Event } from 'js-yaml';
import { PYYAML_SCALARS } from './pyyaml-scalars.js';

const TRUE = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

// PyYAML's bool resolver: js-yaml's YAML 1.1 tag also takes y/n, which PyYAML keeps as strings.
const pyBool = defineScalarTag<boolean>('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['y', 'Y', 't', 'T', 'o', 'O', 'n', 'N', 'f', 'F'],
  resolve: (s) => (TRUE.has(s) ? true : FALSE.has(s) ? false : NOT_RESOLVED),
  identify: (v) => typeof v === 'boolean',
  represent: (v) => (v ? 'true' : 'false'),
});

export const PYYAML_SCHEMA = YAML11_SCHEMA.withTags(pyBool, ...PYYAML_SCALARS);

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

/** Key path (["write_files", 2, "encoding"]) joined as "write_files.2.encoding" → where it stands. */
export type PositionMap = Map<string, Position>;

export interface YamlDoc {
  value: unknown;
  positions: PositionMap;
}

export class YamlError extends Error {
  constructor(
    readonly file: string,
    readonly pos: Position | null,
    readonly reason: string,
  ) {
    super(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${reason}`);
  }
}

function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetToPosition(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
}

function eventStart(e: Event): number {
  switch (e.type) {
    case EVENT_ID.SCALAR:
      return e.anchorStart >= 0 ? e.anchorStart : e.tagStart >= 0 ? e.tagStart : e.valueStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.anchorStart >= 0 ? e.anchorStart : e.tagStart >= 0 ? e.tagStart : e.start;
    case EVENT_ID.ALIAS:
      return e.anchorStart;
    default:
      return -1;
  }
}

/** Walks the event stream of the first document, recording each key's and item's offset. */
function mapPositions(src: string, events: Event[]): PositionMap {
  const starts = lineStarts(src);
  const out: PositionMap = new Map();
  let i = 0;
  const scalarText = (e: Event): string => (e.type === EVENT_ID.SCALAR ? src.slice(e.valueStart, e.valueEnd) : '');
  const node = (path: string): void => {
    const e = events[i++];
    if (e === undefined) return;
    const at = eventStart(e);
    if (at >= 0 && !out.has(path)) out.set(path, offsetToPosition(starts, at));
    if (e.type === EVENT_ID.MAPPING) {
      while (i < events.length && events[i]?.type !== EVENT_ID.POP) {
        const k = events[i] as Event;
        // Keys are almost always plain scalars; a quoted key's text is its value.
        const key = k.type === EVENT_ID.SCALAR ? scalarText(k).replace(/^["']|["']$/g, '') : '?';
        const kAt = eventStart(k);
        const childPath = path === '' ? key : `${path}.${key}`;
        if (kAt >= 0) out.set(childPath, offsetToPosition(starts, kAt)); // last duplicate wins, as the value does
        if (k.type === EVENT_ID.SCALAR || k.type === EVENT_ID.ALIAS) i++;
        else node(`${childPath}#key`);
        const before = out.get(childPath);
        node(childPath);
        if (before) out.set(childPath, before); // a key's position is the key, not its value
      }
      i++;
    } else if (e.type === EVENT_ID.SEQUENCE) {
      let idx = 0;
      while (i < events.length && events[i]?.type !== EVENT_ID.POP) node(path === '' ? String(idx++) : `${path}.${idx++}`);
      i++;
    }
  };
  // events[0] is the DOCUMENT event; the root node follows.
  if (events[0]?.type === EVENT_ID.DOCUMENT) {
    i = 1;
    if (i < events.length && events[i]?.type !== EVENT_ID.POP) node('');
  }
  return out;
}

/**
 * Loads one YAML document. Throws YamlError naming `file`, the line and column, and what
 * was expected. Only the first document of a stream is used, as PyYAML's safe_load
 * would refuse more; a stream with several is an error here too.
 */
export function loadYaml(src: string, file: string): YamlDoc {
  let events: Event[];
  try {
    events = parseEvents(src, { filename: file, maxDepth: 200 });
  } catch (e) {
    throw toYamlError(e, file);
  }
  // PyYAML resolves a plain "=" to the YAML 1.1 value tag, which its safe loader cannot
  // construct: the whole document is refused, so it is here too.
  const eq = events.find((e) => e.type === EVENT_ID.SCALAR && e.tagStart < 0 && src.slice(e.valueStart, e.valueEnd) === '=');
  if (eq) throw new YamlError(file, offsetToPosition(lineStarts(src), eventStart(eq)), "a plain '=' is YAML 1.1's value tag, which PyYAML cannot read; quote it: '='");
  const docs = events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
  if (docs > 1) {
    const second = events.findIndex((e, k) => k > 0 && e.type === EVENT_ID.DOCUMENT);
    const after = events.slice(second + 1).find((e) => eventStart(e) >= 0);
    // An empty second document ("---" at the end) has no node: point at its marker, else the end.
    const at = after ? eventStart(after) : eventStart(events[second] as Event) >= 0 ? eventStart(events[second] as Event) : Math.max(0, src.lastIndexOf('---'));
    throw new YamlError(file, offsetToPosition(lineStarts(src), at), 'expected a single document in the stream, but found another document');
  }
  let value: unknown;
  try {
    const values = constructFromEvents(events, { source: src, filename: file, schema: PYYAML_SCHEMA, json: true, maxAliases: 10_000 });
    value = values.length === 0 ? null : values[0];
  } catch (e) {
    throw toYamlError(e, file);
  }
  return { value, positions: mapPositions(src, events) };
}

function toYamlError(e: unknown, file: string): YamlError {
  if (e instanceof YAMLException) {
    const m = e.mark as { line?: number; column?: number } | undefined;
    const pos = m && typeof m.line === 'number' ? { line: m.line + 1, col: (m.column ?? 0) + 1 } : null;
    return new YamlError(file, pos, e.reason ?? e.message);
  }
  return new YamlError(file, null, e instanceof Error ? e.message : String(e));
}

/** Dumps a value as YAML (for `query --format yaml`, `status --format yaml`). */
export { dump as dumpYaml } from 'js-yaml';
