import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RootFs, PathEscapeError } from './rootfs.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

function tempRoot(): string {
  return tempDir('nimbus-rootfs-');
}

test('paths resolve inside the root, .. stops at the root', () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  assert.equal(rf.real('/etc/hosts'), path.join(r, 'etc/hosts'));
  assert.equal(rf.real('/../../../etc/passwd'), path.join(r, 'etc/passwd'));
  assert.equal(rf.real('/a/./b/../c'), path.join(r, 'a/c'));
  assert.throws(() => rf.real('relative/path'), PathEscapeError);
  assert.throws(() => rf.real('/a\0b'), PathEscapeError);
});

test('symlinks, absolute or relative, cannot lead outside the root', () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  fs.mkdirSync(path.join(r, 'etc'));
  fs.symlinkSync('/etc', path.join(r, 'abs'));
  fs.symlinkSync('../../../../../etc', path.join(r, 'etc', 'rel'));
  fs.symlinkSync('/etc/shadow', path.join(r, 'etc', 'file'));
  assert.equal(rf.real('/abs/passwd'), path.join(r, 'etc/passwd'));
  assert.equal(rf.real('/etc/rel/passwd'), path.join(r, 'etc/passwd'));
  assert.equal(rf.real('/etc/file'), path.join(r, 'etc/shadow'));
  rf.write('/abs/x', 'inside');
  assert.equal(fs.readFileSync(path.join(r, 'etc/x'), 'utf8'), 'inside');
  fs.symlinkSync('loop', path.join(r, 'loop'));
  assert.throws(() => rf.real('/loop/x'), PathEscapeError);
});

test('a symlink after .. out of a missing directory is still followed inside the root, and paths below a file or a missing directory resolve as written', () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  fs.mkdirSync(path.join(r, 'etc'));
  fs.writeFileSync(path.join(r, 'etc', 'plain'), 'x');
  fs.symlinkSync('/etc', path.join(r, 'link'));
  fs.symlinkSync('../../..', path.join(r, 'etc', 'up'));
  assert.equal(rf.real('/missing/deeper/../../link/hosts'), path.join(r, 'etc/hosts'));
  assert.equal(rf.real('/etc/missing/../up/link/x'), path.join(r, 'etc/x'));
  assert.equal(rf.real('/etc/plain/below/file'), path.join(r, 'etc/plain/below/file'));
  assert.equal(rf.real('/etc/plain/below/../../up/etc'), path.join(r, 'etc'));
  assert.equal(rf.real('/missing/a/b/c'), path.join(r, 'missing/a/b/c'));
});

test('atomic write sets mode and leaves no temp file; append keeps the old content', () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  rf.write('/var/lib/x/secret', 'pw', { mode: 0o600 });
  const st = fs.statSync(path.join(r, 'var/lib/x/secret'));
  assert.equal(st.mode & 0o777, 0o600);
  rf.write('/var/lib/x/secret', '+more', { mode: 0o640, append: true });
  assert.equal(rf.readText('/var/lib/x/secret'), 'pw+more');
  assert.equal(rf.stat('/var/lib/x/secret')?.mode, 0o640);
  assert.deepEqual(rf.list('/var/lib/x'), ['secret']);
  assert.equal(rf.read('/nope'), null);
});

test('rewriting a file with the same bytes, mode and owner leaves it alone; any difference rewrites it', () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  const real = path.join(r, 'var/lib/cloud/obj.json');
  rf.write('/var/lib/cloud/obj.json', '{"a":1}', { mode: 0o600 });
  const ino = fs.statSync(real).ino;
  rf.write('/var/lib/cloud/obj.json', '{"a":1}', { mode: 0o600 });
  assert.equal(fs.statSync(real).ino, ino, 'same content: no new file');
  rf.write('/var/lib/cloud/obj.json', '{"a":1}', { mode: 0o644 });
  assert.notEqual(fs.statSync(real).ino, ino, 'another mode: a new file');
  assert.equal(fs.statSync(real).mode & 0o777, 0o644);
  const ino2 = fs.statSync(real).ino;
  rf.write('/var/lib/cloud/obj.json', '{"a":2}', { mode: 0o644 });
  assert.notEqual(fs.statSync(real).ino, ino2, 'other bytes of the same length: a new file');
  assert.equal(rf.readText('/var/lib/cloud/obj.json'), '{"a":2}');
});

test("list leaves out the temp files of atomic writes, so pruning never takes a writer's", () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  rf.write('/scripts/a.sh', 'x');
  fs.writeFileSync(path.join(r, 'scripts/.b.sh.nimbus-999999-abc123'), 'in flight');
  fs.writeFileSync(path.join(r, 'scripts/.hidden'), 'a real dotfile');
  assert.deepEqual(rf.list('/scripts'), ['.hidden', 'a.sh']);
});

test("a lock is exclusive, and a dead holder's lock is taken over", () => {
  const r = tempRoot();
  const rf = new RootFs(r);
  const release = rf.tryLock('/run/l.lock');
  assert.ok(release);
  // A live other holder (pid 1 always exists) keeps it.
  fs.writeFileSync(path.join(r, 'run/other.lock'), '1');
  assert.equal(rf.tryLock('/run/other.lock'), null);
  release();
  // A holder that no longer exists does not.
  fs.writeFileSync(path.join(r, 'run/dead.lock'), '999999999');
  const again = rf.tryLock('/run/dead.lock');
  assert.ok(again);
  assert.equal(fs.readFileSync(path.join(r, 'run/dead.lock'), 'utf8'), String(process.pid));
  again();
});

test('a root that does not exist yet is created on the first write', () => {
  const root = path.join(tempDir('nimbus-rootfs-'), 'not', 'there');
  const rf = new RootFs(root);
  rf.write('/etc/x', 'made');
  assert.equal(fs.readFileSync(path.join(root, 'etc/x'), 'utf8'), 'made');
});
