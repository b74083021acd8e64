// keys_to_console: the host keys' fingerprints and public keys on the console once per
// instance, between the markers cloud-init's write-ssh-key-fingerprints prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, type Kit } from './kit.js';
import { keysToConsole, hostKeyFingerprint, hostKeysReport, syslogPrefix } from '../../packages/core/src/modules/keys-to-console.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';

// Made with ssh-keygen; each beside what `ssh-keygen -l -f` (OpenSSH 9.2) printed for it.
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCbnYkj4V3j0L2iNXaW6y1a9zBMwY/A4yUpqJZJE/yooBVZBYfx+A3EKfDf8tzo6OKqaZhltkvhqrVYTeO+Rs9Y9RM966Gbus2YP6ocejsehaNzyDBBn6bGAKTOylNioCWRPeXS6v0Z5ZQnp+1njeTdydi3wObcZfkAmT0N++Udrw== root@web-1';
const RSA_FP = '1024 SHA256:VFXv7GhAzroJjEkSQHbtpm00h+TvbqZUN4aQmBNxIlo root@web-1 (RSA)';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBId9MsfLghE+QB+z28w6TxrbUJyLXGETMC1hypbghk73QIIRNFZqAWkL0Wn57xRIMHJ/E6/fY02+NjySTLGXJ6A= root@web-1';
const ECDSA_FP = '256 SHA256:7w3hhFSTkt31UxEyqfimje9B6RVjv8lSCaJ2aIRkelE root@web-1 (ECDSA)';
const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja ';
const ED_FP = '256 SHA256:o137t+51S6EH8d+nsx44uIuUI++v2oCTZoWcj3UpTe8 no comment (ED25519)';

function withHostKeys(): { k: Kit; out: string[] } {
  const k = makeKit();
  k.write('etc/ssh/ssh_host_rsa_key.pub', `${RSA}\n`);
  k.write('etc/ssh/ssh_host_ecdsa_key.pub', `${ECDSA}\n`);
  k.write('etc/ssh/ssh_host_ed25519_key.pub', `${ED}\n`);
  k.write('etc/ssh/ssh_host_ed25519_key', 'PRIVATE\n', 0o600);
  const out: string[] = [];
  k.host.console.stdout = (t: string) => void out.push(t);
  return { k, out };
}

test('keys_to_console computes the fingerprints ssh-keygen -l prints, and the script output with its markers', () => {
  assert.equal(hostKeyFingerprint(RSA), RSA_FP);
  assert.equal(hostKeyFingerprint(ECDSA), ECDSA_FP);
  assert.equal(hostKeyFingerprint(ED), ED_FP);
  assert.equal(hostKeyFingerprint('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja x'), null, 'a blob of another type than the line says');
  assert.equal(syslogPrefix(new Date(2026, 3, 9, 22, 6, 30)), '<14>Apr  9 22:06:30 cloud-init: ');
  const files = [
    { path: '/etc/ssh/ssh_host_bad_key.pub', text: 'junk\n' },
    { path: '/etc/ssh/ssh_host_ecdsa_key.pub', text: `${ECDSA}\n` },
  ];
  assert.equal(
    hostKeysReport(files, ['junk'], [], 'P: '),
    [
      'P: #############################################################',
      'P: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
      `P: ${ECDSA_FP}`,
      'P: -----END SSH HOST KEY FINGERPRINTS-----',
      'P: #############################################################',
      '-----BEGIN SSH HOST KEY KEYS-----',
      'junk',
      ECDSA,
      '-----END SSH HOST KEY KEYS-----',
      '',
    ].join('\n'),
  );
  assert.equal(hostKeysReport(files, ['junk,ecdsa-sha2-nistp256'], ['junk', 'ecdsa-sha2-nistp256'], 'P: '), '');
});

test('keys_to_console with no configuration shows every host key fingerprint and key on the console', async () => {
  const { k, out } = withHostKeys();
  await k.run(keysToConsole, '{}');
  const lines = out.join('').split('\n');
  const tagged = /^<14>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d cloud-init: /;
  assert.ok(
    lines.slice(0, 7).every((l) => tagged.test(l)),
    lines.join('\n'),
  );
  assert.deepEqual(
    lines.map((l) => l.replace(tagged, '')),
    [
      '#############################################################',
      '-----BEGIN SSH HOST KEY FINGERPRINTS-----',
      ECDSA_FP,
      ED_FP,
      RSA_FP,
      '-----END SSH HOST KEY FINGERPRINTS-----',
      '#############################################################',
      '-----BEGIN SSH HOST KEY KEYS-----',
      ECDSA,
      ED,
      RSA,
      '-----END SSH HOST KEY KEYS-----',
      '',
    ],
  );
  assert.match(k.lines.join(''), /host key fingerprints and keys \(3 key file\(s\)\) written to standard output/);
  assert.deepEqual(k.warnings(), []);
});

test("keys_to_console runs the documentation's examples: emit_keys_to_console false shows nothing, the blacklists leave those key types out", async () => {
  const off = withHostKeys();
  await off.k.run(keysToConsole, '#cloud-config\nssh:\n  emit_keys_to_console: false\n');
  assert.deepEqual(off.out, []);
  assert.deepEqual(off.k.warnings(), []);
  const fp = withHostKeys();
  await fp.k.run(keysToConsole, '#cloud-config\nssh_fp_console_blacklist: [ssh-dss, ssh-dsa, ecdsa-sha2-nistp256]\n');
  const fpText = fp.out.join('');
  assert.doesNotMatch(fpText, /\(ECDSA\)/);
  assert.match(fpText, /\(ED25519\)[\s\S]*\(RSA\)/);
  assert.ok(fpText.includes(ECDSA), 'the key itself is still shown');
  const key = withHostKeys();
  await key.k.run(keysToConsole, '#cloud-config\nssh_key_console_blacklist: [ssh-dss, ssh-dsa, ecdsa-sha2-nistp256]\n');
  const keyText = key.out.join('');
  assert.match(keyText, /\(ECDSA\)/);
  assert.ok(!keyText.includes(ECDSA));
});

test('keys_to_console refuses malformed settings, naming the line', async () => {
  const { k, out } = withHostKeys();
  await assert.rejects(k.run(keysToConsole, 'ssh: [emit_keys_to_console]\n'), /user-data line 1 col 1: ssh must be a mapping/);
  await assert.rejects(k.run(keysToConsole, 'ssh:\n  emit_keys_to_console: 3\n'), /user-data line 2 col 3: ssh.emit_keys_to_console must be true or false/);
  await assert.rejects(k.run(keysToConsole, 'ssh_key_console_blacklist: {a: 1}\n'), /user-data line 1 col 1: ssh_key_console_blacklist must be a list of key types/);
  assert.deepEqual(out, []);
});

test('a boot with host keys from ssh_keys shows them on the console in the final stage and ends done', () => {
  const keys = `ssh_keys:\n  ed25519_private: |\n    PRIVATE\n  ed25519_public: "${ED.trim()}"\n`;
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, `#cloud-config\n${keys}`)) });
  const runs = boot(root);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.match(runs[3]?.stdout ?? '', /cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n.*cloud-init: 256 SHA256:o137t\+51S6EH8d\+nsx44uIuUI\+\+v2oCTZoWcj3UpTe8 no comment \(ED25519\)\n/);
  assert.match(runs[3]?.stdout ?? '', /-----BEGIN SSH HOST KEY KEYS-----\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOesHrpI9oaN3vKcViBDsGmv3qmZfrNdnTNuyoHEa4ja\n-----END SSH HOST KEY KEYS-----\n/);
  assert.equal(cli(root, 'status', '--long').code, 0);
});
