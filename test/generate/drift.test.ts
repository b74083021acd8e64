// Generated files are only ever changed by `npm run generate`: an edit by hand, or a
// registry change without a regenerate, shows up here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILES } from '../../packages/core/src/generate/registry.js';
import { replaceRegion, RegionError } from '../../packages/core/src/generate/region.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('every generated file in the repository is what npm run generate writes', () => {
  assert.ok(GENERATED_FILES.length > 0);
  for (const g of GENERATED_FILES) {
    const file = path.join(REPO, g.path);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    assert.equal(current, g.render(current), `${g.path} differs from its generator: run npm run generate (edit the generator, not the file)`);
    if (g.mode !== undefined) assert.equal(fs.statSync(file).mode & 0o777, g.mode, `${g.path} has the wrong mode`);
  }
});

test('no two generators write the same file', () => {
  const paths = GENERATED_FILES.map((g) => g.path);
  assert.deepEqual([...new Set(paths)], paths);
});

test('a hand edit inside a generated region is undone by the next generate, and the text around it kept', () => {
  const doc = 'intro\n<!-- generated:t (npm run generate; do not edit by hand) -->\nold, edited by hand\n<!-- /generated:t -->\noutro\n';
  const out = replaceRegion(doc, 't', '| a |\n', 'doc.md');
  assert.equal(out, 'intro\n<!-- generated:t (npm run generate; do not edit by hand) -->\n| a |\n<!-- /generated:t -->\noutro\n');
  assert.equal(replaceRegion(out, 't', '| a |\n', 'doc.md'), out);
});

test('a doc that lost its region markers is an error naming the file and the region', () => {
  assert.throws(
    () => replaceRegion('no markers here\n', 'modules-table', 'x', 'docs/modules.md'),
    (e: unknown) => e instanceof RegionError && /docs\/modules\.md: .*modules-table/.test(e.message),
  );
});
