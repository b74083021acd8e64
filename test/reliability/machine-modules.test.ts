// test-lane: full (hostile-input campaign through the machine modules)
// Hostile values and secrets through the machine modules (users, groups, sudo, ssh keys,
// hostname, /etc/hosts, passwords): refused or kept inert. No value reaches a shell, an
// option position (argv element starting with "-"), a new line of a config file, or a
// place outside the root. Passwords never reach a log, the command record or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_DRIVE, REPO } from '../helpers/boot.js';
import { LOGS, STAGES, commandRecord, runStage } from './crash-harness.js';
import { tempDir } from '../helpers/temp-root.js';

const USER_DATA = `#cloud-config
hostname: "evil$(touch /tmp/PWNED)"
fqdn: "evil.example.com\\nPWNED"
manage_etc_hosts: true
users:
  - default
  - name: "bob;touch /tmp/PWNED"
  - name: "-oPWNED"
  - name: "../../etc/PWNED"
  - name: alice
    gecos: "Alice\\nPWNED:x:0:0::/:/bin/sh"
    groups: ["adm", "wheel;PWNED"]
    sudo: "ALL=(ALL) NOPASSWD:ALL\\nPWNED ALL=(ALL) ALL"
    ssh_authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA a@b\\ncommand=\\"PWNED\\" ssh-rsa B"]
    homedir: "/home/../../PWNED"
    shell: "/bin/bash; PWNED"
    passwd: "$6$MARKER-HASHED-PW"
  - name: carol
    plain_text_passwd: MARKER-PLAIN-PW
chpasswd:
  expire: false
  users:
    - {name: alice, password: MARKER-CHPASSWD, type: text}
password: MARKER-PASSWORD
ssh_pwauth: true
`;
// 90817263: a password written as a number (YAML makes it an int), which a type error could echo.
const SECRETS = ['MARKER-HASHED-PW', 'MARKER-PLAIN-PW', 'MARKER-CHPASSWD', 'MARKER-PASSWORD'];

// The machine modules are built on another branch; these tests wait for them.
const landed = fs.existsSync(path.join(REPO, 'build/packages/core/src/modules/users-groups.js'));
const skip = landed ? false : 'the machine modules (users, passwords, hostname) have not landed on this branch';

function machineRoot(userData = USER_DATA): string {
  const root = tempDir('nimbus-machine-');
  fs.mkdirSync(path.join(root, 'etc/ssh'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\ncarol:x:1001:1001::/home/carol:/bin/bash\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nadm:x:4:\nalice:x:1000:\ncarol:x:1001:\n');
  fs.writeFileSync(path.join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n');
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'old\n');
  fs.writeFileSync(path.join(root, 'etc/ssh/sshd_config'), 'PasswordAuthentication no\n');
  const seed = path.join(root, 'var/lib/cloud/seed/config_drive');
  fs.cpSync(EXAMPLE_DRIVE, seed, { recursive: true });
  for (const v of fs.readdirSync(path.join(seed, 'openstack'))) fs.writeFileSync(path.join(seed, 'openstack', v, 'user_data'), userData);
  return root;
}

test('machine modules: hostile user names, groups, sudo, keys and host names are refused or inert; passwords never leak', { timeout: 120_000, skip }, async () => {
  const root = machineRoot();
  try {
    let stderr = '';
    for (const s of STAGES) {
      const r = await runStage(root, s);
      stderr += r.stderr;
      assert.ok(r.code === 0 || r.code === 1, `${s}: ${r.stderr}`);
    }
    assert.ok(!/\n\s+at /.test(stderr), stderr);
    assert.ok(!fs.existsSync('/tmp/PWNED'));
    const recs = commandRecord(root);
    assert.ok(
      recs.some((r) => r.argv[0] === 'chpasswd'),
      'the password modules ran',
    );
    assert.match(stderr, /user name "bob;touch \/tmp\/PWNED" is not valid/);
    assert.match(stderr, /user name "-oPWNED" is not valid/);
    for (const r of recs) {
      const shell = /(^|\/)(ba|da)?sh$/.test(r.argv[0] ?? '') && r.argv.includes('-c');
      assert.ok(!(shell && r.argv.some((a) => a.includes('PWNED'))), `metadata reached a shell: ${JSON.stringify(r.argv)}`);
      for (const a of r.argv) assert.ok(!(a.startsWith('-') && a.includes('PWNED')), `a value in an option position: ${JSON.stringify(r.argv)}`);
      for (const a of r.argv) assert.ok(!a.includes('\n'), `a newline in an argument: ${JSON.stringify(r.argv)}`);
    }
    // No file gained a line from a value, and every secret is only in private files.
    const walk = (rel: string) => {
      for (const name of fs.readdirSync(path.join(root, rel))) {
        const r = rel === '' ? name : `${rel}/${name}`;
        const st = fs.lstatSync(path.join(root, r));
        if (st.isDirectory()) walk(r);
        else if (st.isFile() && !r.startsWith('var/lib/cloud/seed/')) {
          const text = fs.readFileSync(path.join(root, r), 'utf8');
          if (!r.startsWith('var/lib/cloud/') && !r.startsWith('run/') && !LOGS.has(r)) {
            for (const line of text.split('\n')) assert.ok(!/^\s*(command=)?"?PWNED/.test(line), `${r}: a line from a value: ${JSON.stringify(line)}`);
          }
          for (const m of SECRETS) {
            if (!text.includes(m)) continue;
            assert.ok(!LOGS.has(r), `${m} in the log ${r}`);
            assert.equal(st.mode & 0o077, 0, `${m} in ${r}, mode 0${(st.mode & 0o777).toString(8)}`);
          }
        }
      }
    };
    walk('');
    for (const m of SECRETS) assert.ok(!stderr.includes(m), `${m} on stderr`);
    for (const r of recs) for (const m of SECRETS) assert.ok(!JSON.stringify(r).includes(m), `${m} in the command record: ${JSON.stringify(r)}`);
    const hostname = fs.readFileSync(path.join(root, 'etc/hostname'), 'utf8');
    assert.ok(!hostname.includes('PWNED') && !hostname.includes('$('), `hostname: ${JSON.stringify(hostname)}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a password written as a number (chpasswd.users[].password: 90817263) never reaches a log or status.json', { timeout: 120_000, skip }, async () => {
  const root = machineRoot('#cloud-config\nchpasswd:\n  expire: false\n  users:\n    - {name: carol, password: 90817263, type: text}\n');
  try {
    let stderr = '';
    for (const s of STAGES) stderr += (await runStage(root, s)).stderr;
    assert.ok(!stderr.includes('90817263'), 'on stderr (the journal)');
    for (const f of ['var/log/cloud-init.log', 'var/lib/cloud/data/status.json', 'var/lib/cloud/data/result.json']) {
      const p = path.join(root, f);
      if (fs.existsSync(p)) assert.ok(!fs.readFileSync(p, 'utf8').includes('90817263'), `in ${f}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
