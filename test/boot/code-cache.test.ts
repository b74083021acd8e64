// The loaders' V8 code cache (packages/core/src/host/code-cache.ts): written once after
// a real run into the host's cache directory, used by the next run, never trusted across
// a changed bundle, rewritten when V8 refuses it, never written by --version, and never
// read from nor written into a tree given to --root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, cacheName, isCacheOf, rootFromArgv, writesCache } from '../../packages/core/src/host/code-cache.js';
import { DIST, bootDaemons, makeRoot, read, instanceDir } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const CODE_CACHE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../packages/core/src/host/code-cache.js');

/**
 * Runs a tiny bundle through runBundle in a child (the cache is written at exit), with
 * its cache in `cache` (NIMBUS_CODE_CACHE_DIR), or with none chosen when undefined.
 */
function runTiny(dir: string, cache: string | undefined, bytes: number, ...argv: string[]): { use: { cache: string; willWrite: boolean }; out: string } {
  const bundle = path.join(dir, 'tiny.bundle.js');
  const driver = path.join(dir, 'driver.mjs');
  fs.writeFileSync(
    driver,
    `import { runBundle } from ${JSON.stringify(CODE_CACHE)};\nimport { createRequire } from 'node:module';\n` +
      `const use = runBundle({ path: ${JSON.stringify(bundle)}, name: 'tiny', buildId: '0123456789abcdef', bytes: ${bytes} }, process.argv.slice(2), createRequire(import.meta.url));\n` +
      `process.stderr.write(JSON.stringify(use));\n`,
  );
  const env = { ...process.env, NIMBUS_CODE_CACHE_DIR: cache ?? '' };
  const r = spawnSync(process.execPath, [driver, ...argv], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return { use: JSON.parse(r.stderr) as { cache: string; willWrite: boolean }, out: r.stdout };
}

function tinyTree(): { dir: string; root: string; cache: string; source: string; cacheFile: string } {
  const dir = tempDir('nimbus-cc-');
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'var/cache'), { recursive: true });
  const cache = path.join(dir, 'cache');
  const source = '#!/usr/bin/env node\nconst os = require("node:os");\nfunction answer(n) { return n * 6; }\nconsole.log(String(answer(7)), typeof os.cpus, __filename.endsWith("tiny.bundle.js"));\n';
  fs.writeFileSync(path.join(dir, 'tiny.bundle.js'), source);
  return { dir, root, cache, source, cacheFile: path.join(cache, cacheName({ name: 'tiny', buildId: '0123456789abcdef' })) };
}

test('the cache is written by the first run, used by the next, and the code runs the same', () => {
  const t = tinyTree();
  const n = Buffer.byteLength(t.source);
  const first = runTiny(t.dir, t.cache, n, '--root', t.root);
  assert.deepEqual(first.use, { cache: 'none', willWrite: true });
  assert.equal(first.out, '42 function true\n');
  assert.ok(fs.statSync(t.cacheFile).size > 0);
  const second = runTiny(t.dir, t.cache, n, `--root=${t.root}`);
  assert.deepEqual(second.use, { cache: 'used', willWrite: false });
  assert.equal(second.out, first.out);
  assert.deepEqual(fs.readdirSync(path.dirname(t.cacheFile)), [path.basename(t.cacheFile)], 'no temp file left');
});

test('a cache V8 refuses is replaced; a bundle whose size changed never reads one', () => {
  const t = tinyTree();
  const n = Buffer.byteLength(t.source);
  fs.mkdirSync(path.dirname(t.cacheFile), { recursive: true });
  fs.writeFileSync(t.cacheFile, Buffer.alloc(4096, 7));
  const r = runTiny(t.dir, t.cache, n, '--root', t.root);
  assert.deepEqual(r.use, { cache: 'rejected', willWrite: true });
  assert.equal(r.out, '42 function true\n');
  assert.equal(runTiny(t.dir, t.cache, n, '--root', t.root).use.cache, 'used');
  // The build id says n bytes; an edited bundle is compiled afresh and writes nothing.
  const edited = runTiny(t.dir, t.cache, n + 1, '--root', t.root);
  assert.deepEqual(edited.use, { cache: 'none', willWrite: false });
});

test('a cache that others can write is never run, nor is one in a directory they can write', () => {
  const t = tinyTree();
  const n = Buffer.byteLength(t.source);
  runTiny(t.dir, t.cache, n, '--root', t.root);
  fs.chmodSync(t.cacheFile, 0o666);
  assert.equal(runTiny(t.dir, t.cache, n, '--root', t.root).use.cache, 'none');
  fs.chmodSync(t.cacheFile, 0o644);
  assert.equal(runTiny(t.dir, t.cache, n, '--root', t.root).use.cache, 'used');
  fs.chmodSync(path.dirname(t.cacheFile), 0o777);
  const r = runTiny(t.dir, t.cache, n, '--root', t.root);
  assert.equal(r.use.cache, 'none');
  assert.deepEqual(fs.readdirSync(path.dirname(t.cacheFile)), [path.basename(t.cacheFile)], 'nothing added to that directory');
});

test("a run on a tree given to --root never reads the tree's cache, nor writes one there, nor does --version", () => {
  const t = tinyTree();
  const n = Buffer.byteLength(t.source);
  // A cache V8 would take, planted in the tree where an earlier nimbus kept its caches.
  const planted = path.join(t.root, 'var/cache/nimbus');
  runTiny(t.dir, planted, n);
  const plantedFile = path.join(planted, path.basename(t.cacheFile));
  const before = fs.readFileSync(plantedFile);
  assert.deepEqual(runTiny(t.dir, undefined, n, '--root', t.root).use, { cache: 'none', willWrite: false });
  assert.deepEqual(runTiny(t.dir, undefined, n, `--root=${t.root}`, 'status').use, { cache: 'none', willWrite: false });
  assert.deepEqual(fs.readFileSync(plantedFile), before);
  assert.deepEqual(fs.readdirSync(planted), [path.basename(plantedFile)]);
  assert.equal(runTiny(t.dir, t.cache, n, '--root', t.root, '--version').use.willWrite, false);
  assert.equal(fs.existsSync(t.cacheFile), false);
});

test("a new cache replaces its own program's older ones only, never those of a program whose name starts with its own", () => {
  const t = tinyTree();
  const n = Buffer.byteLength(t.source);
  const dir = path.dirname(t.cacheFile);
  fs.mkdirSync(dir, { recursive: true });
  const older = 'tiny-fedcba9876543210-v18.19.0-x64.v8';
  const other = 'tiny-init-0123456789abcdef-v20.20.2-x64.v8';
  for (const f of [older, other]) fs.writeFileSync(path.join(dir, f), 'x');
  runTiny(t.dir, t.cache, n, '--root', t.root);
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(t.cacheFile), other].sort());
  assert.equal(isCacheOf('nimbus', 'nimbus-init-0123456789abcdef-v20.20.2-x64.v8'), false);
  assert.equal(isCacheOf('nimbus', 'nimbus-0123456789abcdef-v20.20.2-x64.v8'), true);
  assert.equal(isCacheOf('nimbus-init', 'nimbus-init-0123456789abcdef-v18.19.0-arm64.v8'), true);
});

test("the cache directory: the running system's, none for a tree, or the one NIMBUS_CODE_CACHE_DIR names", () => {
  assert.equal(cacheDir(['status'], {}), '/var/cache/nimbus');
  assert.equal(cacheDir(['--root', '/', 'status'], {}), '/var/cache/nimbus');
  assert.equal(cacheDir(['--root', '/srv/img'], {}), undefined);
  assert.equal(cacheDir(['--root=/srv/img/'], {}), undefined);
  assert.equal(cacheDir(['--root', '/srv/img'], { NIMBUS_CODE_CACHE_DIR: '/tmp/cc' }), '/tmp/cc');
});

test('argv: --root in both forms, and which runs write', () => {
  assert.equal(rootFromArgv(['--root', '/x', '--debug']), '/x');
  assert.equal(rootFromArgv(['--exec', 'chroot', '--root=/y']), '/y');
  assert.equal(rootFromArgv(['status', '--wait']), '/');
  assert.equal(writesCache(['--root', '/x']), true);
  assert.equal(writesCache(['--version']), false);
  assert.equal(writesCache(['status', '--help']), false);
});

test('a whole boot through the built loaders fills the cache directory, and a boot with the caches gives the same result', (t) => {
  const root = makeRoot();
  const cacheHome = path.join(tempDir('nimbus-cc-boot-'), 'cache');
  const saved = process.env.NIMBUS_CODE_CACHE_DIR;
  process.env.NIMBUS_CODE_CACHE_DIR = cacheHome;
  // The fast lane runs several test files in one process (scripts/run-tests.mjs).
  t.after(() => {
    if (saved === undefined) delete process.env.NIMBUS_CODE_CACHE_DIR;
    else process.env.NIMBUS_CODE_CACHE_DIR = saved;
  });
  for (const r of bootDaemons(root)) assert.equal(r.code, 0, r.stderr);
  const caches = fs
    .readdirSync(cacheHome)
    .filter((f) => f.endsWith('.v8'))
    .sort();
  const program = (f: string) => f.replace(/-[0-9a-f]{16}-.*$/, '');
  // The init stage's schema check loaded zod (nimbus-zod.js), which keeps a cache too.
  assert.deepEqual(caches.map(program), ['nimbus-config', 'nimbus-final', 'nimbus-init', 'nimbus-local', 'nimbus-zod']);
  for (const f of caches) assert.ok(fs.existsSync(path.join(DIST, program(f) === 'nimbus-zod' ? 'nimbus-zod.js' : `${program(f)}.bundle.js`)));
  const status = read(root, 'var/lib/cloud/data/status.json');
  const iid = instanceDir(root);
  // Second boot of the same tree: every stage reads its cache, and nothing is rewritten.
  const before = caches.map((f) => fs.statSync(path.join(cacheHome, f)).mtimeMs);
  for (const r of bootDaemons(root)) assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    caches.map((f) => fs.statSync(path.join(cacheHome, f)).mtimeMs),
    before,
  );
  assert.equal(instanceDir(root), iid);
  assert.match(status, /"errors": \[\]/);
  assert.match(read(root, 'var/lib/cloud/data/status.json'), /"errors": \[\]/);
});
