// SHA-512 crypt ("$6$", Ulrich Drepper's specification), the hash cloud-init gives the
// ovf-env.xml password before it becomes the default user's hashed_passwd. Node has
// no crypt(3); the password itself is never kept anywhere, only this hash.
import { crypto } from '../../util/builtin.js';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS = 5000;
// The byte triples of the final digest, in the order the specification encodes them.
const ORDER: readonly (readonly [number, number, number])[] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

function sha512(...parts: Uint8Array[]): Buffer {
  const h = crypto().createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `len` bytes of `block` repeated. */
function stretch(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

function b64(out: string[], b2: number, b1: number, b0: number, n: number): void {
  let w = (b2 << 16) | (b1 << 8) | b0;
  for (let i = 0; i < n; i++) {
    out.push(ALPHABET[w & 0x3f] as string);
    w >>= 6;
  }
}

/** A random 16-character salt from crypt's alphabet. */
export function randomSalt(random: (n: number) => Buffer = (n) => crypto().randomBytes(n)): string {
  return [...random(16)].map((b) => ALPHABET[b & 0x3f]).join('');
}

/** `$6$<salt>$<hash>` for a password, with the default 5000 rounds. */
export function sha512Crypt(password: string, salt: string): string {
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const b = sha512(p, s, p);
  const a = crypto().createHash('sha512');
  a.update(p);
  a.update(s);
  a.update(stretch(b, p.length));
  for (let n = p.length; n > 0; n >>= 1) a.update(n & 1 ? b : p);
  let acc = a.digest();
  const dp = sha512(...Array.from({ length: p.length }, () => p));
  const pBytes = stretch(dp, p.length);
  const ds = sha512(...Array.from({ length: 16 + (acc[0] as number) }, () => s));
  const sBytes = stretch(ds, s.length);
  for (let r = 0; r < ROUNDS; r++) {
    const c = crypto().createHash('sha512');
    c.update(r & 1 ? pBytes : acc);
    if (r % 3 !== 0) c.update(sBytes);
    if (r % 7 !== 0) c.update(pBytes);
    c.update(r & 1 ? acc : pBytes);
    acc = c.digest();
  }
  const out: string[] = [];
  for (const [x, y, z] of ORDER) b64(out, acc[x] as number, acc[y] as number, acc[z] as number, 4);
  b64(out, 0, 0, acc[63] as number, 2);
  return `$6$${s.toString('utf8')}$${out.join('')}`;
}
