// User-data as parts: what a datasource delivered (maybe gzipped, maybe MIME) split
// into parts, each with the content type its first line or MIME header gives.
import { gunzipBounded, isGzip } from './gzip.js';
import { MAX_USERDATA_BYTES } from './limits.js';

export interface UserPart {
  /** 1-based, in message order. */
  index: number;
  /** MIME filename, else part-001, part-002, ... as cloud-init names them. */
  filename: string;
  contentType: string;
  body: Uint8Array;
  /** Merge-Type / X-Merge-Type header of a MIME part, when given. */
  mergeType?: string;
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
  const head = Buffer.from(body.subarray(0, 64)).toString('utf8').replace(/^\uFEFF/, '');
  for (const [marker, type] of STARTS_WITH) {
    if (head.startsWith(marker) || head.toLowerCase().startsWith(marker.toLowerCase())) return type;
  }
  return null;
}

export function looksLikeMime(body: Uint8Array): boolean {
  const head = Buffer.from(body.subarray(0, 2048)).toString('latin1');
  const headers = head.split(/\r?\n\r?\n/)[0] ?? '';
  // The message must open with a header line; a #cloud-config that mentions one is not MIME.
  return /^[A-Za-z][A-Za-z0-9-]*:/.test(headers) && /^Content-Type:\s*multipart\//im.test(headers);
}

export function partName(index: number): string {
  return `part-${String(index).padStart(3, '0')}`;
}

/**
 * Splits raw user-data into parts. A MIME message needs the MIME parser, given as
 * `splitMime`; without it a MIME message is reported as not supported.
 */
export function splitUserdata(
  raw: Uint8Array,
  what: string,
  splitMime: ((msg: Uint8Array, what: string) => UserPart[]) | null,
): UserPart[] {
  if (raw.length > MAX_USERDATA_BYTES) throw new Error(`${what}: ${raw.length} bytes is more than the ${MAX_USERDATA_BYTES}-byte limit; refused`);
  let body = raw;
  if (isGzip(body)) body = gunzipBounded(body, what);
  if (body.length === 0 || Buffer.from(body).toString('utf8').trim() === '') return [];
  if (looksLikeMime(body)) {
    if (splitMime === null) throw new Error(`${what}: not supported: MIME multipart user-data`);
    return splitMime(body, what);
  }
  return [{ index: 1, filename: partName(1), contentType: typeByFirstLine(body) ?? 'text/x-not-multipart', body }];
}
