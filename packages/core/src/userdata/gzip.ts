// gzip detection by magic number and bounded decompression.
import { zlib } from '../util/builtin.js';
import { MAX_DECOMPRESSED_BYTES } from './limits.js';

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Decompresses, refusing output larger than the limit; throws with `what` named. */
export function gunzipBounded(b: Uint8Array, what: string, limit = MAX_DECOMPRESSED_BYTES, tooLarge?: string): Uint8Array {
  try {
    return new Uint8Array(zlib().gunzipSync(b, { maxOutputLength: limit }));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|maxOutputLength/.test((e as Error).message)) {
      throw new Error(`${what}: ${tooLarge ?? `gzip data decompresses to more than ${limit} bytes (the limit); refused`}`);
    }
    throw new Error(`${what}: not valid gzip data (${(e as Error).message})`);
  }
}
