import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, RHEL8, CENTOS6 } from './kit.js';
import { bootcmd } from '../../packages/core/src/modules/bootcmd.js';
import { setHostnameModule } from '../../packages/core/src/modules/set-hostname.js';
import { updateHostname } from '../../packages/core/src/modules/update-hostname.js';
import { updateEtcHosts, hostsWithLocalNames } from '../../packages/core/src/modules/update-etc-hosts.js';
import { hostnameProblem } from '../../packages/core/src/modules/names.js';
import { REF_MISSING, REF_ROOT } from '../helpers/reference.js';

test('bootcmd: one script (list items argv, words quoted; strings shell lines), run by its path with INSTANCE_ID set', async () => {
  const k = makeKit();
  const ctx = await k.run(bootcmd, "bootcmd:\n  - [cloud-init-per, once, x, echo, 'a b']\n  - echo $INSTANCE_ID > /tmp/x\n  - {bad: 1}\n");
  const script = ctx.paths.instance('bootcmd');
  assert.equal(k.read(script), "#!/bin/sh\n'cloud-init-per' 'once' 'x' 'echo' 'a b'\necho $INSTANCE_ID > /tmp/x\n");
  assert.equal(k.mode(script), 0o700);
  // Only the script's path is run: the user's commands never reach an argv or the record.
  assert.deepEqual(k.argvs(), [['/bin/sh', script]]);
  assert.equal(k.commands()[0]?.env?.INSTANCE_ID, 'iid-kit-1');
  assert.match(k.errors()[0] ?? '', /^bootcmd: user-data line 4 col 5: bootcmd\[2\]: expected a string or a list of words/);
});

test('host name validation', () => {
  assert.equal(hostnameProblem('web-1.example.org'), null);
  assert.match(hostnameProblem('bad_name') ?? '', /not a valid label/);
  assert.match(hostnameProblem('-x') ?? '', /not a valid label/);
  assert.match(hostnameProblem('a;reboot') ?? '', /not a valid label/);
  assert.match(hostnameProblem('10.0.0.1') ?? '', /IP address/);
  assert.match(hostnameProblem('a'.repeat(64)) ?? '', /not a valid label/);
});

test('set_hostname: metadata name on debian sets the short name; argv hostname', async () => {
  const k = makeKit();
  await k.run(setHostnameModule, '{}');
  assert.equal(k.read('etc/hostname'), 'web-1\n');
  assert.deepEqual(k.argvs(), [['hostname', 'web-1']]);
  assert.deepEqual(JSON.parse(k.read('var/lib/cloud/data/set-hostname')), { hostname: 'web-1', fqdn: 'web-1.example.org' });
  // Same name again: nothing to do.
  await k.run(setHostnameModule, '{}');
  assert.equal(k.argvs().length, 1);
});

test('set_hostname: fqdn, prefer_fqdn_over_hostname, rhel prefers the fqdn, preserve_hostname', async () => {
  const k = makeKit();
  await k.run(setHostnameModule, 'fqdn: db.example.com\nprefer_fqdn_over_hostname: true\n');
  assert.equal(k.read('etc/hostname'), 'db.example.com\n');
  const r = makeKit({ osRelease: RHEL8 });
  await r.run(setHostnameModule, 'hostname: app\n');
  assert.equal(r.read('etc/hostname'), 'web-1.example.org\n', 'rhel: fqdn from metadata');
  const p = makeKit();
  await p.run(setHostnameModule, 'preserve_hostname: true\nhostname: other\n');
  assert.ok(!p.exists('etc/hostname'));
  const c6 = makeKit({ osRelease: CENTOS6 });
  c6.write('etc/sysconfig/network', 'NETWORKING=yes\nHOSTNAME=localhost.localdomain\n');
  await c6.run(setHostnameModule, 'fqdn: six.example.com\n');
  assert.equal(c6.read('etc/sysconfig/network'), 'NETWORKING=yes\nHOSTNAME=six.example.com\n');
});

test('set_hostname refuses an invalid name, naming its source', async () => {
  const k = makeKit();
  await k.run(setHostnameModule, '#cloud-config\nhostname: "bad;reboot"\n');
  assert.match(k.errors()[0] ?? '', /user-data line 2 col 1: hostname "bad;reboot" is not a valid host name/);
  assert.deepEqual(k.argvs(), []);
  const m = makeKit();
  await m.run(setHostnameModule, '{}', { localHostname: 'x y' });
  assert.match(m.errors()[0] ?? '', /metadata of ConfigDrive: local-hostname "x y" is not a valid host name/);
});

test('update_hostname: follows metadata, but leaves a name changed by hand', async () => {
  const k = makeKit();
  await k.run(setHostnameModule, '{}');
  await k.run(updateHostname, '{}', { localHostname: 'web-2' });
  assert.equal(k.read('etc/hostname'), 'web-2\n');
  k.write('etc/hostname', 'mine\n');
  await k.run(updateHostname, '{}', { localHostname: 'web-3' });
  assert.equal(k.read('etc/hostname'), 'mine\n');
});

test('update_etc_hosts: template (debian, redhat) and localhost', async () => {
  const k = makeKit();
  await k.run(updateEtcHosts, 'manage_etc_hosts: true\n');
  assert.match(k.read('etc/hosts'), /^127\.0\.1\.1 web-1\.example\.org web-1$/m);
  assert.equal(k.mode('etc/hosts'), 0o644);
  const r = makeKit({ osRelease: RHEL8 });
  await r.run(updateEtcHosts, 'manage_etc_hosts: true\nfqdn: a.b.c\n');
  assert.match(r.read('etc/hosts'), /^::1 a\.b\.c a$/m);
  const l = makeKit();
  l.write('etc/hosts', '127.0.0.1 localhost\n10.0.0.5 db\n');
  await l.run(updateEtcHosts, 'manage_etc_hosts: localhost\n');
  assert.equal(l.read('etc/hosts'), '127.0.0.1 localhost\n10.0.0.5 db\n127.0.1.1 web-1.example.org web-1\n');
  assert.equal(hostsWithLocalNames('127.0.1.1 web-1.example.org web-1\n', '127.0.1.1', 'web-1.example.org', 'web-1'), null);
  assert.equal(hostsWithLocalNames('127.0.1.1 old # x\n', '127.0.1.1', 'n.d', 'n'), '127.0.1.1 old n.d n # x\n');
  const bad = makeKit();
  await bad.run(updateEtcHosts, 'manage_etc_hosts: yes-please\n');
  assert.match(bad.errors()[0] ?? '', /manage_etc_hosts "yes-please" is not one of/);
});

test('update_etc_hosts renders the image\'s own jinja template when present', async () => {
  const k = makeKit();
  k.write('etc/cloud/templates/hosts.debian.tmpl', '## template:jinja\n{# comment -#}\n127.0.1.1 {{fqdn}} {{hostname}}\n');
  await k.run(updateEtcHosts, 'manage_etc_hosts: true\n');
  assert.equal(k.read('etc/hosts'), '127.0.1.1 web-1.example.org web-1\n');
});

test('the early host name reads preserve_hostname and hostname from plain cloud-config user-data', async () => {
  const { userHostnameKeys } = await import('../../packages/core/src/modules/hostname-early.js');
  const enc = (s: string) => new Uint8Array(Buffer.from(s));
  assert.deepEqual(userHostnameKeys(enc('#cloud-config\npreserve_hostname: true\nhostname: x\nruncmd: [ls]\n')), { preserve_hostname: true, hostname: 'x' });
  assert.deepEqual(userHostnameKeys(enc('#!/bin/sh\necho\n')), {});
  assert.deepEqual(userHostnameKeys(enc('#cloud-config\n: bad: [\n')), {});
  assert.deepEqual(userHostnameKeys(null), {});
});

test('differential: cloud-init\'s own hosts templates (from the reference chroot) render as the built-in copies', async (t) => {
  const fs = await import('node:fs');
  const { renderHostsTemplate } = await import('../../packages/core/src/modules/update-etc-hosts.js');
  const dir = `${REF_ROOT}/etc/cloud/templates`;
  if (!fs.existsSync(`${dir}/hosts.debian.tmpl`)) {
    t.skip(REF_MISSING);
    return;
  }
  for (const [kind, os] of [['debian', undefined], ['redhat', RHEL8]] as const) {
    const k = makeKit(os === undefined ? {} : { osRelease: os });
    k.write(`etc/cloud/templates/hosts.${kind}.tmpl`, fs.readFileSync(`${dir}/hosts.${kind}.tmpl`, 'utf8'));
    await k.run(updateEtcHosts, 'manage_etc_hosts: true\nfqdn: web-1.example.org\nhostname: web-1\nprefer_fqdn_over_hostname: false\n');
    assert.equal(k.read('etc/hosts'), renderHostsTemplate(kind, 'web-1.example.org', 'web-1'), kind);
  }
});
