// scripts_per_instance: the image's per-instance scripts, run for each new instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { scriptsPerInstance } from '../../packages/core/src/modules/scripts-per-instance.js';

test('scripts_per_instance runs the scripts of scripts/per-instance once per instance, and nothing when there are none', async () => {
  assert.equal(scriptsPerInstance.frequency, 'once-per-instance');
  const empty = makeKit();
  await empty.run(scriptsPerInstance, '{}');
  assert.deepEqual(empty.argvs(), []);
  const k = makeKit();
  k.write('var/lib/cloud/scripts/per-instance/10-register', '#!/bin/sh\n', 0o755);
  await k.run(scriptsPerInstance, '{}');
  assert.deepEqual(k.argvs(), [['/var/lib/cloud/scripts/per-instance/10-register']]);
});
