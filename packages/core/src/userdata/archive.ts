// #cloud-config-archive: a YAML list whose items become parts, as cloud-init's
// archive reader makes them. An item is a string (its content) or a mapping with
// `content`, `type` (else typed by the content's first line, default
// text/cloud-config), `filename`, `launch-index`; `Merge-Type` / `X-Merge-Type` keys set
// how a cloud-config item merges. Items that cannot be used are reported with their line.
import { loadYaml, YamlError } from '../yaml/load.js';
import { isDict } from '../config/merge.js';
import { partName, typeByFirstLine, type UserPart } from './parts.js';

export interface ArchiveResult {
  parts: UserPart[];
  /** One message per item (or the whole archive) that could not be used. */
  problems: string[];
  /** Items skipped as cloud-init skips them (neither a string nor a mapping). */
  warnings: string[];
}

/** Keys of an item that are not passed on as headers (cloud-init's list). */
const NOT_HEADERS = new Set(['content', 'filename', 'type', 'launch-index', 'content-disposition', 'content-type']);

function bodyOf(content: unknown): Uint8Array | null {
  if (content === undefined || content === null) return new Uint8Array();
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return new Uint8Array(Buffer.from(content, 'utf8'));
  return null;
}

/** Splits an archive part into its items. `label` names the archive in messages. */
export function explodeArchive(body: Uint8Array, label: string): ArchiveResult {
  const text = Buffer.from(body).toString('utf8');
  // The first line is the marker, a YAML comment: it leaves line numbers as they are.
  let doc: ReturnType<typeof loadYaml>;
  try {
    doc = loadYaml(text, label);
  } catch (e) {
    return { parts: [], warnings: [], problems: [e instanceof YamlError ? `${e.message}; the archive was not applied` : `${label}: ${(e as Error).message}`] };
  }
  if (doc.value === null) return { parts: [], problems: [], warnings: [] };
  if (!Array.isArray(doc.value))
    return {
      parts: [],
      warnings: [],
      problems: [`${label}: a cloud-config-archive must be a YAML list of parts, got ${isDict(doc.value) ? 'a mapping' : typeof doc.value}; the archive was not applied`],
    };
  const parts: UserPart[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  doc.value.forEach((raw: unknown, i: number) => {
    const pos = doc.positions.get(String(i));
    const where = `${label}${pos ? `:${pos.line}:${pos.col}` : ''}: archive item ${i}`;
    const ent = typeof raw === 'string' || raw instanceof Uint8Array ? { content: raw } : raw;
    if (!isDict(ent)) {
      // cloud-init skips such an item without a word; a warning says which one.
      warnings.push(`${where}: expected a string or a mapping with content, got ${Array.isArray(ent) ? 'a list' : ent === null ? 'null' : typeof ent}; this item was skipped`);
      return;
    }
    const data = bodyOf(ent.content);
    if (data === null) {
      problems.push(`${where}: content must be a string or !!binary, got ${Array.isArray(ent.content) ? 'a list' : typeof ent.content}; this item was not applied`);
      return;
    }
    let type = typeof ent.type === 'string' && ent.type.trim() !== '' ? ent.type.trim().toLowerCase() : null;
    if (type === null) type = typeByFirstLine(data) ?? (ent.content instanceof Uint8Array ? 'application/octet-stream' : 'text/cloud-config');
    if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(type)) {
      problems.push(`${where}: type ${JSON.stringify(ent.type)} is not a MIME type such as text/cloud-config; this item was not applied`);
      return;
    }
    const part: UserPart = { index: parts.length + 1, filename: typeof ent.filename === 'string' && ent.filename !== '' ? ent.filename : partName(parts.length + 1), contentType: type, body: data };
    for (const [k, v] of Object.entries(ent)) {
      if (NOT_HEADERS.has(k.toLowerCase())) continue;
      if ((k.toLowerCase() === 'merge-type' || k.toLowerCase() === 'x-merge-type') && typeof v === 'string' && part.mergeType === undefined) part.mergeType = v;
    }
    // Kept only on the instance with that launch index (userdata/launch-index.ts).
    if (ent['launch-index'] !== undefined && ent['launch-index'] !== null) part.launchIndex = String(ent['launch-index']);
    parts.push(part);
  });
  return { parts, problems, warnings };
}
