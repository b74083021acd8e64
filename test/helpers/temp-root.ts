// The one way a test gets a temp directory. Each test file runs in its own process, and
// a directory may be made at module scope, in a hook or in one test and read by the
// next, or handed to a child process: the end of the file's process is the one moment
// no test can still use it, so that is when every directory made here is removed.
// NIMBUS_KEEP_TMP=1 keeps them, to look at after a failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];
let hooked = false;

function removeAll(): void {
  if (process.env.NIMBUS_KEEP_TMP === '1') return;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A new empty directory under the OS temp dir, removed when this test file's process exits. */
export function tempDir(prefix = 'nimbus-test-'): string {
  if (!hooked) {
    process.on('exit', removeAll);
    hooked = true;
  }
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
