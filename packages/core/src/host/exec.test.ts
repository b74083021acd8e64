import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { createHost } from './host.js';
import { RootFs } from './rootfs.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

test('record mode runs nothing and records argv, never stdin', () => {
  const root = tempDir('nimbus-exec-');
  const host = createHost({ root });
  assert.equal(host.exec.mode, 'record');
  const r = host.exec.run(['chpasswd'], { stdin: 'root:SECRET-MARKER\n' });
  assert.deepEqual([r.code, r.recorded], [0, true]);
  const log = fs.readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8');
  assert.deepEqual(JSON.parse(log), { argv: ['chpasswd'], stdin: '19 bytes, not recorded' });
  assert.ok(!log.includes('SECRET-MARKER'));
  assert.equal(fs.statSync(path.join(root, 'var/log/nimbus-commands.log')).mode & 0o777, 0o600);
});

test('host mode runs argv without a shell and reports failures', () => {
  const host = createHost({ root: '/', exec: 'host' });
  const r = host.exec.run(['printf', '%s', 'a b; echo not-run']);
  assert.equal(r.stdout, 'a b; echo not-run');
  assert.equal(host.exec.run(['false']).code, 1);
  assert.match(host.exec.run(['/nonexistent/cmd']).error ?? '', /command not found/);
});

test('a lock held by another live process is not taken', async () => {
  const root = tempDir('nimbus-lock-');
  const lockPath = path.join(root, 'run/l.lock');
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  // A child takes the lock the way RootFs does (O_EXCL file with its pid) and holds it.
  const child = spawn(process.execPath, ['-e', `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(lockPath)},'wx');fs.writeSync(fd,String(process.pid));setTimeout(()=>{},5000)`]);
  for (let i = 0; i < 100 && !fs.existsSync(lockPath); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
  const rf = new RootFs(root);
  assert.equal(rf.tryLock('/run/l.lock'), null);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const release = rf.lock('/run/l.lock', 2000);
  assert.ok(release, "a dead holder's lock is taken over");
  release?.();
});
