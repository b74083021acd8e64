// cloud-init-per (also `nimbus per`): a command run once, once per instance or always,
// with cloud-init's semaphore names, as bootcmd examples call it. Commands here are
// harmless (sh -c 'exit N') and every semaphore lives in a temp root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DIST } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

function per(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, '--exec', 'host', 'per', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('cloud-init-per once runs the command the first time only, keeps its exit code and writes bootper.NAME.once', () => {
  const root = tempDir('nimbus-per-');
  const first = per(root, 'once', 'my-job', 'sh', '-c', 'echo ran; exit 3');
  assert.deepEqual([first.code, first.stdout], [3, 'ran\n']);
  const sem = fs.readFileSync(path.join(root, 'var/lib/cloud/sem/bootper.my_job.once'), 'utf8');
  assert.match(sem, /^3\t\d+\n$/);
  const again = per(root, 'once', 'my-job', 'sh', '-c', 'echo ran; exit 3');
  assert.deepEqual([again.code, again.stdout], [0, '']);
});

test('cloud-init-per always runs every time; instance keeps its semaphore in the instance directory', () => {
  const root = tempDir('nimbus-per-');
  for (let i = 0; i < 2; i++) assert.equal(per(root, 'always', 'tick', 'sh', '-c', 'echo tick').stdout, 'tick\n');
  assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/sem/bootper.tick.always')));
  fs.mkdirSync(path.join(root, 'var/lib/cloud/instances/i-1'), { recursive: true });
  fs.symlinkSync('/var/lib/cloud/instances/i-1', path.join(root, 'var/lib/cloud/instance'));
  assert.equal(per(root, 'instance', 'setup', 'sh', '-c', 'echo once-here').stdout, 'once-here\n');
  assert.equal(per(root, 'instance', 'setup', 'sh', '-c', 'echo once-here').stdout, '');
  assert.match(fs.readFileSync(path.join(root, 'var/lib/cloud/instances/i-1/sem/bootper.setup.instance'), 'utf8'), /^0\t/);
});

test('cloud-init-per takes over a semaphore under the old dashed name, and refuses a bad frequency or a name with a slash', () => {
  const root = tempDir('nimbus-per-');
  fs.mkdirSync(path.join(root, 'var/lib/cloud/sem'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/lib/cloud/sem/bootper.old-job.once'), '0\t1\n');
  assert.equal(per(root, 'once', 'old-job', 'sh', '-c', 'echo no').stdout, '');
  assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/sem/bootper.old_job.once')));
  const bad = per(root, 'weekly', 'x', 'true');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid frequency: weekly/);
  const slash = per(root, 'once', 'a/b', 'true');
  assert.equal(slash.code, 1);
  assert.match(slash.stderr, /name cannot contain a \//);
});

test('cloud-init-per is the same command when the bundle is called by that name', () => {
  const dir = tempDir('nimbus-per-link-');
  fs.symlinkSync(path.join(DIST, 'nimbus.js'), path.join(dir, 'cloud-init-per'));
  const r = spawnSync(process.execPath, [path.join(dir, 'cloud-init-per'), 'weekly', 'x', 'true'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Usage: cloud-init-per frequency name cmd/);
});
