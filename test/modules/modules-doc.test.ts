// docs/modules.md's tables and examples come from the module records: what a reader
// sees there is what the records say (test/generate/drift.test.ts checks the file
// itself is up to date).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Module } from '../../packages/core/src/modules/types.js';
import { renderModuleExamples, renderModulesDoc, renderModulesTable, renderNotImplementedTable } from '../../packages/core/src/generate/modules-doc.js';

const mod = (over: Partial<Module> & Pick<Module, 'name'>): Module => ({ frequency: 'once-per-instance', keys: [], schema: (z) => z.object({}), examples: [], run: () => undefined, ...over });
const stock = {
  debian: new Map([
    ['alpha', 'init'],
    ['beta', 'config'],
    ['old', 'final'],
  ]),
  rhel: new Map([
    ['alpha', 'init'],
    ['beta', 'final'],
  ]),
};

test('the modules table shows each module once, by name, with its stock list, frequency and activating keys', () => {
  const table = renderModulesTable(
    [mod({ name: 'beta', keys: ['b', 'b2'] }), mod({ name: 'alpha', frequency: 'always', keys: ['a'], alwaysRun: true }), mod({ name: 'gamma', alwaysRun: true })],
    stock,
  );
  assert.equal(
    table,
    '| module | module list (Debian / RHEL) | frequency | activating keys |\n|---|---|---|---|\n' +
      '| alpha | init | always | none: always runs (reads `a`) |\n' +
      '| beta | config / final | once-per-instance | `b`, `b2` |\n' +
      '| gamma | not in the stock lists | once-per-instance | none: always runs |\n',
  );
});

test('the not-implemented table lists each missing module with the keys that make it "not supported"', () => {
  assert.equal(
    renderNotImplementedTable({ zeta: ['z'], old: [] }, stock),
    '| module | module list (Debian / RHEL) | keys that make it "not supported" |\n|---|---|---|\n| old | final / — | none: skipped quietly |\n| zeta | not in the stock lists | `z` |\n',
  );
});

test("each module's examples appear as YAML blocks under its name", () => {
  assert.equal(
    renderModuleExamples([mod({ name: 'alpha', examples: ['#cloud-config\na: 1\n', '#cloud-config\na: 2'] })]),
    '**alpha**\n\n```yaml\n#cloud-config\na: 1\n```\n\n```yaml\n#cloud-config\na: 2\n```\n',
  );
});

test('the page keeps its hand-written text and names the region it is missing', () => {
  const region = (n: string) => `<!-- generated:${n} (npm run generate; do not edit by hand) -->\nold\n<!-- /generated:${n} -->\n`;
  const page = `# Modules\nprose\n${region('modules-table')}more prose\n${region('modules-not-implemented')}${region('modules-examples')}end\n`;
  const out = renderModulesDoc(page, [mod({ name: 'alpha', keys: ['a'] })], {}, stock);
  assert.ok(out.startsWith('# Modules\nprose\n<!-- generated:modules-table'));
  assert.ok(out.includes('| alpha | init | once-per-instance | `a` |'));
  assert.ok(out.includes('more prose\n') && out.endsWith('end\n'));
  assert.throws(() => renderModulesDoc('# Modules\n', [], {}, stock), /docs\/modules\.md: .*modules-table/);
});
