// MIME multipart user-data, read the way Python's email package (and so cloud-init)
// reads it: headers unfolded, nested multipart/* walked depth first, transfer encodings
// undone, a missing closing boundary tolerated. Written here because the npm parsers
// re-encode or drop parts. Where Python's parser would silently turn a broken message
// into nothing (no boundary parameter, a boundary that never appears, undecodable
// base64), this one stops with a MimeError naming the line.
import { decodeTransfer, transcodeToUtf8 } from './mime-decode.js';
import { parseParams, type HeaderParams } from './mime-params.js';

export interface MimeHeader {
  name: string; // as written
  value: string; // unfolded
}

/** One leaf part of a message, body decoded. */
export interface MimePart {
  /** Lowercased type/subtype; text/plain when the part has none (as Python's email). */
  contentType: string;
  /** Whether the part carried a Content-Type header at all. */
  contentTypeGiven: boolean;
  /** Content-Disposition filename, else the Content-Type name parameter. */
  filename: string | null;
  /** Declared charset, lowercased; text bodies in other charsets are re-encoded as UTF-8. */
  charset: string | null;
  /** Merge-Type, else X-Merge-Type (cloud-config merging rules for this part). */
  mergeType: string | null;
  /** Every header of the part, in order. */
  headers: MimeHeader[];
  /** Transfer-decoded body; for text/* parts always UTF-8. */
  body: Buffer;
  /** 1-based line where the part's headers start in the whole message. */
  line: number;
}

export class MimeError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${reason}`);
  }
}

/** cloud-init's test for "this user-data is a MIME message": the header name in the first 4 KiB. */
export function isMimeMessage(data: Buffer): boolean {
  return data.subarray(0, 4096).toString('latin1').toLowerCase().includes('mime-version:');
}

/** Looks a header up by name, case-insensitively; the first one wins as in Python's email. */
export function headerValue(headers: readonly MimeHeader[], name: string): string | null {
  const lc = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lc)?.value ?? null;
}

// The message is scanned as a latin1 string: one character per byte, so offsets are
// byte offsets and bodies come back out byte for byte.
interface Source {
  text: string;
  file: string;
  lineStarts: number[];
}

function makeSource(data: Buffer, file: string): Source {
  const text = data.toString('latin1');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lineStarts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      lineStarts.push(i + 1);
    }
  }
  return { text, file, lineStarts };
}

function lineAt(src: Source, offset: number): number {
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((src.lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

interface Line {
  start: number;
  /** End of the text, before the line ending. */
  textEnd: number;
  /** After the line ending. */
  end: number;
}

/** Lines of src.text[start, end), with \r\n, \r and \n all ending a line (Python's rule). */
function* lines(src: Source, start: number, end: number): Generator<Line> {
  let i = start;
  while (i < end) {
    let j = i;
    while (j < end) {
      const c = src.text.charCodeAt(j);
      if (c === 10 || c === 13) break;
      j++;
    }
    let e = j;
    if (e < end) e += src.text.charCodeAt(e) === 13 && e + 1 < end && src.text.charCodeAt(e + 1) === 10 ? 2 : 1;
    yield { start: i, textEnd: j, end: e };
    i = e;
  }
}

// A header line is a name of printable characters other than ':' followed by ':', or a
// continuation starting with a blank (Python's headerRE).
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;

interface Entity {
  headers: MimeHeader[];
  bodyStart: number;
}

function parseHeaders(src: Source, start: number, end: number): Entity {
  const headers: MimeHeader[] = [];
  let first = true;
  for (const l of lines(src, start, end)) {
    const text = src.text.slice(l.start, l.textEnd);
    if (text === '') return { headers, bodyStart: l.end };
    // Python's email skips an mbox "From " line first, and a continuation with no header before it.
    if (first && text.startsWith('From ')) {
      first = false;
      continue;
    }
    first = false;
    const last = headers[headers.length - 1];
    if (text[0] === ' ' || text[0] === '\t') {
      if (last) last.value += text;
      continue;
    }
    const m = HEADER_LINE.exec(text);
    // A line that is no header starts the body (Python records a defect and does the same).
    if (!m) return { headers, bodyStart: l.start };
    const name = m[0].slice(0, -1);
    headers.push({ name, value: text.slice(m[0].length) });
  }
  return { headers, bodyStart: end };
}

function decodeHeaderText(s: string): string {
  // Header bytes that are valid UTF-8 are read as UTF-8, others stay as latin1 characters.
  const b = Buffer.from(s, 'latin1');
  const u = b.toString('utf8');
  return Buffer.from(u, 'utf8').equals(b) ? u : s;
}

interface ContentType {
  type: string;
  given: boolean;
  params: HeaderParams;
}

function contentTypeOf(headers: MimeHeader[], defaultType: string): ContentType {
  const raw = headerValue(headers, 'Content-Type');
  if (raw === null) return { type: defaultType, given: false, params: new Map() };
  const semi = raw.indexOf(';');
  const t = (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase();
  const params = parseParams(semi < 0 ? '' : raw.slice(semi + 1));
  // Python's email reads a type without exactly one '/' as text/plain.
  const valid = /^[^/\s]+\/[^/\s]+$/.test(t);
  return { type: valid ? t : 'text/plain', given: true, params };
}

function dispositionFilename(headers: MimeHeader[]): string | null {
  const raw = headerValue(headers, 'Content-Disposition');
  if (raw === null) return null;
  const semi = raw.indexOf(';');
  if (semi < 0) return null;
  const params = parseParams(raw.slice(semi + 1));
  return params.get('filename') ?? null;
}

/** A delimiter line: "--" boundary, then optionally "--", then blanks only (RFC 2046 / Python). */
function delimiterKind(text: string, boundary: string): 'open' | 'close' | null {
  if (!text.startsWith('--') || !text.startsWith(boundary, 2)) return null;
  let rest = text.slice(2 + boundary.length);
  let kind: 'open' | 'close' = 'open';
  if (rest.startsWith('--')) {
    kind = 'close';
    rest = rest.slice(2);
  }
  return /^[ \t]*$/.test(rest) ? kind : null;
}

const MAX_DEPTH = 50;

function walk(src: Source, start: number, end: number, defaultType: string, depth: number, out: MimePart[]): void {
  const line = lineAt(src, start);
  if (depth > MAX_DEPTH) throw new MimeError(src.file, line, `multipart nested more than ${MAX_DEPTH} levels deep`);
  const { headers, bodyStart } = parseHeaders(src, start, end);
  for (const h of headers) h.value = decodeHeaderText(h.value.replace(/^[ \t]+/, '').replace(/[\r\n]+/g, ''));
  const ct = contentTypeOf(headers, defaultType);
  const [main] = ct.type.split('/');
  if (main === 'multipart') {
    splitMultipart(src, ct, bodyStart, end, line, depth, out);
    return;
  }
  if (main === 'message') throw new MimeError(src.file, line, `not supported: ${ct.type} parts (attach the content itself)`);
  const cte = (headerValue(headers, 'Content-Transfer-Encoding') ?? '').trim().toLowerCase();
  const bodyLine = lineAt(src, bodyStart);
  const fail = (reason: string, lineDelta = 0): MimeError => new MimeError(src.file, bodyLine + lineDelta, reason);
  let body = decodeTransfer(Buffer.from(src.text.slice(bodyStart, end), 'latin1'), cte, fail);
  const charset = ct.params.get('charset')?.trim().toLowerCase() || null;
  if (main === 'text' && charset !== null) body = transcodeToUtf8(body, charset, fail);
  const filename = dispositionFilename(headers) ?? ct.params.get('name') ?? null;
  out.push({
    contentType: ct.type,
    contentTypeGiven: ct.given,
    filename: filename === null ? null : filename.trim(),
    charset,
    mergeType: headerValue(headers, 'Merge-Type') ?? headerValue(headers, 'X-Merge-Type'),
    headers,
    body,
    line,
  });
}

function splitMultipart(src: Source, ct: ContentType, bodyStart: number, end: number, line: number, depth: number, out: MimePart[]): void {
  const boundary = ct.params.get('boundary');
  if (boundary === undefined || boundary === '') throw new MimeError(src.file, line, `${ct.type} has no boundary parameter in its Content-Type`);
  const childType = ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  let partStart = -1; // start of the current part's headers; -1 while in the preamble
  let seen = false;
  // The line ending before a delimiter belongs to the delimiter, not to the part.
  let prevLineTextEnd = bodyStart;
  for (const l of lines(src, bodyStart, end)) {
    const kind = delimiterKind(src.text.slice(l.start, l.textEnd), boundary);
    if (kind !== null) {
      if (partStart >= 0) walk(src, partStart, Math.max(partStart, prevLineTextEnd), childType, depth + 1, out);
      seen = true;
      if (kind === 'close') return; // the rest is the epilogue
      partStart = l.end;
    }
    prevLineTextEnd = l.textEnd;
  }
  if (!seen) throw new MimeError(src.file, line, `${ct.type} boundary "${boundary}" never appears in the body`);
  // No closing delimiter: the last part runs to the end, less its final line ending, as
  // Python's email tolerates it.
  if (partStart >= 0) walk(src, partStart, Math.max(partStart, prevLineTextEnd), childType, depth + 1, out);
}

/**
 * Parses a MIME message into its leaf parts, in order, nested multiparts flattened.
 * `file` names the input in errors. Throws only MimeError.
 */
export function parseMime(data: Buffer, file = 'user-data'): MimePart[] {
  const src = makeSource(data, file);
  const out: MimePart[] = [];
  try {
    walk(src, 0, src.text.length, 'text/plain', 0, out);
  } catch (e) {
    if (e instanceof MimeError) throw e;
    // Anything else is a bug here; still, the caller gets an error about its input.
    throw new MimeError(file, null, `cannot read MIME message: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}
