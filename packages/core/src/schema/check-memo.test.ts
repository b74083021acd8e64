import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost } from '../host/host.js';
import { loadYaml } from '../yaml/load.js';
import type { Dict } from '../config/merge.js';
import { checkMergedConfig, checkQuestion } from './check-memo.js';
import { validateMergedConfig } from './merged.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

function part(text: string) {
  const { value, positions } = loadYaml(text, 'user-data');
  return { label: 'user-data', value: value as Dict, positions };
}

test('the same question gets the kept answer; another config or position asks again', () => {
  const root = tempDir('nimbus-memo-');
  const host = createHost({ root });
  const memo = '/var/lib/cloud/instances/i-1/schema-check.json';
  const p = part('runcmd: [ls]\nrun_cmd: [ls]\n');
  const first = checkMergedConfig(host, memo, p.value, [p]);
  assert.deepEqual(first, validateMergedConfig(p.value, [p]));
  assert.ok(
    first.some((x) => x.path[0] === 'run_cmd'),
    'the misspelt key is found',
  );
  assert.equal(fs.statSync(path.join(root, memo)).mode & 0o777, 0o600);
  // Mark the kept answer: the same question must come back with the mark.
  const kept = JSON.parse(fs.readFileSync(path.join(root, memo), 'utf8')) as { question: string; problems: { message: string }[] };
  (kept.problems[0] as { message: string }).message = 'marked';
  fs.writeFileSync(path.join(root, memo), JSON.stringify(kept));
  assert.equal(checkMergedConfig(host, memo, p.value, [p])[0]?.message, 'marked');
  // The same keys one line lower: positions differ, so the check runs again.
  const moved = part('\nruncmd: [ls]\nrun_cmd: [ls]\n');
  const again = checkMergedConfig(host, memo, moved.value, [moved]);
  assert.notEqual(again[0]?.message, 'marked');
  assert.equal(again.find((x) => x.path[0] === 'run_cmd')?.pos?.line, 3);
  // A damaged memo is only asked again.
  fs.writeFileSync(path.join(root, memo), '{');
  assert.deepEqual(checkMergedConfig(host, memo, p.value, [p]), first);
});

test('bytes count in the question', () => {
  const a = { write_files: [{ path: '/x', content: new Uint8Array([1, 2]) }] };
  const b = { write_files: [{ path: '/x', content: new Uint8Array([1, 3]) }] };
  assert.notEqual(checkQuestion(a, []), checkQuestion(b, []));
});
