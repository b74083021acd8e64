import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadYaml, YamlError } from './load.js';

test('YAML 1.1 as PyYAML reads it', () => {
  const { value } = loadYaml('a: yes\nb: y\nc: 0644\nd: !!binary aGVsbG8=\ne: 1\ne: 2\nf: Off\ng: n\nh: ~\n', 'f');
  const v = value as Record<string, unknown>;
  assert.equal(v.a, true);
  assert.equal(v.b, 'y');
  assert.equal(v.c, 420);
  assert.deepEqual(Buffer.from(v.d as Uint8Array).toString(), 'hello');
  assert.equal(v.e, 2);
  assert.equal(v.f, false);
  assert.equal(v.g, 'n');
  assert.equal(v.h, null);
  assert.equal(loadYaml('', 'f').value, null);
  assert.equal(loadYaml('# only a comment\n', 'f').value, null);
});

test('positions of keys and list items', () => {
  const src = '#cloud-config\nwrite_files:\n  - path: /a\n    encoding: rot13\n  - path: /b\nruncmd: [ls]\n';
  const { positions } = loadYaml(src, 'user-data');
  assert.deepEqual(positions.get('write_files'), { line: 2, col: 1 });
  assert.deepEqual(positions.get('write_files.0'), { line: 3, col: 5 });
  assert.deepEqual(positions.get('write_files.0.encoding'), { line: 4, col: 5 });
  assert.deepEqual(positions.get('write_files.1.path'), { line: 5, col: 5 });
  assert.deepEqual(positions.get('runcmd.0'), { line: 6, col: 10 });
});

test('a syntax error names the file, line and column', () => {
  assert.throws(
    () => loadYaml('a: 1\nb: [1, 2\nc: 3\n', 'user-data'),
    (e: unknown) => e instanceof YamlError && e.file === 'user-data' && e.pos !== null && e.pos.line >= 2 && /user-data:\d+:\d+: /.test(e.message),
  );
});

test('an empty second document is refused with its line', () => {
  assert.throws(
    () => loadYaml('a: 1\n---\n', 'f.yaml'),
    (e: unknown) => e instanceof YamlError && e.pos !== null && e.pos.line === 2 && /^f\.yaml:2:1: expected a single document/.test(e.message),
  );
});
