// The datasources table in docs/datasources.md is rendered from the records alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDatasourcesTable } from '../../packages/core/src/generate/datasources-doc.js';
import type { Datasource } from '../../packages/core/src/datasources/types.js';

const example: Datasource = {
  name: 'Example',
  aliases: ['DataSourceExample'],
  needs: 'net',
  order: 2,
  detectedBy: 'DMI sys_vendor `Example | Cloud`',
  detect: () => ({ verdict: 'not-found', reason: 'no' }),
  network: { formats: ['v2'], from: '`<url>/network`' },
  options: [
    { key: 'timeout', meaning: 'seconds per request', default: '5' },
    { key: 'token', meaning: 'an API token' },
  ],
  find: async () => null,
};

test('a record becomes a row with its aliases, needs, place, detection and network config, and a row per option', () => {
  const md = renderDatasourcesTable([example], [['Other', 1]]);
  const lines = md.split('\n');
  assert.ok(lines.includes('| Example | `DataSourceExample` | net | 2 of 2 | DMI sys_vendor `Example \\| Cloud` | v2: `<url>/network` |'), md);
  assert.ok(lines.includes('| Example | `timeout` | seconds per request | `5` |'), md);
  assert.ok(lines.includes('| Example | `token` | an API token | — |'), md);
  assert.match(md, /Not implemented yet.*: Other \(1\)\.$/m);
});
