// #include / #include-once and #cloud-config-archive: URL lines, expansion in place
// (nested, loops, failures), the include-once cache, archive items; then the real
// fetching source against HTTP servers on 127.0.0.1 (timeout, size limit, errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createHost, Logger, Paths } from '../../packages/core/src/index.js';
import { expandParts, hostIncludeSource, includeOnceName, includeUrls, type IncludeSource } from '../../packages/core/src/userdata/include.js';
import { explodeArchive } from '../../packages/core/src/userdata/archive.js';
import { splitUserdata, type UserPart } from '../../packages/core/src/userdata/parts.js';
import { tempDir } from '../helpers/temp-root.js';

function logger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger({ file: (t) => lines.push(t), stderr: () => {} }, { stage: 'init', debug: true, quiet: true });
  return { log, lines };
}

const b = (s: string) => new Uint8Array(Buffer.from(s));
const text = (p: UserPart) => Buffer.from(p.body).toString('utf8');

/** An in-memory web: URL → body; counts fetches; a memory cache. */
function memorySource(pages: Record<string, string | Uint8Array>): IncludeSource & { fetched: string[]; cached: Map<string, Uint8Array> } {
  const fetched: string[] = [];
  const cached = new Map<string, Uint8Array>();
  return {
    fetched,
    cached,
    async fetch(url) {
      fetched.push(url);
      const page = pages[url];
      if (page === undefined) throw new Error(`${url}: HTTP 404`);
      return typeof page === 'string' ? b(page) : page;
    },
    cache: { read: (u) => cached.get(u) ?? null, write: (u, body) => cached.set(u, body) },
  };
}

async function expand(userdata: string | Uint8Array, source: IncludeSource) {
  const { log } = logger();
  const parts = splitUserdata(typeof userdata === 'string' ? b(userdata) : userdata, 'user-data.txt');
  const out = await expandParts(parts, { log, source, label: () => 'user-data.txt' });
  return { out, log };
}

test('includeUrls: one a line, comments and blanks skipped, the marker may carry a URL, once turns on and off', () => {
  assert.deepEqual(includeUrls('#include\nhttp://a/1\n\n# comment\n  http://a/2  \n#include-once http://a/3\nhttp://a/4\n#include\nhttp://a/5\n'), [
    { url: 'http://a/1', once: false, line: 2 },
    { url: 'http://a/2', once: false, line: 5 },
    { url: 'http://a/3', once: true, line: 6 },
    { url: 'http://a/4', once: true, line: 7 },
    { url: 'http://a/5', once: false, line: 9 },
  ]);
  // cloud-init's cache name: the md5 of the URL, in hex.
  assert.equal(includeOnceName('http://a/3'), createHash('md5').update('http://a/3').digest('hex'));
});

test('includes expand in place, in order, nested, gzip and MIME included; parts renumbered', async () => {
  const src = memorySource({
    'http://h/cc': '#cloud-config\nruncmd: [a]\n',
    'http://h/nested': '#include\nhttp://h/script\n',
    'http://h/script': '#!/bin/sh\necho hi\n',
    'http://h/gz': new Uint8Array(gzipSync('#cloud-config\nfinal_message: gz\n')),
  });
  const { out, log } = await expand('#include\nhttp://h/cc\nhttp://h/nested\nhttp://h/gz\n', src);
  assert.deepEqual(
    out.map((p) => [p.index, p.filename, p.contentType]),
    [
      [1, 'part-001', 'text/cloud-config'],
      [2, 'part-002', 'text/x-shellscript'],
      [3, 'part-003', 'text/cloud-config'],
    ],
  );
  assert.equal(text(out[2] as UserPart), '#cloud-config\nfinal_message: gz\n');
  assert.deepEqual(src.fetched, ['http://h/cc', 'http://h/nested', 'http://h/script', 'http://h/gz']);
  assert.deepEqual(log.report.errors, []);
});

test('a failed URL and a loop are errors for that URL only', async () => {
  const src = memorySource({ 'http://h/loop': '#include\nhttp://h/loop\n', 'http://h/ok': '#!/bin/sh\n' });
  const { out, log } = await expand('#include\nhttp://h/missing\nhttp://h/loop\nhttp://h/ok\n', src);
  assert.deepEqual(
    out.map((p) => p.contentType),
    ['text/x-shellscript'],
  );
  assert.equal(log.report.errors.length, 2);
  assert.match(log.report.errors[0] ?? '', /user-data\.txt line 2: http:\/\/h\/missing: HTTP 404; this include was not applied/);
  assert.match(log.report.errors[1] ?? '', /includes itself/);
});

test('#include-once: fetched once, then read from the cache; plain #include is fetched every time', async () => {
  const src = memorySource({ 'http://h/once': '#cloud-config\nruncmd: [once]\n', 'http://h/every': '#!/bin/sh\n' });
  const ud = '#include-once\nhttp://h/once\n#include\nhttp://h/every\n';
  await expand(ud, src);
  const second = await expand(ud, src);
  assert.deepEqual(src.fetched, ['http://h/once', 'http://h/every', 'http://h/every']);
  assert.deepEqual(
    second.out.map((p) => text(p).split('\n')[1]),
    ['runcmd: [once]', ''],
  );
});

test('archive: strings and mappings, typed by type or by first line, filename, Merge-Type; bad items reported with their line', () => {
  const archive = [
    '#cloud-config-archive',
    '- content: "#cloud-config\\nruncmd: [a]\\n"',
    '  Merge-Type: list(append)+dict(recurse_array)+str()',
    '- type: text/x-shellscript',
    '  filename: setup.sh',
    '  content: "echo no shebang\\n"',
    '- "#!/bin/sh\\necho string item\\n"',
    '- content: "packages: [a]\\n"',
    '- [not, an, item]',
    '- {content: {a: 1}}',
    '- {type: "not a type", content: x}',
    '- {content: !!binary aGk=}',
  ].join('\n');
  const r = explodeArchive(b(archive), 'ud');
  assert.deepEqual(
    r.parts.map((p) => [p.filename, p.contentType, p.mergeType ?? null]),
    [
      ['part-001', 'text/cloud-config', 'list(append)+dict(recurse_array)+str()'],
      ['setup.sh', 'text/x-shellscript', null],
      ['part-003', 'text/x-shellscript', null],
      ['part-004', 'text/cloud-config', null],
      ['part-005', 'application/octet-stream', null],
    ],
  );
  // An item that is neither a string nor a mapping is skipped with a warning, as cloud-init skips it.
  assert.equal(r.problems.length, 2);
  assert.match(r.problems[0] ?? '', /^ud:10:3: archive item 5: content must be a string/);
  assert.match(r.problems[1] ?? '', /^ud:11:3: archive item 6: type "not a type" is not a MIME type/);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /^ud:9:3: archive item 4: expected a string or a mapping with content, got a list; this item was skipped/);
  const li = explodeArchive(b('#cloud-config-archive\n- {content: "#!/bin/sh", launch-index: 1}\n'), 'ud');
  assert.deepEqual([li.parts.length, li.parts[0]?.launchIndex, li.warnings], [1, '1', []]);
  assert.match(explodeArchive(b('#cloud-config-archive\nruncmd: [a]\n'), 'ud').problems[0] ?? '', /must be a YAML list/);
  assert.match(explodeArchive(b('#cloud-config-archive\n- [a\n'), 'ud').problems[0] ?? '', /^ud:3:1: /);
});

test('an archive item that is an #include is fetched too', async () => {
  const src = memorySource({ 'http://h/x': '#!/bin/sh\n' });
  const { out } = await expand('#cloud-config-archive\n- "#include http://h/x"\n- "#cloud-config\\n{}"\n', src);
  assert.deepEqual(
    out.map((p) => p.contentType),
    ['text/x-shellscript', 'text/cloud-config'],
  );
});

/** A server on 127.0.0.1 with a handler per path. */
async function serve(handler: http.RequestListener): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('hostIncludeSource: http from 127.0.0.1, timeout, 404, size limit, file:// inside the root, cache file 0600', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/ok') res.end('#cloud-config\nruncmd: [x]\n');
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 3000);
    else if (req.url === '/big') res.end(Buffer.alloc(17 * 1024 * 1024, 'a'));
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  const root = tempDir('nimbus-inc-');
  try {
    const host = createHost({ root, exec: 'record' });
    const paths = new Paths('iid-1');
    // Generous timeouts where an answer is expected: a loaded test machine must not fail them.
    const src = hostIncludeSource(host, paths, { timeoutMs: 10_000, retries: 0, budgetMs: 30_000 });
    assert.equal(Buffer.from(await src.fetch(`${srv.base}/ok`)).toString(), '#cloud-config\nruncmd: [x]\n');
    const quick = hostIncludeSource(host, paths, { timeoutMs: 300, retries: 0, budgetMs: 5000 });
    // The per-request timeout ends it, not the server's answer 3 s later.
    await assert.rejects(quick.fetch(`${srv.base}/slow`), /no response within 300 ms/);
    await assert.rejects(src.fetch(`${srv.base}/nope`), /HTTP 404/);
    await assert.rejects(src.fetch(`${srv.base}/big`), /larger than the 16777216 allowed/);
    fs.mkdirSync(path.join(root, 'srv'));
    fs.writeFileSync(path.join(root, 'srv/inc.txt'), '#!/bin/sh\n');
    assert.equal(Buffer.from(await src.fetch('file:///srv/inc.txt')).toString(), '#!/bin/sh\n');
    await assert.rejects(src.fetch('ftp://127.0.0.1/x'), /not supported: URL scheme/);
    src.cache?.write('http://x/1', b('cached'));
    const cacheFile = path.join(root, 'var/lib/cloud/instances/iid-1/data/urlcache', includeOnceName('http://x/1'));
    assert.equal(fs.readFileSync(cacheFile, 'utf8'), 'cached');
    assert.equal(fs.statSync(cacheFile).mode & 0o777, 0o600);
    assert.equal(Buffer.from(src.cache?.read('http://x/1') ?? []).toString(), 'cached');
  } finally {
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('property: archives and include lists of any text never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const r = explodeArchive(b(`#cloud-config-archive\n${s}`), 'ud');
      assert.ok(Array.isArray(r.parts) && Array.isArray(r.problems));
      for (const u of includeUrls(`#include\n${s}`)) assert.ok(u.url.length > 0 && u.line >= 1);
    }),
    { numRuns: 1000 },
  );
});
