// test-lane: full (four whole boots with simulated crashes)
// A module killed after it started running commands: one whose commands are safe to run
// again (users_groups, ssh, set_passwords, set_hostname, resolv_conf) runs again on the
// next boot, so the machine never ends without its users, sudo rules or login keys; one
// whose commands must never run twice (a user's script) keeps the old rule: reported,
// not run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, driveWith, makeRoot, read, recorded, setUserData } from '../helpers/boot.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRerunKeyRerunKeyRerunKey alice@example';
const USER_DATA = `#cloud-config\nusers:\n  - default\n  - name: alice\n    sudo: "ALL=(ALL) NOPASSWD:ALL"\n    ssh_authorized_keys: ["${KEY}"]\nruncmd:\n  - [touch, /var/tmp/runcmd-ran]\n`;

/** What a SIGKILL inside a module leaves: its marker, no semaphore, and what it had still to write missing. */
function interrupt(root: string, iid: string, mod: string, missing: string[]): void {
  const sem = path.join(root, `var/lib/cloud/instances/${iid}/sem/config_${mod}`);
  fs.rmSync(sem);
  fs.writeFileSync(`${sem}.started`, '4242: 1700000000\n');
  for (const m of missing) fs.rmSync(path.join(root, m), { force: true });
}

test('users_groups and ssh killed after their first command run again at the next boot: the users, sudo rules and login keys are there, and status reports no interruption', () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, USER_DATA)) });
  for (const r of boot(root)) assert.ok(r.code === 0, r.stderr);
  const iid = read(root, 'var/lib/cloud/data/instance-id').trim();
  const sudoers = 'etc/sudoers.d/90-cloud-init-users';
  const keys = 'home/alice/.ssh/authorized_keys';
  assert.match(read(root, sudoers), /alice ALL=\(ALL\) NOPASSWD:ALL/);
  assert.match(read(root, keys), /RerunKey/);
  const rootKeys = 'root/.ssh/authorized_keys';
  const hadRootKeys = fs.existsSync(path.join(root, rootKeys));
  interrupt(root, iid, 'users_groups', [sudoers, keys]);
  interrupt(root, iid, 'ssh', hadRootKeys ? [rootKeys] : []);
  const before = recorded(root).length;
  for (const r of boot(root)) assert.ok(r.code === 0, `${r.stderr}`);
  assert.match(read(root, sudoers), /alice ALL=\(ALL\) NOPASSWD:ALL/);
  assert.match(read(root, keys), /RerunKey/);
  if (hadRootKeys) assert.ok(fs.existsSync(path.join(root, rootKeys)), 'ssh wrote the instance keys again');
  const again = recorded(root)
    .slice(before)
    .map((a) => a.join(' '));
  assert.ok(
    again.some((a) => a.startsWith('useradd') && a.includes('alice')),
    `users_groups ran again: ${again.join('\n')}`,
  );
  assert.ok(
    again.some((a) => a.startsWith('ssh-keygen')),
    `ssh ran again: ${again.join('\n')}`,
  );
  const status = read(root, 'var/lib/cloud/data/status.json');
  assert.ok(!/was interrupted in an earlier boot after it had started running commands; it is not run again/.test(status), status);
  assert.match(read(root, 'var/log/cloud-init.log'), /users_groups was interrupted in an earlier boot after it had started running commands; it is safe to run again, so it runs again/);
  for (const m of ['users_groups', 'ssh']) {
    assert.ok(fs.existsSync(path.join(root, `var/lib/cloud/instances/${iid}/sem/config_${m}`)), `${m} semaphore`);
    assert.ok(!fs.existsSync(path.join(root, `var/lib/cloud/instances/${iid}/sem/config_${m}.started`)), `${m} marker left`);
  }
});

test('a user script module killed after its first command is still reported and never run again', () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, USER_DATA)) });
  for (const r of boot(root)) assert.ok(r.code === 0, r.stderr);
  const iid = read(root, 'var/lib/cloud/data/instance-id').trim();
  interrupt(root, iid, 'scripts_user', []);
  const before = recorded(root).length;
  const runs = boot(root);
  const again = recorded(root)
    .slice(before)
    .map((a) => a.join(' '));
  assert.ok(!again.some((a) => a.includes('/scripts/runcmd')), `the runcmd script ran again: ${again.join('\n')}`);
  assert.match(runs[3]?.stderr ?? '', /scripts_user was interrupted in an earlier boot after it had started running commands; it is not run again/);
  assert.match(read(root, 'var/lib/cloud/data/status.json'), /scripts_user was interrupted in an earlier boot/);
});
