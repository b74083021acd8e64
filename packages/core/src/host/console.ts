// The stage's own stdout and stderr (the journal and the console at boot). Written with
// write(2) on the descriptor: process.stderr would build a socket stream for the
// journal's socket, and loading Node's net and stream modules costs every stage about
// 5 ms before its first line.
import * as fs from 'node:fs';
import { tty } from '../util/builtin.js';

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export class Console {
  private ttyAnswer: boolean | undefined;

  /** Writes all of `text`; a closed or broken descriptor loses the line (the log file has it). */
  write(fd: 1 | 2, text: string): void {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(fd, buf, off);
      } catch (e) {
        const code = errnoOf(e);
        // A descriptor the parent left non-blocking: Node's stream queues what is left.
        if (code === 'EAGAIN') (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
        else if (code !== 'EPIPE' && code !== 'EBADF') throw e;
        return;
      }
    }
  }

  stdout(text: string): void {
    this.write(1, text);
  }

  stderr(text: string): void {
    this.write(2, text);
  }

  /**
   * Whether stderr is a terminal. Only a character device can be one, and not one of
   * the memory devices (major 1: /dev/null); the journal's socket is not. Node's tty
   * module, which loads its net module, is asked only about the rest.
   */
  stderrIsTty(): boolean {
    if (this.ttyAnswer === undefined) {
      let maybe = false;
      try {
        const st = fs.fstatSync(2);
        maybe = st.isCharacterDevice() && Math.floor(st.rdev / 256) % 4096 !== 1;
      } catch {
        maybe = false;
      }
      this.ttyAnswer = maybe && tty().isatty(2);
    }
    return this.ttyAnswer;
  }
}
