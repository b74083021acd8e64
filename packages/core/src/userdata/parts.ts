// User-data as parts: what a datasource delivered (maybe gzipped, maybe MIME) split
// into parts, each with the content type its first line or MIME header gives.
import { gunzipBounded, isGzip } from './gzip.js';
import { MAX_DECOMPRESSED_BYTES, MAX_USERDATA_BYTES, UserdataBudget } from './limits.js';
import { isMimeMessage, parseMime } from './mime.js';

export interface UserPart {
  /** 1-based, in message order. */
  index: number;
  /** MIME filename, else part-001, part-002, ... as cloud-init names them. */
  filename: string;
  contentType: string;
  body: Uint8Array;
  /** Merge-Type / X-Merge-Type header of a MIME part, when given. */
  mergeType?: string;
  /** The Launch-Index header of a MIME part or an archive item's `launch-index`: only that instance keeps it. */
  launchIndex?: string;
}

/** First-line markers and the content types they stand for (cloud-init's table). */
export const STARTS_WITH: readonly [string, string][] = [
  ['#include-once', 'text/x-include-once-url'],
  ['#include', 'text/x-include-url'],
  ['#cloud-config-archive', 'text/cloud-config-archive'],
  ['#cloud-config-jsonp', 'text/cloud-config-jsonp'],
  ['#cloud-config', 'text/cloud-config'],
  ['#cloud-boothook', 'text/cloud-boothook'],
  ['#upstart-job', 'text/upstart-job'],
  ['#part-handler', 'text/part-handler'],
  ['## template: jinja', 'text/jinja2'],
  ['#!', 'text/x-shellscript'],
];

export function typeByFirstLine(body: Uint8Array): string | null {
  // Only the head is needed; decoding a whole large script for this would be waste.
  const head = Buffer.from(body.subarray(0, 64))
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  for (const [marker, type] of STARTS_WITH) {
    if (head.startsWith(marker) || head.toLowerCase().startsWith(marker.toLowerCase())) return type;
  }
  return null;
}

export function partName(index: number): string {
  return `part-${String(index).padStart(3, '0')}`;
}

/** Content types whose part is typed by its first line instead (cloud-init's "type needed"). */
const TYPE_BY_CONTENT = new Set(['text/plain', 'text/x-not-multipart']);
/** Content types whose body is gzip, decompressed before anything else. */
const GZIP_TYPES = new Set([
  'application/gzip',
  'application/gzip-compressed',
  'application/gzipped',
  'application/x-compress',
  'application/x-compressed',
  'application/x-gunzip',
  'application/x-gzip',
  'application/x-gzip-compressed',
]);

/** Decompresses within both the per-gzip limit and what is left of the whole user-data's budget. */
function gunzipInBudget(b: Uint8Array, what: string, budget: UserdataBudget): Uint8Array {
  const byBudget = budget.left() < MAX_DECOMPRESSED_BYTES;
  const out = gunzipBounded(b, what, byBudget ? budget.left() : MAX_DECOMPRESSED_BYTES, byBudget ? budget.refusal() : undefined);
  budget.take(out.length, what);
  return out;
}

function resolve(
  index: number,
  filename: string | null,
  contentType: string,
  body: Uint8Array,
  what: string,
  budget: UserdataBudget,
  mergeType?: string | null,
  launchIndex?: string | null,
): UserPart {
  let type = contentType;
  let data = body;
  if (GZIP_TYPES.has(type)) {
    data = gunzipInBudget(data, `${what} part ${index}`, budget);
    type = 'text/x-not-multipart';
  }
  if (TYPE_BY_CONTENT.has(type)) type = typeByFirstLine(data) ?? type;
  const part: UserPart = { index, filename: filename ?? partName(index), contentType: type, body: data };
  if (mergeType) part.mergeType = mergeType;
  if (launchIndex !== undefined && launchIndex !== null) part.launchIndex = launchIndex;
  return part;
}

/**
 * Splits raw user-data into parts: gzip by its magic number, MIME (by cloud-init's
 * test) into its leaf parts, anything else as one part typed by its first line.
 * Throws with `what` and the position for data that cannot be read. `budget` is the
 * whole user-data's (shared with its includes); the raw bytes are taken from it here.
 */
export function splitUserdata(raw: Uint8Array, what: string, budget = new UserdataBudget()): UserPart[] {
  if (raw.length > MAX_USERDATA_BYTES) throw new Error(`${what}: ${raw.length} bytes is more than the ${MAX_USERDATA_BYTES}-byte limit; refused`);
  budget.take(raw.length, what);
  let body = raw;
  if (isGzip(body)) {
    // The output replaces the compressed data: only the larger of the two is held.
    budget.release(raw.length);
    body = gunzipInBudget(body, what, budget);
  }
  if (body.length === 0 || Buffer.from(body).toString('utf8').trim() === '') return [];
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isMimeMessage(buf)) {
    return parseMime(buf, what)
      .filter((p) => !p.contentType.startsWith('multipart/'))
      .map((p, i) => resolve(i + 1, p.filename, p.contentType, new Uint8Array(p.body), what, budget, p.mergeType, p.headers.find((h) => h.name.toLowerCase() === 'launch-index')?.value.trim()));
  }
  return [resolve(1, null, 'text/x-not-multipart', body, what, budget)];
}
