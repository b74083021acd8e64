// A line-oriented conversation with a local metadata channel that answers many requests
// on one connection (SmartOS: the serial port /dev/ttyS1 of a KVM guest, or the zone's
// Unix socket in an LX-branded zone). Every read has a time limit and every line a size
// limit, so a silent or chattering host never holds a boot. Paths are real ones
// (host.fs.real), so under --root a test's stand-in in the tree is what is opened;
// opening or connecting runs nothing from the tree.
import { writeSync } from 'node:fs';
import { net } from '../util/builtin.js';
import { openRawSerial, SerialError } from './serial.js';

export interface LineChannel {
  /** Writes text as it is (the caller adds the newline). */
  send(text: string): void;
  /** The next line without its newline, within `timeoutMs`. */
  readLine(timeoutMs: number): Promise<string>;
  /** Drops what the other side had already sent: reads until it has been quiet for `quietMs` (at most `maxMs`). */
  discardPending(quietMs: number, maxMs: number): Promise<void>;
  close(): void;
}

interface Source {
  onData(cb: (c: Buffer) => void): void;
  onEnd(cb: (why: string) => void): void;
  write(b: Buffer): void;
  destroy(): void;
}

class Lines implements LineChannel {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended: string | null = null;
  private lastData = 0;

  constructor(
    private readonly src: Source,
    private readonly label: string,
    private readonly maxLine: number,
  ) {
    src.onData((c) => {
      this.lastData = Date.now();
      this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
      this.waiter?.();
    });
    src.onEnd((why) => {
      this.ended = why;
      this.waiter?.();
    });
  }

  send(text: string): void {
    if (this.ended !== null) throw new SerialError('io', `${this.label}: ${this.ended}`);
    try {
      this.src.write(Buffer.from(text, 'latin1'));
    } catch (e) {
      throw new SerialError('io', `${this.label}: write failed: ${(e as Error).message}`);
    }
  }

  readLine(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const at = this.buf.indexOf(0x0a);
        if (at >= 0) {
          const line = this.buf.subarray(0, at).toString('latin1');
          this.buf = this.buf.subarray(at + 1);
          resolve(line.endsWith('\r') ? line.slice(0, -1) : line);
          return true;
        }
        if (this.buf.length > this.maxLine) {
          reject(new SerialError('too-large', `${this.label}: a line longer than ${this.maxLine} bytes; refused`));
          return true;
        }
        if (this.ended !== null) {
          reject(new SerialError('io', `${this.label}: ${this.ended} (${this.buf.length} bytes of an unfinished line)`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new SerialError('timeout', `${this.label}: no complete line within ${timeoutMs} ms (${this.buf.length} bytes received)`));
      }, timeoutMs);
      this.waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.waiter = null;
        }
      };
    });
  }

  async discardPending(quietMs: number, maxMs: number): Promise<void> {
    const end = Date.now() + maxMs;
    this.buf = Buffer.alloc(0);
    this.lastData = Date.now();
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, quietMs));
      this.buf = Buffer.alloc(0);
      if (Date.now() - this.lastData >= quietMs) return;
    }
  }

  close(): void {
    this.ended ??= 'closed';
    this.src.destroy();
  }
}

/** Opens a serial port (raw mode, not the controlling terminal). Throws SerialError('open'). */
export function openSerialChannel(realPath: string, label: string, maxLine: number): LineChannel {
  const { fd, stream } = openRawSerial(realPath, label);
  return new Lines(
    {
      onData: (cb) => stream.on('data', cb),
      onEnd: (cb) => {
        stream.on('error', (e) => cb(e.message));
        stream.on('end', () => cb('the port was closed'));
      },
      write: (b) => {
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off);
      },
      destroy: () => {
        stream.removeAllListeners('data');
        try {
          stream.setRawMode(false);
        } catch {
          // the port may be gone; closing is all that is left to do
        }
        stream.destroy();
      },
    },
    label,
    maxLine,
  );
}

/** Connects to a Unix stream socket within `timeoutMs`. Rejects with SerialError('open'). */
export function openSocketChannel(realPath: string, label: string, maxLine: number, timeoutMs: number): Promise<LineChannel> {
  return new Promise((resolve, reject) => {
    const sock = net().createConnection({ path: realPath });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new SerialError('open', `${label}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new SerialError('open', `${label}: cannot connect: ${e.message}`));
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(
        new Lines(
          {
            onData: (cb) => sock.on('data', cb),
            onEnd: (cb) => {
              sock.on('error', (e) => cb(e.message));
              sock.on('end', () => cb('the other side closed the socket'));
            },
            write: (b) => void sock.write(b),
            destroy: () => sock.destroy(),
          },
          label,
          maxLine,
        ),
      );
    });
  });
}
