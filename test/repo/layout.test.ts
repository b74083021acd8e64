// Where tests live (docs/development.md): a subject's tests are beside its code
// (packages/<pkg>/src/<dir>/<file>.test.ts) or under test/<dir>/<file>.test.ts, never both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** "userdata/make-mime" for packages/core/src/userdata/make-mime.test.ts and for test/userdata/make-mime.test.ts. */
function subject(file: string, base: string): string {
  return path.relative(base, file).replace(/\.test\.ts$/, '');
}

test('no subject has tests both beside its code and under test/', () => {
  const beside = new Map<string, string>();
  for (const pkg of fs.readdirSync(path.join(REPO, 'packages'))) {
    const src = path.join(REPO, 'packages', pkg, 'src');
    if (fs.existsSync(src)) for (const f of testFiles(src)) beside.set(subject(f, src), path.relative(REPO, f));
  }
  const both = testFiles(path.join(REPO, 'test'))
    .map((f) => [subject(f, path.join(REPO, 'test')), path.relative(REPO, f)] as const)
    .filter(([s]) => beside.has(s))
    .map(([s, f]) => `${beside.get(s)} and ${f}`);
  assert.deepEqual(both, [], 'merge each pair into one file (beside the code if it needs only its package, else under test/)');
});

test('test files are only beside the code or under test/', () => {
  const elsewhere = ['scripts', 'bench', 'examples', 'docs'].flatMap((d) => (fs.existsSync(path.join(REPO, d)) ? testFiles(path.join(REPO, d)) : []));
  assert.deepEqual(
    elsewhere.map((f) => path.relative(REPO, f)),
    [],
  );
});
