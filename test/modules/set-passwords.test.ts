import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { setPasswords, planPasswords } from '../../packages/core/src/modules/set-passwords.js';
import { randomPassword, isHashedPassword } from '../../packages/core/src/modules/lib/accounts.js';
import { sshdConfigWith, includesDropins } from '../../packages/core/src/modules/lib/sshd-config.js';

const HASH = '$6$rounds=4096$saltsalt$MARKERhashhashhash';

test('planPasswords: users (text, hash, RANDOM), list (string and list), password for the default user', () => {
  let n = 0;
  const gen = () => `rnd${n++}`;
  const p = planPasswords(
    {
      chpasswd: { users: [{ name: 'a', type: 'text', password: 'pw1' }, { name: 'b', password: HASH }, { name: 'c', type: 'RANDOM' }, { name: 'd' }], list: ['e:pw2', `f:${HASH}`, 'g:RANDOM', 'bad'] },
    },
    gen,
  );
  assert.deepEqual(p.text, [
    ['a', 'pw1'],
    ['c', 'rnd0'],
    ['d', 'rnd1'],
    ['e', 'pw2'],
    ['g', 'rnd2'],
  ]);
  assert.deepEqual(p.hashed, [
    ['b', HASH],
    ['f', HASH],
  ]);
  assert.deepEqual(p.random, ['c', 'd', 'g']);
  assert.match(p.problems[0]?.message ?? '', /line 4 is not "user:password"/);
  assert.equal(p.deprecations.length, 1);
  const s = planPasswords({ chpasswd: { list: 'x:1\ny:2\n' } }, gen);
  assert.deepEqual(s.text, [
    ['x', '1'],
    ['y', '2'],
  ]);
  assert.equal(s.deprecations.length, 2);
  const d = planPasswords({ password: 'pw', users: ['default'], system_info: { default_user: { name: 'debian' } } }, gen);
  assert.deepEqual(d.text, [['debian', 'pw']]);
  const bad = planPasswords(
    {
      chpasswd: {
        users: [
          { name: 'x;y', password: 'p' },
          { name: 'z', type: 'text', password: 'a\nroot:b' },
        ],
      },
    },
    gen,
  );
  assert.equal(bad.problems.length, 2);
  assert.ok(!JSON.stringify(bad.problems).includes('root:b'), 'no password in a message');
});

test("random passwords use cloud-init's alphabet; hashes recognised", () => {
  const pw = randomPassword((n) => Math.floor(Math.random() * n));
  assert.match(pw, /^[a-km-zA-HJKMNP-Z2-9]{20}$/);
  assert.ok(isHashedPassword(HASH) && isHashedPassword('$1$ab$cd') && !isHashedPassword('plain$6$x'));
});

test('set_passwords: chpasswd on stdin, passwd --expire, nothing secret in the log or the record', async () => {
  const k = makeKit();
  k.write('etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n');
  await k.run(setPasswords, `chpasswd:\n  users:\n    - {name: root, type: text, password: plainMARKER}\n    - {name: svc, password: "${HASH}"}\n    - {name: rnd, type: RANDOM}\nssh_pwauth: true\n`);
  const cmds = k.commands();
  assert.deepEqual(
    cmds.map((c) => c.argv),
    [['chpasswd'], ['chpasswd', '-e'], ['passwd', '--expire', 'root'], ['passwd', '--expire', 'rnd'], ['passwd', '--expire', 'svc'], ['systemctl', 'status', 'ssh'], ['systemctl', 'restart', 'ssh']],
  );
  assert.match(cmds[0]?.stdin ?? '', /^\d+ bytes, not recorded$/);
  const all = k.read('var/log/nimbus-commands.log') + k.lines.join('');
  assert.ok(!all.includes('MARKER'));
  // No console in this tree: the random password is shown nowhere, and that is said.
  assert.match(k.warnings().join(''), /no console to show them on/);
  assert.ok(!k.exists('dev/console'));
  // sshd_config includes sshd_config.d: the setting goes where sshd reads it first.
  assert.equal(k.read('etc/ssh/sshd_config.d/50-cloud-init.conf'), 'PasswordAuthentication yes\n');
  assert.equal(k.mode('etc/ssh/sshd_config.d/50-cloud-init.conf'), 0o600);
});

test('set_passwords: expire false; ssh_pwauth in sshd_config without drop-ins; unchanged', async () => {
  const k = makeKit();
  k.write('etc/ssh/sshd_config', '#PasswordAuthentication yes\nPasswordAuthentication yes\nMatch User x\n  PasswordAuthentication yes\n');
  await k.run(setPasswords, 'chpasswd: {expire: false, users: [{name: a, type: text, password: p}]}\nssh_pwauth: false\n');
  assert.deepEqual(k.argvs()[0], ['chpasswd']);
  assert.ok(!k.argvs().some((a) => a[0] === 'passwd'));
  assert.equal(k.read('etc/ssh/sshd_config'), '#PasswordAuthentication yes\nPasswordAuthentication no\nMatch User x\n  PasswordAuthentication yes\n');
  const u = makeKit();
  u.write('etc/ssh/sshd_config', 'X 1\n');
  await u.run(setPasswords, 'ssh_pwauth: unchanged\n');
  assert.equal(u.read('etc/ssh/sshd_config'), 'X 1\n');
  assert.equal(sshdConfigWith('Match all\n', 'PasswordAuthentication', 'no'), 'PasswordAuthentication no\nMatch all\n');
  assert.ok(includesDropins('Include /etc/ssh/sshd_config.d/*.conf\n', '/etc/ssh/sshd_config.d'));
});

test('set_passwords: a chpasswd.list line whose user part is not a valid name is refused by its line number, and no part of it is shown', async () => {
  for (const list of [
    '  list: |\n    alice:okPASSMARKER1\n    pass word MARKER2!:root\n    MARKER3 spaced line:x\n',
    '  list:\n    - "alice:okPASSMARKER1"\n    - "pass word MARKER2!:root"\n    - "MARKER3 spaced line:x"\n',
  ]) {
    const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n' });
    await k.run(setPasswords, `chpasswd:\n${list}  expire: false\n`);
    const errors = k.errors();
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0] ?? '', /line 2: the part before ":" is not a valid user name; no password set/);
    assert.match(errors[1] ?? '', /line 3: the part before ":" is not a valid user name/);
    // Nothing of any line, in the log (the journal and cloud-init.log), the errors (status.json) or the record.
    const all = k.lines.join('') + errors.join('') + k.warnings().join('') + k.read('var/log/nimbus-commands.log');
    assert.ok(!all.includes('MARKER'), all);
    // The valid line still gets its password, on chpasswd's standard input.
    assert.deepEqual(k.argvs(), [['chpasswd']]);
  }
});
