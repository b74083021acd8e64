// ssh: host keys, and the metadata's and the user's authorized keys for the default user and root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, RHEL8 } from './kit.js';
import { ssh, rootKeyOptions } from '../../packages/core/src/modules/ssh.js';
import { mergeAuthorizedKeys, authorizedKeysFile } from '../../packages/core/src/modules/lib/authorized-keys.js';

const SYS = 'system_info:\n  default_user: {name: debian, gecos: Debian, groups: [adm, sudo], shell: /bin/bash, sudo: ["ALL=(ALL) NOPASSWD:ALL"], lock_passwd: true}\n';
const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUserKey1 a@x';

test('ssh: host keys deleted and generated via ssh-keygen argv; keys to the default user; root refused', async () => {
  const k = makeKit();
  k.write('etc/ssh/ssh_host_rsa_key', 'OLD', 0o600);
  k.write('etc/ssh/ssh_host_rsa_key.pub', 'OLD', 0o644);
  k.write('etc/ssh/sshd_config', 'PermitRootLogin yes\n');
  await k.run(ssh, SYS + `users: [default]\nssh_authorized_keys: ["${K1}"]\nssh_genkeytypes: [ed25519, rsa, bogus]\n`);
  assert.ok(!k.exists('etc/ssh/ssh_host_rsa_key'));
  assert.deepEqual(k.argvs(), [
    ['ssh-keygen', '-t', 'ed25519', '-N', '', '-f', '/etc/ssh/ssh_host_ed25519_key'],
    ['ssh-keygen', '-t', 'rsa', '-N', '', '-f', '/etc/ssh/ssh_host_rsa_key'],
  ]);
  assert.match(k.warnings().join(''), /unknown key type "bogus"/);
  assert.equal(k.read('home/debian/.ssh/authorized_keys'), `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetaKey meta@example\n${K1}\n`);
  const root = k.read('root/.ssh/authorized_keys');
  assert.ok(
    root.startsWith(
      `no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo 'Please login as the user \\"debian\\" rather than the user \\"root\\".';echo;sleep 10;exit 142" ssh-ed25519 `,
    ),
  );
  assert.equal(k.mode('root/.ssh/authorized_keys'), 0o600);
});

test('ssh: disable_root false, allow_public_ssh_keys false, ssh_keys given, no delete', async () => {
  const k = makeKit();
  k.write('etc/ssh/ssh_host_ecdsa_key', 'KEEP', 0o600);
  k.write('etc/ssh/sshd_config', 'Port 22\n');
  await k.run(
    ssh,
    `disable_root: false\nallow_public_ssh_keys: false\nssh_deletekeys: false\nssh_authorized_keys: ["${K1}"]\nssh_keys:\n  rsa_private: |\n    PRIVATE\n  rsa_public: ssh-rsa AAAA pub\n  rsa_certificate: ssh-rsa-cert-v01@openssh.com AAAA cert\n`,
  );
  assert.equal(k.read('root/.ssh/authorized_keys'), `${K1}\n`);
  assert.equal(k.read('etc/ssh/ssh_host_ecdsa_key'), 'KEEP');
  assert.equal(k.mode('etc/ssh/ssh_host_rsa_key'), 0o600);
  assert.equal(k.mode('etc/ssh/ssh_host_rsa_key.pub'), 0o644);
  assert.equal(k.read('etc/ssh/ssh_host_rsa_key-cert.pub'), 'ssh-rsa-cert-v01@openssh.com AAAA cert\n');
  assert.equal(k.read('etc/ssh/sshd_config'), 'Port 22\nHostCertificate /etc/ssh/ssh_host_rsa_key-cert.pub\n');
  assert.deepEqual(k.argvs(), []);
});

test('ssh on rhel 8: keygen, and a planted symlink in a home is never followed', async () => {
  const k = makeKit({ osRelease: RHEL8, passwd: 'root:x:0:0:root:/root:/bin/bash\ncloud-user:x:1000:1000::/home/cloud-user:/bin/bash\n' });
  k.write('etc/shadow-target', 'x');
  const fs = await import('node:fs');
  fs.mkdirSync(`${k.root}/home/cloud-user`, { recursive: true });
  fs.symlinkSync('/etc', `${k.root}/home/cloud-user/.ssh`);
  await k.run(ssh, 'system_info: {default_user: {name: cloud-user}}\nusers: [default]\n');
  assert.match(k.errors().join(''), /\.ssh is a symbolic link; keys for cloud-user were not written/);
  assert.ok(!k.exists('etc/authorized_keys'));
});

test('authorized_keys merge, AuthorizedKeysFile, root options', () => {
  assert.equal(mergeAuthorizedKeys('# mine\nssh-rsa AAA old\n', ['ssh-rsa AAA new', K1], 'opt'), `# mine\nopt ssh-rsa AAA new\nopt ${K1}\n`);
  assert.equal(mergeAuthorizedKeys('', []), '');
  assert.equal(authorizedKeysFile('AuthorizedKeysFile %h/.ssh/keys2 .ssh/authorized_keys\n', 'u', '/home/u'), '/home/u/.ssh/keys2');
  assert.equal(authorizedKeysFile('AuthorizedKeysFile /etc/ssh/keys/%u\n', 'u', '/home/u'), '/etc/ssh/keys/u');
  assert.equal(authorizedKeysFile(null, 'u', '/home/u'), '/home/u/.ssh/authorized_keys');
  assert.equal(rootKeyOptions(false, 'x', 'u'), '');
  assert.equal(rootKeyOptions(true, 'user=$USER not=$DISABLE_USER', null), 'user=NONE not=root');
});

test('ssh_publish_hostkeys: on GCE the public host keys are PUT to the guest attributes, less the blacklisted types; elsewhere nothing is sent', async () => {
  const http = await import('node:http');
  const got: { method: string; url: string; flavor: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ method: req.method ?? '', url: req.url ?? '', flavor: String(req.headers['metadata-flavor']), body });
      res.end('');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const keys = (k: ReturnType<typeof makeKit>) => {
      k.write('etc/ssh/ssh_host_ed25519_key.pub', 'ssh-ed25519 AAAAC3Ned root@h\n');
      k.write('etc/ssh/ssh_host_rsa_key.pub', 'ssh-rsa AAAAB3Nrsa root@h\n');
      k.write('etc/ssh/ssh_host_ecdsa_key.pub', 'ecdsa-sha2-nistp256 AAAAE2ec root@h\n');
    };
    const cfg = `ssh_deletekeys: false\ndatasource: {GCE: {metadata_url: "http://127.0.0.1:${port}/computeMetadata/v1/"}}\n`;
    const k = makeKit();
    keys(k);
    await k.run(ssh, `${cfg}ssh_publish_hostkeys: {blacklist: [rsa]}\n`, { dsname: 'GCE' });
    assert.deepEqual(got, [
      { method: 'PUT', url: '/computeMetadata/v1/instance/guest-attributes/hostkeys/ecdsa-sha2-nistp256', flavor: 'Google', body: 'AAAAE2ec' },
      { method: 'PUT', url: '/computeMetadata/v1/instance/guest-attributes/hostkeys/ssh-ed25519', flavor: 'Google', body: 'AAAAC3Ned' },
    ]);
    // Turned off, or on a datasource that takes no keys (ConfigDrive): nothing is sent.
    got.length = 0;
    const off = makeKit();
    keys(off);
    await off.run(ssh, `${cfg}ssh_publish_hostkeys: {enabled: false}\n`, { dsname: 'GCE' });
    const other = makeKit();
    keys(other);
    await other.run(ssh, `${cfg}ssh_publish_hostkeys: {enabled: true}\n`);
    assert.deepEqual(got, []);
    assert.ok(other.lines.some((l) => /ConfigDrive datasource takes no host keys back/.test(l)));
  } finally {
    server.close();
  }
});
