import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../../../test/helpers/temp-root.js';

const CONSOLE = path.join(path.dirname(new URL(import.meta.url).pathname), 'console.js');

/** Runs a Console in a child with its stderr wired as given; returns what it reported on stdout. */
function child(stderr: 'ignore' | 'pipe' | number): { tty: boolean; netLoaded: boolean; stderr: string } {
  const script = `import { Console } from ${JSON.stringify(CONSOLE)};
const c = new Console();
const tty = c.stderrIsTty();
c.stderr('line one\\n');
c.stderr('é and a long line ' + 'x'.repeat(100000) + '\\n');
c.stdout(JSON.stringify({ tty, netLoaded: process.moduleLoadList.includes('NativeModule net') }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', stderr], encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr ?? '');
  return { ...(JSON.parse(r.stdout) as { tty: boolean; netLoaded: boolean }), stderr: r.stderr ?? '' };
}

test('stderr to /dev/null, a pipe or a file is no terminal, and asking does not load node:net', () => {
  const dn = child('ignore');
  assert.deepEqual([dn.tty, dn.netLoaded], [false, false]);
  const pipe = child('pipe');
  assert.deepEqual([pipe.tty, pipe.netLoaded], [false, false]);
  assert.equal(pipe.stderr, `line one\né and a long line ${'x'.repeat(100000)}\n`, 'every byte written, in order');
  const file = path.join(tempDir('nimbus-console-'), 'err');
  const fd = fs.openSync(file, 'w');
  const f = child(fd);
  fs.closeSync(fd);
  assert.deepEqual([f.tty, f.netLoaded], [false, false]);
  assert.match(fs.readFileSync(file, 'utf8'), /^line one\né and a long line x+\n$/);
});

test('a closed stderr loses the line without failing the stage', () => {
  const script = `import { Console } from ${JSON.stringify(CONSOLE)};
import * as fs from 'node:fs';
fs.closeSync(2);
new Console().stderr('nobody hears this\\n');
process.stdout.write('still running');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'still running');
});
