// Base64 decoded as Python's base64.b64decode and PyYAML's !!binary do it (binascii's
// non-strict a2b_base64): characters outside the alphabet (blanks, a stray `!`, and
// also `-` and `_`) are skipped, decoding ends where the padding completes a group, and
// only a group left incomplete is an error. cloud-init writes what this gives, so nimbus
// must accept exactly what it accepts.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TABLE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) TABLE[ALPHABET.charCodeAt(i)] = i;

export class Base64Error extends Error {}

/** Decodes `input` (text, or bytes read as latin1) as Python's non-strict decoder. */
export function pyB64Decode(input: string | Uint8Array): Uint8Array {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  let data = 0;
  for (const ch of bytes) {
    if (ch === 61 /* = */) {
      pads++;
      if (quad >= 2 && quad + pads >= 4) return new Uint8Array(out);
      continue;
    }
    const v = TABLE[ch] as number;
    if (v < 0) continue;
    pads = 0;
    data++;
    switch (quad) {
      case 0:
        left = v;
        quad = 1;
        break;
      case 1:
        out.push(((left << 2) | (v >> 4)) & 0xff);
        left = v & 0x0f;
        quad = 2;
        break;
      case 2:
        out.push(((left << 4) | (v >> 2)) & 0xff);
        left = v & 0x03;
        quad = 3;
        break;
      default:
        out.push(((left << 6) | v) & 0xff);
        quad = 0;
    }
  }
  if (quad === 1) throw new Base64Error(`invalid base64: ${data} data characters cannot be 1 more than a multiple of 4`);
  if (quad !== 0) throw new Base64Error('invalid base64: incorrect padding');
  return new Uint8Array(out);
}
