// --exec host on an image tree (--root other than "/"): account commands carry
// --root so they change the tree's files, and commands that act on the running
// system (hostname, mount -a, systemctl, shutdown) are not run on this machine.
// Commands are captured by a stand-in Exec here, so nothing runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import type { Exec, ExecOptions, ExecResult } from '../../packages/core/src/host/exec.js';
import type { Host } from '../../packages/core/src/host/host.js';
import { usersGroups } from '../../packages/core/src/modules/users-groups.js';
import { setPasswords } from '../../packages/core/src/modules/set-passwords.js';
import { setHostnameModule } from '../../packages/core/src/modules/set-hostname.js';
import { powerStateChange } from '../../packages/core/src/modules/power-state-change.js';
import { mounts } from '../../packages/core/src/modules/mounts.js';

function hostModeKit() {
  const k = makeKit();
  const ran: string[][] = [];
  const exec = {
    mode: 'host',
    pathFor: (p: string) => `${k.root}${p}`,
    has: () => false,
    run(argv: readonly string[], _opts?: ExecOptions): ExecResult {
      ran.push([...argv]);
      return { code: 0, stdout: '', stderr: '', recorded: false };
    },
  } as unknown as Exec;
  const host: Host = { ...k.host, exec };
  (k as { host: Host }).host = host;
  return { k, ran };
}

test('host mode on an image tree: --root on account commands; nothing acts on this machine', async () => {
  const { k, ran } = hostModeKit();
  k.write('dev/vdb', '');
  k.write('sys/block/vdb/size', '1');
  await k.run(usersGroups, 'users: [{name: ops, plain_text_passwd: pw}]\n');
  await k.run(setPasswords, 'chpasswd: {users: [{name: ops, type: text, password: pw}]}\nssh_pwauth: true\n');
  await k.run(setHostnameModule, 'hostname: img\n');
  await k.run(mounts, 'mounts: [[vdb, /data]]\n');
  await k.run(powerStateChange, 'power_state: {mode: poweroff}\n');
  assert.deepEqual(ran, [
    ['useradd', '--root', k.root, 'ops', '-m'],
    ['chpasswd', '--root', k.root],
    ['passwd', '--root', k.root, '-l', 'ops'],
    ['chpasswd', '--root', k.root],
    ['passwd', '--root', k.root, '--expire', 'ops'],
  ]);
  assert.equal(k.read('etc/hostname'), 'img\n');
  assert.match(k.read('etc/fstab'), /^\/dev\/vdb\t\/data\t/);
  assert.match(k.warnings().join('\n'), /is not the running system; this machine is not shut down/);
});
