import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSystemConfig } from './load.js';
import { jsonExact, PARSED_CONFIG_CACHE } from './parsed-cache.js';
import { createHost } from '../host/host.js';
import { distroFromOsRelease } from '../distro/detect.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

const debian = distroFromOsRelease({ ID: 'debian' });

function tree(cfg: string): { root: string; load: () => ReturnType<typeof loadSystemConfig> } {
  const root = tempDir('nimbus-pcache-');
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.mkdirSync(path.join(root, 'var/cache'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg'), cfg);
  return { root, load: () => loadSystemConfig(createHost({ root }), debian, ['None']) };
}

const cacheFile = (root: string) => path.join(root, PARSED_CONFIG_CACHE);

test('a later stage takes the parse of an unchanged file from /var/cache/nimbus, with its positions', () => {
  const t = tree('datasource_list: [NoCloud]\nruncmd:\n  - echo hi\n');
  const first = t.load();
  assert.deepEqual(first.cfg, { datasource_list: ['NoCloud'], runcmd: ['echo hi'] });
  assert.equal(fs.statSync(cacheFile(t.root)).mode & 0o777, 0o600);
  // Mark the kept value: the next load must return the mark, so it did not parse again.
  const kept = JSON.parse(fs.readFileSync(cacheFile(t.root), 'utf8')) as Record<string, { value: Record<string, unknown> }>;
  (kept['/etc/cloud/cloud.cfg'] as { value: Record<string, unknown> }).value['marked'] = true;
  fs.writeFileSync(cacheFile(t.root), JSON.stringify(kept));
  const second = t.load();
  assert.equal(second.cfg['marked'], true);
  assert.equal(second.source.where(['runcmd', 0]), '/etc/cloud/cloud.cfg line 3 col 5: ');
});

test('a file whose text changed is parsed again; a damaged cache is ignored', () => {
  const t = tree('a: 1\n');
  t.load();
  fs.writeFileSync(path.join(t.root, 'etc/cloud/cloud.cfg'), 'a: 2\n');
  assert.deepEqual(t.load().cfg, { a: 2 });
  fs.writeFileSync(cacheFile(t.root), '{"broken');
  const r = t.load();
  assert.deepEqual([r.cfg, r.errors], [{ a: 2 }, []]);
});

test('values JSON would change are never kept', () => {
  for (const v of [{ a: 1, b: ['x', { c: null, d: true }] }, [], 'x', 0, -1.5]) assert.equal(jsonExact(v), true, JSON.stringify(v));
  for (const v of [new Uint8Array([1]), Number.POSITIVE_INFINITY, Number.NaN, -0, new Date(0), { a: undefined }, [1, () => 1]]) assert.equal(jsonExact(v), false, String(v));
  const t = tree('blob: !!binary aGVsbG8=\nn: .nan\n');
  t.load();
  assert.equal(fs.existsSync(cacheFile(t.root)), false);
  const r = t.load();
  assert.ok(r.cfg['blob'] instanceof Uint8Array);
  assert.ok(Number.isNaN(r.cfg['n']));
});

test('a cache others can write is not read, and a tree without /var/cache gets none', () => {
  const t = tree('a: 1\n');
  t.load();
  const kept = JSON.parse(fs.readFileSync(cacheFile(t.root), 'utf8')) as Record<string, { value: Record<string, unknown> }>;
  (kept['/etc/cloud/cloud.cfg'] as { value: Record<string, unknown> }).value['a'] = 'injected';
  fs.writeFileSync(cacheFile(t.root), JSON.stringify(kept), { mode: 0o666 });
  fs.chmodSync(cacheFile(t.root), 0o666);
  assert.deepEqual(t.load().cfg, { a: 1 });
  assert.equal(fs.statSync(cacheFile(t.root)).mode & 0o777, 0o600, 'replaced by a cache of its own');
  fs.writeFileSync(cacheFile(t.root), JSON.stringify(kept));
  fs.chmodSync(path.dirname(cacheFile(t.root)), 0o777);
  assert.deepEqual(t.load().cfg, { a: 1 });
  fs.chmodSync(path.dirname(cacheFile(t.root)), 0o755);
  assert.deepEqual(t.load().cfg, { a: 'injected' }, 'the same file in a fit directory is used');
  const bare = tempDir('nimbus-pcache-bare-');
  fs.mkdirSync(path.join(bare, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(bare, 'etc/cloud/cloud.cfg'), 'a: 1\n');
  loadSystemConfig(createHost({ root: bare }), debian, ['None']);
  assert.equal(fs.existsSync(path.join(bare, 'var')), false);
});
