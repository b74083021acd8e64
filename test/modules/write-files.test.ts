// write_files: the files a cloud-config lists, written in the init stage with their
// content decoded and their mode set; entries marked defer wait for the final stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { writeFiles } from '../../packages/core/src/modules/write-files.js';
import { sourceTarget } from '../../packages/core/src/modules/lib/write-file-entries.js';

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

test('write_files append: true keeps the existing file mode and owner unless the entry sets them', async () => {
  const k = makeKit();
  k.write('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o640);
  fs.chownSync(path.join(k.root, 'etc/shadow'), 0, 42);
  k.write('etc/secret.key', 'k1\n', 0o600);
  fs.chownSync(path.join(k.root, 'etc/secret.key'), 1234, 1234);
  k.write('etc/widened', 'a\n', 0o600);
  await k.run(
    writeFiles,
    `write_files:\n  - path: /etc/shadow\n    append: true\n    content: "bob:*:19000:0:99999:7:::\\n"\n  - path: /etc/secret.key\n    append: true\n    content: "k2\\n"\n  - path: /etc/widened\n    append: true\n    permissions: '0644'\n    owner: root:root\n    content: "b\\n"\n  - path: /etc/new-appended\n    append: true\n    content: "n\\n"\n`,
  );
  assert.deepEqual(k.errors(), []);
  const st = (p: string) => fs.statSync(path.join(k.root, p));
  assert.equal(k.read('etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:*:19000:0:99999:7:::\n');
  assert.equal(k.mode('etc/shadow'), 0o640);
  assert.deepEqual([st('etc/shadow').uid, st('etc/shadow').gid], [0, 42]);
  assert.equal(k.read('etc/secret.key'), 'k1\nk2\n');
  assert.equal(k.mode('etc/secret.key'), 0o600);
  assert.deepEqual([st('etc/secret.key').uid, st('etc/secret.key').gid], [1234, 1234]);
  // An entry that names them gets them.
  assert.equal(k.mode('etc/widened'), 0o644);
  // A file that was not there gets the defaults, as any new file.
  assert.equal(k.mode('etc/new-appended'), 0o644);
});

test('write_files source: the uri is fetched with its headers (file:// from the tree, http from a server) and written as fetched; a failed fetch falls back to content', async () => {
  const http = await import('node:http');
  const seen: { url: string; auth: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url === '/motd') res.end('hello from the server\n');
    else {
      res.statusCode = 404;
      res.end('no');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const k = makeKit();
    k.write('srv/seed/app.conf', 'from the tree\n');
    await k.run(
      writeFiles,
      `write_files:
  - path: /etc/motd
    source:
      uri: ${base}/motd
      headers: {Authorization: Basic dXNlcjpwYXNz}
    permissions: '0640'
  - path: /etc/app.conf
    source: {uri: "file:///srv/seed/app.conf"}
    encoding: b64
    content: bm90IHVzZWQ=
  - path: /etc/fallback
    source: {uri: ${base}/missing}
    encoding: b64
    content: ZmFsbGJhY2sK
  - path: /etc/nothing
    source: {uri: ${base}/missing}
`,
    );
    assert.equal(k.read('etc/motd'), 'hello from the server\n');
    assert.equal(k.mode('etc/motd'), 0o640);
    assert.equal(k.read('etc/app.conf'), 'from the tree\n');
    assert.equal(k.read('etc/fallback'), 'fallback\n');
    assert.equal(k.exists('etc/nothing'), false);
    assert.deepEqual(seen[0], { url: '/motd', auth: 'Basic dXNlcjpwYXNz' });
    assert.ok(
      k.warnings().some((w) => /line 12 .*source .*missing could not be read .*writing its content instead/.test(w)),
      k.warnings().join('\n'),
    );
    assert.ok(k.errors().some((e) => /line 16 .*there is no content to fall back to; this file was not written/.test(e)));
  } finally {
    server.close();
  }
});

test('write_files source: only file, http and https URIs are read', async () => {
  assert.deepEqual(sourceTarget('file:///etc/x'), { kind: 'file', path: '/etc/x' });
  assert.deepEqual(sourceTarget('https://example.org/a'), { kind: 'http', url: 'https://example.org/a' });
  assert.match((sourceTarget('ftp://example.org/a') as { bad: string }).bad, /ftp URIs are not supported/);
  assert.match((sourceTarget('file://other/etc/x') as { bad: string }).bad, /names a host/);
  const k = makeKit();
  await k.run(writeFiles, 'write_files:\n  - path: /etc/a\n    source: {uri: "gopher://x/y"}\n    content: kept\n');
  assert.equal(k.read('etc/a'), 'kept');
});
