// A whole boot with passwords and user-data carrying a marker: the marker must end up
// in no file that others can read, in no log and in no command record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, driveWith, makeRoot, setUserData, recorded } from '../helpers/boot.js';

const MARKER = 'Zq7MARKERpw9x';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
  return out;
}

test('passwords and user-data with a marker: in no world-readable file, no log, no command record', () => {
  const drive = driveWith((d) =>
    setUserData(
      d,
      `#cloud-config\n# ${MARKER} in a comment\nusers:\n  - default\n  - name: alice\n    plain_text_passwd: alice-${MARKER}\n    lock_passwd: false\n  - name: bob\n    hashed_passwd: "$6$salt$${MARKER}"\nchpasswd:\n  expire: false\n  users:\n    - {name: root, type: text, password: root-${MARKER}}\n  list: |\n    carol:carol-${MARKER}\npassword: default-${MARKER}\nwrite_files:\n  - path: /etc/app.conf\n    content: "secret=${MARKER}\\n"\n    permissions: '0600'\n`,
    ),
  );
  const root = makeRoot({ drive });
  // The seed is the input: made private here, so any readable copy is one nimbus made.
  for (const f of walk(path.join(root, 'var/lib/cloud/seed'))) fs.chmodSync(f, 0o600);
  const runs = boot(root);
  runs.forEach((r) => assert.ok(!r.stderr.includes(MARKER) && !r.stdout.includes(MARKER), 'nothing on stderr/stdout (the journal)'));
  assert.ok(
    recorded(root).some((a) => a[0] === 'chpasswd'),
    'passwords were set',
  );
  const leaks: string[] = [];
  for (const f of walk(root)) {
    const st = fs.statSync(f);
    const rel = path.relative(root, f);
    const content = fs.readFileSync(f, 'latin1');
    if (!content.includes(MARKER)) continue;
    if (rel.startsWith('var/log/')) leaks.push(`${rel} (a log)`);
    else if ((st.mode & 0o044) !== 0) leaks.push(`${rel} (mode 0${(st.mode & 0o777).toString(8)})`);
  }
  assert.deepEqual(leaks, []);
});

test('second boot: per-instance modules (users, ssh, passwords, mounts) do not run again; per-boot ones do', () => {
  const drive = driveWith((d) =>
    setUserData(d, '#cloud-config\nbootcmd: [[echo, boot]]\nmanage_etc_hosts: true\nusers: [default, {name: ops}]\nchpasswd: {users: [{name: ops, type: text, password: pw}]}\n'),
  );
  const root = makeRoot({ drive });
  boot(root);
  const first = recorded(root).map((a) => a.join(' '));
  for (const c of ['hostname demo-web-1', 'useradd ops -m', 'chpasswd', 'passwd --expire ops', `/bin/sh /var/lib/cloud/instances/${'8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10'}/bootcmd`])
    assert.ok(first.includes(c), c);
  assert.ok(first.some((c) => c.startsWith('ssh-keygen -t ed25519')));
  fs.writeFileSync(path.join(root, 'etc/hosts'), 'edited\n');
  boot(root);
  const second = recorded(root)
    .map((a) => a.join(' '))
    .slice(first.length);
  assert.deepEqual(
    second.filter((c) => !c.startsWith('/var/lib/cloud/')),
    ['/bin/sh /var/lib/cloud/instances/8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10/bootcmd'],
    'only bootcmd runs a command again',
  );
  assert.match(fs.readFileSync(path.join(root, 'etc/hosts'), 'utf8'), /^127\.0\.1\.1 demo-web-1\.example\.internal demo-web-1$/m, 'update_etc_hosts renders every boot');
  const log = fs.readFileSync(path.join(root, 'var/log/cloud-init.log'), 'utf8');
  // (The event text may name the module again: "SKIP: config-ssh already ran".)
  for (const m of ['users_groups', 'ssh', 'set_hostname']) assert.match(log, new RegExp(`finish: init/config-${m}: SKIP: (config-${m} )?already ran \\(once-per-instance\\)`));
  assert.match(log, /finish: modules-config\/config-set_passwords: SKIP: (config-set_passwords )?already ran/);
});
