// ssh_authkey_fingerprints: the console shows each user's authorized keys with their
// fingerprints once per instance, as cloud-init prints them, with no configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { sshAuthkeyFingerprints, fingerprintReport, parseAuthKeyLine, authKeyFingerprint } from '../../packages/core/src/modules/ssh-authkey-fingerprints.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';

const KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetaKeyMetaKeyMetaKeyMetaKeyMetaKeyMetaKey0 ops@bastion',
  'no-port-forwarding,command="echo hi there" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC5 deploy key',
  '# a comment',
  'ssh-dss AAAAB3NzaC1kc3M old',
];

// What cloud-init 25.1.4's module prints for KEYS (its _pprint_key_entries, run on the reference chroot's Python).
const CLOUD_INIT_TABLE = `ci-info: +++++++++++++++++++++++++++++Authorized keys from /home/demo/.ssh/authorized_keys for user demo+++++++++++++++++++++++++++++
ci-info: +-------------+-------------------------------------------------+--------------------------------------------+-------------+
ci-info: |   Keytype   |                Fingerprint (md5)                |                  Options                   |   Comment   |
ci-info: +-------------+-------------------------------------------------+--------------------------------------------+-------------+
ci-info: | ssh-ed25519 | b6:7d:e2:34:ab:70:6c:80:12:49:57:28:bc:14:d7:b5 |                     -                      | ops@bastion |
ci-info: |   ssh-rsa   | 36:08:13:0c:c8:69:45:b0:5b:26:f2:0b:9f:e8:de:bc | no-port-forwarding,command="echo hi there" |  deploy key |
ci-info: +-------------+-------------------------------------------------+--------------------------------------------+-------------+
`;

function withDemo(): { k: Kit; out: string[] } {
  const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\ndemo:x:1001:1001::/home/demo:/bin/bash\n' });
  k.write('home/demo/.ssh/authorized_keys', `${KEYS.join('\n')}\n`, 0o600);
  const out: string[] = [];
  k.host.console.stdout = (t: string) => void out.push(t);
  return { k, out };
}

test('ssh_authkey_fingerprints prints the table cloud-init prints, with the hash authkey_hash names', () => {
  assert.equal(fingerprintReport('demo', '/home/demo/.ssh/authorized_keys', KEYS, 'md5'), CLOUD_INIT_TABLE);
  assert.equal(
    authKeyFingerprint('AAAAC3NzaC1lZDI1NTE5AAAAIMetaKeyMetaKeyMetaKeyMetaKeyMetaKeyMetaKey0'),
    '96:d8:91:9e:b7:19:fd:40:93:9f:21:8b:98:30:bd:07:eb:54:06:c2:6b:2a:2a:91:1a:e5:46:9e:ab:c7:6e:d5',
  );
  assert.equal(authKeyFingerprint('AAA'), '?', 'text that is not whole base64');
  assert.equal(authKeyFingerprint('AAAA', 'nohash'), '?');
  assert.equal(fingerprintReport('x', '/f', []), 'ci-info: no authorized SSH keys fingerprints found for user x.\n');
  assert.equal(parseAuthKeyLine('ssh-dss AAAA old'), null, 'cloud-init 25.x no longer reads ssh-dss lines');
});

test("ssh_authkey_fingerprints with no configuration shows every listed user's keys on the console in sha256", async () => {
  const { k, out } = withDemo();
  await k.run(sshAuthkeyFingerprints, 'users: [{name: demo}, {name: svc, system: true}]\n');
  const text = out.join('');
  assert.match(text, /^ci-info: \+{5,}Authorized keys from \/home\/demo\/\.ssh\/authorized_keys for user demo\+{5,}\n/);
  assert.match(text, /\| ssh-ed25519 \| 96:d8:91:9e:b7:19:fd:40:[0-9a-f:]+ \|/);
  assert.match(text, /Fingerprint \(sha256\)/);
  assert.doesNotMatch(text, /svc/, 'a system user has no keys to show');
  assert.match(k.lines.join(''), /fingerprints of 2 authorized key\(s\) of user demo \(\/home\/demo\/\.ssh\/authorized_keys\) written to standard output/);
  assert.deepEqual(k.warnings(), []);
});

test('ssh_authkey_fingerprints with the documented no_ssh_fingerprints: true shows nothing and warns of nothing; a bad value names its line', async () => {
  const { k, out } = withDemo();
  await k.run(sshAuthkeyFingerprints, '#cloud-config\nusers: [{name: demo}]\nno_ssh_fingerprints: true\n');
  assert.deepEqual(out, []);
  assert.deepEqual(k.warnings(), []);
  await assert.rejects(k.run(sshAuthkeyFingerprints, 'users: [{name: demo}]\nno_ssh_fingerprints: sometimes\n'), /user-data line 2 col 1: no_ssh_fingerprints "sometimes" is not true or false/);
  await assert.rejects(k.run(sshAuthkeyFingerprints, 'authkey_hash: [md5]\n'), /user-data line 1 col 1: authkey_hash must be the name of a hash/);
  await k.run(sshAuthkeyFingerprints, 'users: [{name: demo}]\nauthkey_hash: rot13\n');
  assert.match(k.warnings().join('\n'), /user-data line 2 col 1: authkey_hash "rot13" is not a hash/);
  assert.match(out.join(''), /\| ssh-ed25519 \|\s+\?\s+\|/);
});

test('a boot with the documented authkey_hash example ends done and shows, in sha512, the keys users_groups installed', () => {
  const keyed = `#cloud-config\nauthkey_hash: sha512\nusers:\n  - name: demo\n    ssh_authorized_keys: ['${KEYS[0]}']\n`;
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, keyed)) });
  const runs = boot(root);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.match(
    runs[3]?.stdout ?? '',
    /ci-info: \+*Authorized keys from \/home\/demo\/\.ssh\/authorized_keys for user demo\+*\n.*\n.*Fingerprint \(sha512\)[^\n]*\n.*\n.*\| ssh-ed25519 \| [0-9a-f:]{191} \|/,
  );
  assert.ok(fs.existsSync(path.join(root, 'home/demo/.ssh/authorized_keys')));
  assert.equal(cli(root, 'status', '--long').code, 0);
});
