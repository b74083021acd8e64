// bootcmd: the user's early commands, run on every boot as one script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootcmd } from '../../packages/core/src/modules/bootcmd.js';

test('bootcmd: one script (list items argv, words quoted; strings shell lines), run by its path with INSTANCE_ID set', async () => {
  const k = makeKit();
  const ctx = await k.run(bootcmd, "bootcmd:\n  - [cloud-init-per, once, x, echo, 'a b']\n  - echo $INSTANCE_ID > /tmp/x\n  - {bad: 1}\n");
  const script = ctx.paths.instance('bootcmd');
  assert.equal(k.read(script), "#!/bin/sh\n'cloud-init-per' 'once' 'x' 'echo' 'a b'\necho $INSTANCE_ID > /tmp/x\n");
  assert.equal(k.mode(script), 0o700);
  // Only the script's path is run: the user's commands never reach an argv or the record.
  assert.deepEqual(k.argvs(), [['/bin/sh', script]]);
  assert.equal(k.commands()[0]?.env?.INSTANCE_ID, 'iid-kit-1');
  assert.match(k.errors()[0] ?? '', /^bootcmd: user-data line 4 col 5: bootcmd\[2\]: expected a string or a list of words/);
});
