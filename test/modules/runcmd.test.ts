// runcmd: the user's commands become instances/<iid>/scripts/runcmd, which scripts_user
// runs in the final stage; runcmd itself runs nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { runcmd } from '../../packages/core/src/modules/runcmd.js';

test('runcmd writes its commands as a script for scripts_user and runs nothing itself', async () => {
  const k = makeKit();
  const ctx = await k.run(runcmd, "runcmd:\n  - [systemctl, enable, --now, 'my app.service']\n  - echo done > /run/done\n  - 42\n");
  const script = ctx.paths.instance('scripts/runcmd');
  assert.equal(k.read(script), "#!/bin/sh\n'systemctl' 'enable' '--now' 'my app.service'\necho done > /run/done\n");
  assert.equal(k.mode(script), 0o700);
  assert.deepEqual(k.argvs(), []);
  assert.match(k.errors()[0] ?? '', /user-data line 4 col \d+: runcmd\[2\]: expected a string or a list of words, got number; left out of the script/);
});

test('runcmd given something other than a list fails, naming the line', async () => {
  const k = makeKit();
  await assert.rejects(k.run(runcmd, 'runcmd: reboot\n'), /user-data line 1 col \d+: runcmd must be a list of commands/);
});
