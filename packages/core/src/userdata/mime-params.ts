// Header parameters (`; boundary="x"; filename*=utf-8''a%20b`) as Python's email reads
// them: quoted strings with backslash escapes, RFC 2231 charsets and continuations.
// Like Python it never refuses a parameter list; what it cannot read it keeps as text.
import { TextDecoder } from 'node:util';

/** Parameter name (lowercased) → value. */
export type HeaderParams = Map<string, string>;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (t.startsWith('"')) return t.slice(1).replace(/\\(.)/g, '$1'); // unterminated: tolerated
  return t;
}

function percentDecode(s: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i) & 0xff);
  }
  const b = Buffer.from(bytes);
  const cs = charset.toLowerCase();
  if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'latin-1') return b.toString('latin1');
  if (cs === 'us-ascii' || cs === 'ascii') return b.toString('latin1');
  try {
    return new TextDecoder(cs === '' ? 'utf-8' : cs, { fatal: true }).decode(b);
  } catch {
    return s; // an unknown charset or bad bytes: keep what was written
  }
}

interface Piece {
  index: number;
  encoded: boolean;
  value: string;
}

export function parseParams(s: string): HeaderParams {
  const plain = new Map<string, string>();
  const pieces = new Map<string, Piece[]>();
  for (const item of splitTopLevel(s)) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const rawName = item.slice(0, eq).trim().toLowerCase();
    const rawValue = item.slice(eq + 1);
    const m = /^([^*]+)\*(?:(\d+)(\*)?)?$/.exec(rawName);
    if (!m) {
      if (rawName !== '' && !plain.has(rawName)) plain.set(rawName, unquote(rawValue));
      continue;
    }
    // name* (one encoded piece), name*N (plain piece N), name*N* (encoded piece N)
    const name = m[1] as string;
    const index = m[2] === undefined ? 0 : Number(m[2]);
    const encoded = m[2] === undefined ? true : m[3] === '*';
    const list = pieces.get(name) ?? [];
    list.push({ index, encoded, value: unquote(rawValue) });
    pieces.set(name, list);
  }
  for (const [name, list] of pieces) {
    list.sort((a, b) => a.index - b.index);
    let charset = '';
    let text = '';
    list.forEach((p, k) => {
      let v = p.value;
      if (p.encoded && k === 0) {
        const parts = v.split("'");
        if (parts.length >= 3) {
          charset = parts[0] as string;
          v = parts.slice(2).join("'");
        }
      }
      // Encoded pieces are percent-decoded together so a character split across them survives.
      text += p.encoded ? v : v.replace(/%/g, '%25');
    });
    plain.set(name, percentDecode(text, charset));
  }
  return plain;
}
