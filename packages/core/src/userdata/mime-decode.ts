// Content-Transfer-Encoding and charset decoding of one MIME part's body.
// Python's email quietly drops characters it cannot decode from base64; here they stop
// the part with the line they stand on, since a script missing bytes is worse than none.
import { TextDecoder } from 'node:util';

/** Builds the caller's error; `lineDelta` counts lines from the body's first line. */
export type DecodeFail = (reason: string, lineDelta?: number) => Error;

function linesBefore(s: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

function decodeBase64(body: Buffer, fail: DecodeFail): Buffer {
  const s = body.toString('latin1');
  let clean = '';
  let padAt = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    const shown = /[\x21-\x7e]/.test(c) ? `'${c}'` : `byte 0x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    if (c === '=') {
      if (padAt < 0) padAt = clean.length;
      clean += c;
      continue;
    }
    if (!/[A-Za-z0-9+/]/.test(c)) throw fail(`base64 body holds ${shown}, which is not base64`, linesBefore(s, i));
    if (padAt >= 0) throw fail(`base64 body continues after its '=' padding`, linesBefore(s, i));
    clean += c;
  }
  const data = padAt < 0 ? clean : clean.slice(0, padAt);
  if (data.length % 4 === 1) throw fail(`base64 body is truncated (${data.length} characters, one too many or three too few)`, linesBefore(s, s.length));
  return Buffer.from(data, 'base64');
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b !== 0x3d) {
      out.push(b);
      continue;
    }
    const h1 = body[i + 1];
    const h2 = body[i + 2];
    const hex = h1 !== undefined && h2 !== undefined ? String.fromCharCode(h1, h2) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    // A soft line break: '=' then optional blanks then the line ending.
    let j = i + 1;
    while (body[j] === 0x20 || body[j] === 0x09) j++;
    if (j >= body.length) {
      i = j - 1;
      continue;
    }
    if (body[j] === 0x0d || body[j] === 0x0a) {
      if (body[j] === 0x0d && body[j + 1] === 0x0a) j++;
      i = j;
      continue;
    }
    out.push(b); // a lone '=' stays as written, as Python's quopri keeps it
  }
  return Buffer.from(out);
}

const IDENTITY = new Set(['', '7bit', '8bit', 'binary']);

export function decodeTransfer(body: Buffer, cte: string, fail: DecodeFail): Buffer {
  if (IDENTITY.has(cte)) return body;
  if (cte === 'base64') return decodeBase64(body, fail);
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  throw fail(`not supported: Content-Transfer-Encoding "${cte}" (use base64, quoted-printable, 7bit or 8bit)`);
}

const AS_IS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1']);

/** Re-encodes a text body in `charset` as UTF-8 (UTF-8 and ASCII bodies are kept byte for byte). */
export function transcodeToUtf8(body: Buffer, charset: string, fail: DecodeFail): Buffer {
  if (AS_IS.has(charset)) return body;
  // True ISO-8859-1 as Python has it, not the WHATWG windows-1252 that TextDecoder gives.
  if (LATIN1.has(charset)) return Buffer.from(body.toString('latin1'), 'utf8');
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw fail(`not supported: charset "${charset}"`);
  }
  try {
    return Buffer.from(decoder.decode(body), 'utf8');
  } catch {
    throw fail(`body is not valid ${charset} text`);
  }
}
