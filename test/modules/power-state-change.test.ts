import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { powerStateChange, planPowerState, WAITER } from '../../packages/core/src/modules/power-state-change.js';
import { tempDir } from '../helpers/temp-root.js';

test('power_state_change: shutdown argv per mode and delay, behind the waiter; condition', async () => {
  const k = makeKit();
  await k.run(powerStateChange, 'power_state:\n  mode: reboot\n  delay: 5\n  message: "Bye; $(rm -rf /)"\n  timeout: 12\n  condition: [test, -e, /run/x]\n');
  const argvs = k.argvs();
  assert.deepEqual(argvs[0], ['test', '-e', '/run/x']);
  assert.deepEqual(argvs[1]?.slice(0, 4), ['sh', '-c', WAITER, 'nimbus-power-state']);
  assert.equal(argvs[1]?.[4], '12');
  assert.deepEqual(argvs[1]?.slice(6), ['shutdown', '-r', '+5', 'Bye; $(rm -rf /)']);
  assert.deepEqual((planPowerState({ mode: 'poweroff' }) as { argv: string[] }).argv, ['shutdown', '-P', 'now']);
  assert.deepEqual((planPowerState({ mode: 'halt', delay: '+3' }) as { argv: string[] }).argv, ['shutdown', '-H', '+3']);
  assert.deepEqual((planPowerState({ mode: 'halt', condition: 'test -f /x' }) as { condition: string[] }).condition, ['sh', '-c', 'test -f /x']);
  const bad = planPowerState({ mode: 'explode', delay: 'soon; reboot' });
  assert.equal('problems' in bad && bad.problems.length, 2);
  const no = makeKit();
  await no.run(powerStateChange, 'power_state: {mode: poweroff, condition: false}\n');
  assert.deepEqual(no.argvs(), []);
});

test('the waiter runs the command only after the watched process ended, and returns at once', () => {
  const dir = tempDir('nimbus-pw-');
  const flag = path.join(dir, 'done');
  // The watched process lives until the test ends it, so the waiter's return while it
  // still runs shows it did not wait for it.
  const sleeper = spawnSync('sh', ['-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
  const pid = Number(sleeper.stdout.trim());
  const r = spawnSync('sh', ['-c', WAITER, 'w', '10', String(pid), 'touch', flag], { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0);
  assert.doesNotThrow(() => process.kill(pid, 0), 'returned before the watched process ended');
  assert.ok(!fs.existsSync(flag));
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 150 && !fs.existsSync(flag); i++) spawnSync('sleep', ['0.2']);
  assert.ok(fs.existsSync(flag), 'ran after the process ended');
});
