// scripts_user: the instance's own scripts (user-data scripts and runcmd's script),
// run in name order once per instance, with INSTANCE_ID set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { scriptsUser } from '../../packages/core/src/modules/scripts-user.js';

test('scripts_user runs the instance scripts in name order, made executable, with INSTANCE_ID set', async () => {
  const k = makeKit();
  const dir = 'var/lib/cloud/instances/iid-kit-1/scripts';
  k.write(`${dir}/runcmd`, '#!/bin/sh\n', 0o700);
  k.write(`${dir}/part-001`, '#!/bin/sh\n', 0o600);
  await k.run(scriptsUser, '{}');
  assert.deepEqual(k.argvs(), [[`/${dir}/part-001`], [`/${dir}/runcmd`]]);
  assert.equal(k.commands()[0]?.env?.INSTANCE_ID, 'iid-kit-1');
  assert.equal(k.mode(`${dir}/part-001`) & 0o700, 0o700);
});
