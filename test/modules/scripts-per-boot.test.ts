// scripts_per_boot: the image's per-boot scripts, run on every boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { scriptsPerBoot } from '../../packages/core/src/modules/scripts-per-boot.js';

test('scripts_per_boot runs the files of scripts/per-boot on every boot, in name order, skipping directories', async () => {
  assert.equal(scriptsPerBoot.frequency, 'always');
  const k = makeKit();
  k.write('var/lib/cloud/scripts/per-boot/20-second', '#!/bin/sh\n', 0o755);
  k.write('var/lib/cloud/scripts/per-boot/10-first', '#!/bin/sh\n', 0o755);
  k.write('var/lib/cloud/scripts/per-boot/notes.d/readme', 'not a script\n');
  await k.run(scriptsPerBoot, '{}');
  assert.deepEqual(k.argvs(), [['/var/lib/cloud/scripts/per-boot/10-first'], ['/var/lib/cloud/scripts/per-boot/20-second']]);
});
