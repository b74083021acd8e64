// final_message: the templated line that says the boot is done, and boot-finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { finalMessage } from '../../packages/core/src/modules/final-message.js';

test('final_message: templated, boot-finished written; a bad template is a warning', async () => {
  const k = makeKit();
  await k.run(finalMessage, 'final_message: "done via $datasource after ${UPTIME}s"\n');
  assert.match(k.lines.join(''), /done via DataSourceConfigDrive \[net,ver=2\]\[source=\/config-drive\] after \d+\.\d\ds/);
  assert.ok(k.exists('var/lib/cloud/instances/iid-kit-1/boot-finished'));
  const b = makeKit();
  await b.run(finalMessage, 'final_message: "hi $nobody"\n');
  assert.match(b.warnings()[0] ?? '', /user-data line 1 col 1: final_message could not be rendered: the template uses \$nobody/);
});
