// Builds a multipart/mixed message shaped like the one Python's email.mime writes (and
// so `cloud-init devel make-mime`): each part with Content-Type, MIME-Version,
// Content-Transfer-Encoding and an attachment filename. Plain ASCII bodies stay readable
// as 7bit; anything else goes as base64 so no byte is changed on the way.
import { MimeError, type MimeHeader } from './mime.js';
import { Fnv } from '../util/fnv.js';

export interface ComposePart {
  /** type/subtype, e.g. text/cloud-config. */
  contentType: string;
  body: Buffer | string;
  filename?: string;
  /** Extra headers, e.g. Merge-Type. */
  headers?: MimeHeader[];
}

export interface ComposeOptions {
  /** The boundary; by default one derived from the bodies, so equal input gives equal output. */
  boundary?: string;
}

const CONTENT_TYPE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+\/[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

function quoteParam(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
  // RFC 2231 for anything beyond printable ASCII.
  const enc = [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return `${name}*=utf-8''${enc}`;
}

function isPlain7bit(b: Buffer): boolean {
  let lineLen = 0;
  for (const c of b) {
    if (c === 10) {
      lineLen = 0;
      continue;
    }
    // CR, NUL and other controls, bytes above 127 and over-long lines go as base64.
    if (c > 126 || (c < 32 && c !== 9)) return false;
    if (++lineLen > 998) return false;
  }
  return true;
}

function base64Lines(b: Buffer): string {
  const s = b.toString('base64');
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 76) out.push(s.slice(i, i + 76));
  return out.join('\n');
}

// The boundary is derived from the bodies, so the same parts always compose to the same
// bytes: a content hash is all it needs.
function defaultBoundary(bodies: Buffer[], salt: number): string {
  const h = new Fnv(2, salt);
  for (const body of bodies) h.bytes(body).mix(0);
  h.text(String(salt));
  const digits = h.value().toString().padStart(19, '0').slice(0, 19);
  return `===============${digits}==`;
}

function checkHeaderValue(what: string, v: string): void {
  if (/[\r\n]/.test(v)) throw new MimeError(what, null, `a header value may not hold a line break: ${JSON.stringify(v)}`);
}

/** Composes a multipart/mixed message from `parts`. Throws MimeError for an invalid type or header. */
export function composeMime(parts: readonly ComposePart[], opts: ComposeOptions = {}): Buffer {
  const bodies = parts.map((p) => (typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body));
  const rendered = parts.map((p, i) => {
    const what = `part ${i + 1}`;
    const ct = p.contentType.trim().toLowerCase();
    if (!CONTENT_TYPE.test(ct)) throw new MimeError(what, null, `invalid content type "${p.contentType}" (expected type/subtype)`);
    if (ct.startsWith('multipart/') || ct.startsWith('message/')) throw new MimeError(what, null, `not supported: composing a ${ct} part`);
    const body = bodies[i] as Buffer;
    const plain = isPlain7bit(body);
    const lines = [`Content-Type: ${ct}${ct.startsWith('text/') ? '; charset="utf-8"' : ''}`, 'MIME-Version: 1.0', `Content-Transfer-Encoding: ${plain ? '7bit' : 'base64'}`];
    if (p.filename !== undefined) {
      checkHeaderValue(what, p.filename);
      lines.push(`Content-Disposition: attachment; ${quoteParam('filename', p.filename)}`);
    }
    for (const h of p.headers ?? []) {
      if (!HEADER_NAME.test(h.name)) throw new MimeError(what, null, `invalid header name "${h.name}"`);
      checkHeaderValue(what, h.value);
      lines.push(`${h.name}: ${h.value}`);
    }
    return { head: lines.join('\n'), text: plain ? body.toString('latin1') : base64Lines(body) };
  });
  let boundary = opts.boundary;
  if (boundary !== undefined && !/^[ -~]{1,70}$/.test(boundary)) throw new MimeError('boundary', null, 'a boundary is 1 to 70 printable ASCII characters');
  for (let salt = 0; boundary === undefined || rendered.some((r) => r.text.includes(`--${boundary}`)); salt++) {
    if (opts.boundary !== undefined) throw new MimeError('boundary', null, `boundary "${opts.boundary}" occurs in a part's body`);
    boundary = defaultBoundary(bodies, salt);
  }
  const out = [`Content-Type: multipart/mixed; boundary="${boundary}"`, 'MIME-Version: 1.0', ''];
  for (const r of rendered) out.push(`--${boundary}`, r.head, '', r.text);
  out.push(`--${boundary}--`, '');
  return Buffer.from(out.join('\n'), 'latin1');
}
