// The image tree `nimbus try --image` boots a copy of: copied without following links or
// opening device nodes, read back without following links, and never a way to this
// machine's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyImageTree, readTreeFile, snapshotTree } from '../../packages/core/src/host/scratch-tree.js';
import { DIST, makeRoot } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

test('the copy keeps files, modes and links as links, and leaves out pipes', () => {
  const image = tempDir('nimbus-img-');
  fs.mkdirSync(path.join(image, 'etc/ssh'), { recursive: true });
  fs.writeFileSync(path.join(image, 'etc/ssh/key'), 'k');
  fs.chmodSync(path.join(image, 'etc/ssh/key'), 0o600);
  fs.symlinkSync('/etc/passwd', path.join(image, 'etc/pw-link'));
  assert.equal(spawnSync('mkfifo', [path.join(image, 'etc/fifo')]).status, 0);
  const copy = tempDir('nimbus-copy-');
  const { skipped } = copyImageTree(image, copy);
  assert.deepEqual(skipped, ['/etc/fifo']);
  assert.equal(fs.readFileSync(path.join(copy, 'etc/ssh/key'), 'utf8'), 'k');
  assert.equal(fs.statSync(path.join(copy, 'etc/ssh/key')).mode & 0o7777, 0o600);
  assert.equal(fs.readlinkSync(path.join(copy, 'etc/pw-link')), '/etc/passwd');
  const snap = snapshotTree(copy);
  assert.deepEqual(snap.get('/etc/pw-link')?.kind, 'link');
  assert.equal(snap.has('/etc/fifo'), false);
});

test("a file is never read through a link in the tree, so a tree's link cannot show this machine's files", () => {
  const outside = tempDir('nimbus-outside-');
  fs.writeFileSync(path.join(outside, 'secret'), 'host secret');
  const root = tempDir('nimbus-root-');
  fs.symlinkSync(outside, path.join(root, 'var'));
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'direct'));
  assert.equal(readTreeFile(root, '/var/secret'), null);
  assert.equal(readTreeFile(root, '/direct'), null);
  assert.equal(readTreeFile(root, '/../secret'), null);
  fs.writeFileSync(path.join(root, 'plain'), 'x');
  assert.equal(readTreeFile(root, '/plain')?.toString(), 'x');
});

test("try on an image whose /etc/motd links to a file of this machine writes the copy's file, never this machine's", () => {
  const outside = tempDir('nimbus-outside-');
  const hostFile = path.join(outside, 'motd');
  fs.writeFileSync(hostFile, 'the host motd\n');
  const image = makeRoot({ drive: false });
  fs.symlinkSync(hostFile, path.join(image, 'etc/motd'));
  const ud = path.join(tempDir('nimbus-ud-'), 'ud.yaml');
  fs.writeFileSync(ud, '#cloud-config\nwrite_files:\n  - path: /etc/motd\n    content: from try\n');
  const r = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), 'try', ud, '--image', image], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(fs.readFileSync(hostFile, 'utf8'), 'the host motd\n');
  assert.equal(fs.readlinkSync(path.join(image, 'etc/motd')), hostFile);
});
