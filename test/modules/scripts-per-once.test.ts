// scripts_per_once: the image's run-once scripts, for the life of the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { scriptsPerOnce } from '../../packages/core/src/modules/scripts-per-once.js';

test('scripts_per_once runs the scripts of scripts/per-once, once for the machine, making them executable first', async () => {
  assert.equal(scriptsPerOnce.frequency, 'once');
  const k = makeKit();
  k.write('var/lib/cloud/scripts/per-once/resize', '#!/bin/sh\n', 0o644);
  await k.run(scriptsPerOnce, '{}');
  assert.deepEqual(k.argvs(), [['/var/lib/cloud/scripts/per-once/resize']]);
  assert.equal(k.mode('var/lib/cloud/scripts/per-once/resize') & 0o700, 0o700);
});
