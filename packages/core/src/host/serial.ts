// One request/answer exchange on a serial port (CloudSigma's and SmartOS's metadata
// channels, /dev/ttyS1): the port is opened without becoming the controlling terminal,
// put in raw mode (no echo, no line editing, as pyserial does), the request written,
// and the answer read up to its terminator (a newline) — within a time limit and a
// size limit, so a silent or chattering host never holds a boot. The port's path is the
// real one (host.fs.real), so under --root a test's stand-in device in the tree is used.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { tty } from '../util/builtin.js';

export interface SerialExchangeOptions {
  /** How the port is named in messages ("/dev/ttyS1"). */
  label: string;
  /** For the whole exchange. */
  timeoutMs: number;
  /** Largest answer accepted. */
  maxBytes: number;
  /** The answer is complete with the first of this byte (a newline: one line), not counting a leading one. */
  terminator: number;
}

export class SerialError extends Error {
  constructor(
    readonly kind: 'open' | 'timeout' | 'too-large' | 'io',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens the port at `realPath` without becoming its controlling terminal, in raw mode.
 * Throws SerialError('open') when it cannot be opened or is not a terminal.
 */
export function openRawSerial(realPath: string, label: string): { fd: number; stream: import('node:tty').ReadStream } {
  let fd: number;
  try {
    fd = openSync(realPath, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (e) {
    throw new SerialError('open', `${label}: cannot open: ${(e as Error).message}`);
  }
  try {
    const stream = new (tty().ReadStream)(fd);
    stream.setRawMode(true);
    return { fd, stream };
  } catch (e) {
    closeSync(fd);
    throw new SerialError('open', `${label}: not a terminal (${(e as Error).message})`);
  }
}

/** Writes `request` to the port at `realPath` and returns the complete answer. */
export function serialExchange(realPath: string, request: Uint8Array, o: SerialExchangeOptions): Promise<Uint8Array> {
  let fd: number;
  let stream: import('node:tty').ReadStream;
  try {
    ({ fd, stream } = openRawSerial(realPath, o.label));
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: SerialError | null, value?: Uint8Array) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.removeAllListeners('data');
      try {
        stream.setRawMode(false);
      } catch {
        // the port may be gone; closing is all that is left to do
      }
      stream.destroy();
      if (err) reject(err);
      else resolve(value as Uint8Array);
    };
    const timer = setTimeout(() => finish(new SerialError('timeout', `${o.label}: no complete answer within ${o.timeoutMs} ms (${size} bytes received)`)), o.timeoutMs);
    stream.on('error', (e) => finish(new SerialError('io', `${o.label}: ${e.message}`)));
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > o.maxBytes) return finish(new SerialError('too-large', `${o.label}: answer larger than ${o.maxBytes} bytes; refused`));
      // Only the new chunk is searched: a long answer costs one pass, not one per chunk.
      const at = c.indexOf(o.terminator, size === c.length ? 1 : 0);
      if (at >= 0) finish(null, new Uint8Array(Buffer.concat(chunks).subarray(0, size - c.length + at + 1)));
    });
    try {
      let off = 0;
      while (off < request.length) off += writeSync(fd, request, off);
    } catch (e) {
      finish(new SerialError('io', `${o.label}: write failed: ${(e as Error).message}`));
    }
  });
}
