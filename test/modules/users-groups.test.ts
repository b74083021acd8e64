import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { usersGroups, useraddArgv } from '../../packages/core/src/modules/users-groups.js';
import { normalizeUsers } from '../../packages/core/src/modules/lib/normalize-users.js';
import { sudoersWithInclude } from '../../packages/core/src/modules/lib/sudoers.js';

const SYS = 'system_info:\n  default_user: {name: debian, gecos: Debian, groups: [adm, sudo], shell: /bin/bash, sudo: ["ALL=(ALL) NOPASSWD:ALL"], lock_passwd: true}\n';
const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUserKey1 a@x';

test("normalizeUsers: default, comma strings, dashed keys, the default user's own entry merged", () => {
  const n = normalizeUsers({
    system_info: { default_user: { name: 'debian', groups: ['adm'] } },
    users: ['default', 'a, b', { name: 'debian', groups: 'docker', 'lock-passwd': false }, { name: 'c', 'no-create-home': true }],
    groups: ['admins', { ops: ['a', 'b'] }],
  });
  assert.deepEqual(
    n.users.map((u) => u.name),
    ['debian', 'a', 'b', 'c'],
  );
  assert.deepEqual(n.defaultUser?.groups, ['adm', 'docker']);
  assert.equal(n.defaultUser?.lock_passwd, false);
  assert.equal(n.users[3]?.no_create_home, true);
  assert.deepEqual(n.groups, [
    { name: 'admins', members: [] },
    { name: 'ops', members: ['a', 'b'] },
  ]);
  assert.equal(normalizeUsers({ users: [] }).defaultUser, null);
});

test("useradd argv: cloud-init's option mapping, no password in it", () => {
  assert.deepEqual(
    useraddArgv({
      name: 'svc',
      isDefault: false,
      gecos: 'Svc',
      homedir: '/srv/svc',
      primary_group: 'svc',
      groups: ['a', 'b'],
      shell: '/bin/sh',
      uid: 1500,
      system: true,
      expiredate: '2030-01-01',
      passwd: '$6$x$y',
      inactive: '5',
      no_user_group: true,
      no_log_init: true,
      selinux_user: 'staff_u',
    }),
    // As cloud-init 22.4's Distro.create_user gives it (checked against the reference).
    [
      'useradd',
      'svc',
      '--expiredate',
      '2030-01-01',
      '--comment',
      'Svc',
      '--groups',
      'a,b',
      '--home',
      '/srv/svc',
      '--inactive',
      '5',
      '--no-log-init',
      '--no-user-group',
      '--gid',
      'svc',
      '--selinux-user',
      'staff_u',
      '--shell',
      '/bin/sh',
      '--system',
      '--uid',
      '1500',
      '-M',
    ],
  );
  assert.deepEqual(useraddArgv({ name: 'u', isDefault: false }), ['useradd', 'u', '-m']);
});

test('users_groups: groups, users, passwords on stdin, lock, sudo file 0440 checked by visudo, keys 0600', async () => {
  const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\nold:x:1000:1000::/home/old:/bin/bash\n' });
  k.write('usr/sbin/visudo', '#!/bin/sh\n', 0o755);
  k.write('etc/sudoers', 'root ALL=(ALL) ALL\n', 0o440);
  await k.run(
    usersGroups,
    SYS +
      `groups: [admins, {ops: [old, ghost]}]\nusers:\n  - default\n  - name: alice\n    groups: [ops]\n    hashed_passwd: "$6$salt$MARKERHASH"\n    lock_passwd: false\n    sudo: ALL=(ALL) ALL\n    ssh_authorized_keys: ["${K1}"]\n  - name: old\n    plain_text_passwd: s3cret-MARKER\n`,
  );
  const cmds = k.commands();
  assert.deepEqual(
    cmds.map((c) => c.argv),
    [
      ['groupadd', 'admins'],
      ['groupadd', 'ops'],
      ['usermod', '-a', '-G', 'ops', 'old'],
      ['useradd', 'debian', '--comment', 'Debian', '--groups', 'adm,sudo', '--shell', '/bin/bash', '-m'],
      ['passwd', '-l', 'debian'],
      ['useradd', 'alice', '--groups', 'ops', '-m'],
      ['chpasswd', '-e'],
      ['chpasswd'],
      ['passwd', '-l', 'old'],
      ['visudo', '-c', '-f', '/etc/sudoers.d/.90-cloud-init-users.nimbus-new'],
    ],
  );
  assert.equal(cmds[6]?.stdin, '25 bytes, not recorded');
  assert.ok(!k.read('var/log/nimbus-commands.log').includes('MARKER'));
  assert.ok(!k.lines.join('').includes('MARKER'));
  assert.match(k.warnings().join('\n'), /cannot add "ghost" to ops: no such user/);
  const sudo = k.read('etc/sudoers.d/90-cloud-init-users');
  assert.match(sudo, /^# Created by nimbus/);
  assert.match(sudo, /\n# User rules for debian\ndebian ALL=\(ALL\) NOPASSWD:ALL\n/);
  assert.match(sudo, /\n# User rules for alice\nalice ALL=\(ALL\) ALL\n/);
  assert.equal(k.mode('etc/sudoers.d/90-cloud-init-users'), 0o440);
  assert.match(k.read('etc/sudoers'), /\n#includedir \/etc\/sudoers\.d\n$/);
  assert.equal(k.read('home/alice/.ssh/authorized_keys'), `${K1}\n`);
  assert.equal(k.mode('home/alice/.ssh/authorized_keys'), 0o600);
  assert.equal(k.mode('home/alice/.ssh'), 0o700);
  assert.deepEqual(k.errors(), []);
});

test('users_groups refuses names and values that would reach useradd unchecked', async () => {
  const k = makeKit();
  await k.run(usersGroups, 'users:\n  - name: "-o"\n  - name: eve\n    shell: "sh;reboot"\n  - name: ok\n    gecos: "a:b"\n  - good\n');
  const e = k.errors().join('\n');
  assert.match(e, /user-data line 2 col 5: users: user name "-o" is not valid/);
  assert.match(e, /users: shell: "sh;reboot" is not an absolute path/);
  assert.match(e, /gecos must be a string without ":"/);
  assert.deepEqual(k.argvs(), [
    ['useradd', 'good', '-m'],
    ['passwd', '-l', 'good'],
  ]);
});

test('users_groups: a visudo rejection keeps the old sudoers file', async () => {
  const k = makeKit();
  k.write('etc/sudoers.d/90-cloud-init-users', '# old\n', 0o440);
  k.write('usr/sbin/visudo', '#!/bin/sh\nexit 1\n', 0o755);
  // host mode would run the fake visudo; record mode cannot fail, so check the pure parts instead.
  assert.equal(sudoersWithInclude('#includedir /etc/sudoers.d\n', '/etc/sudoers.d'), null);
  assert.equal(sudoersWithInclude('@includedir /etc/sudoers.d\n', '/etc/sudoers.d'), null);
  await k.run(usersGroups, 'users:\n  - name: bob\n    sudo: "ALL=(ALL) ALL\\nroot ALL=NOPASSWD: ALL"\n');
  assert.match(k.errors().join('\n'), /a sudo rule must be a single line/);
  assert.equal(k.read('etc/sudoers.d/90-cloud-init-users'), '# old\n');
});

test('users_groups: a user with doas rules is created and told "not supported: doas" with the line, instead of silence', async () => {
  const k = makeKit();
  await k.run(usersGroups, 'users:\n  - name: bob\n    doas: ["permit nopass bob"]\n');
  assert.ok(k.argvs().some((a) => a[0] === 'useradd' && a.includes('bob')));
  assert.ok(
    k.warnings().some((w) => /line 3 .*not supported: doas rules for bob/.test(w)),
    k.warnings().join('\n'),
  );
});
