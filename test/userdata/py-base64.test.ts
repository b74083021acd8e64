// Base64 as Python decodes it (cloud-init's b64decode and PyYAML's !!binary): the
// answers below are CPython 3.13's for the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyB64Decode } from '../../packages/core/src/userdata/py-base64.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { makeKit } from '../modules/kit.js';
import { writeFiles } from '../../packages/core/src/modules/write-files.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const PYTHON: [string, string | null][] = [
  ['aGVs*bG8K', 'hello\n'],
  ['aGVsbG8K!', 'hello\n'],
  ['aGVsbG8', null],
  ['aGVsbG8=', 'hello'],
  ['aGVsbG8=junk', 'hello'],
  ['a', null],
  ['aG=Vs', 'hel'],
  ['aGVsbG8K\n  ', 'hello\n'],
  ['a-b_', null],
  ['QQ==QQ==', 'A'],
  ['Q=Q=', null],
  ['', ''],
];

test('base64 content decodes exactly as Python accepts it: stray characters skipped, padding ends it, a short group is an error', () => {
  for (const [input, want] of PYTHON) {
    if (want === null) assert.throws(() => pyB64Decode(input), /invalid base64/, input);
    else assert.equal(Buffer.from(pyB64Decode(input)).toString('latin1'), want, input);
  }
});

test('a !!binary value with a stray character, as PyYAML accepts it, keeps the whole cloud-config: every file is written', async () => {
  const ud = 'write_files:\n  - path: /etc/a\n    content: !!binary |\n      aGVsbG8K!\n  - path: /etc/b\n    encoding: b64\n    content: aGVs*bG8K\n  - path: /etc/c\n    content: plain\n';
  assert.deepEqual(Buffer.from((loadYaml(ud, 'ud').value as { write_files: { content: Uint8Array }[] }).write_files[0]!.content).toString(), 'hello\n');
  const k = makeKit();
  await k.run(writeFiles, ud);
  assert.equal(k.read('etc/a'), 'hello\n');
  assert.equal(k.read('etc/b'), 'hello\n');
  assert.equal(k.read('etc/c'), 'plain');
  assert.deepEqual(k.errors(), []);
  assert.deepEqual(
    checkCloudConfigText(`#cloud-config\n${ud}`, 'ud').problems.filter((p) => p.severity === 'error'),
    [],
  );
});
