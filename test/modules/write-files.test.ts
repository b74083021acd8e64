// write_files: the files a cloud-config lists, written in the init stage with their
// content decoded and their mode set; entries marked defer wait for the final stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { writeFiles } from '../../packages/core/src/modules/write-files.js';

test('write_files writes each file with its decoded content and mode, and leaves deferred entries for later', async () => {
  const k = makeKit();
  const b64 = Buffer.from('#!/bin/sh\necho hi\n').toString('base64');
  k.write('etc/motd', 'Welcome.\n');
  await k.run(
    writeFiles,
    `write_files:\n  - path: /etc/app.conf\n    content: "a = 1\\n"\n  - path: /usr/local/bin/hi\n    encoding: b64\n    content: ${b64}\n    permissions: '0755'\n  - path: /etc/motd\n    append: true\n    content: "Managed.\\n"\n  - path: /etc/later.conf\n    content: "x\\n"\n    defer: true\n`,
  );
  assert.equal(k.read('etc/app.conf'), 'a = 1\n');
  assert.equal(k.mode('etc/app.conf'), 0o644);
  assert.equal(k.read('usr/local/bin/hi'), '#!/bin/sh\necho hi\n');
  assert.equal(k.mode('usr/local/bin/hi'), 0o755);
  assert.equal(k.read('etc/motd'), 'Welcome.\nManaged.\n');
  assert.equal(k.exists('etc/later.conf'), false);
  assert.deepEqual(k.errors(), []);
});

test('write_files reports an entry it cannot write, with its line, and still writes the others', async () => {
  const k = makeKit();
  await k.run(writeFiles, 'write_files:\n  - path: relative/file\n    content: x\n  - path: /etc/ok\n    content: y\n');
  assert.match(k.errors()[0] ?? '', /user-data line \d+ col \d+: write_files\[0\]: path "relative\/file" must be absolute; this file was not written/);
  assert.equal(k.read('etc/ok'), 'y');
});
