// update_etc_hosts: /etc/hosts from the distro's template, or the host's own names on the loopback line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, RHEL8 } from './kit.js';
import { updateEtcHosts, hostsWithLocalNames, currentNames } from '../../packages/core/src/modules/update-etc-hosts.js';
import { REF_MISSING, REF_ROOT } from '../helpers/reference.js';

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

test("update_etc_hosts renders the image's own jinja template when present", async () => {
  const k = makeKit();
  k.write('etc/cloud/templates/hosts.debian.tmpl', '## template:jinja\n{# comment -#}\n127.0.1.1 {{fqdn}} {{hostname}}\n');
  await k.run(updateEtcHosts, 'manage_etc_hosts: true\n');
  assert.equal(k.read('etc/hosts'), '127.0.1.1 web-1.example.org web-1\n');
});

const LEAP = 'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n';

test('the suse family renders /etc/hosts from its own template and puts its names on 127.0.1.1, as cloud-init does there', async () => {
  const k = makeKit({ osRelease: LEAP });
  await k.run(updateEtcHosts, 'manage_etc_hosts: true\nfqdn: web-1.example.org\nhostname: web-1\n');
  const hosts = k.read('etc/hosts');
  assert.match(hosts, /^127\.0\.1\.1 web-1\.example\.org web-1$/m);
  assert.match(hosts, /^::1 localhost ipv6-localhost ipv6-loopback$/m);
  assert.match(hosts, /hosts\.suse\.tmpl/);
  const l = makeKit({ osRelease: LEAP });
  l.write('etc/hosts', '127.0.0.1 localhost\n');
  await l.run(updateEtcHosts, 'manage_etc_hosts: localhost\nfqdn: web-1.example.org\nhostname: web-1\n');
  assert.match(l.read('etc/hosts'), /^127\.0\.1\.1 web-1\.example\.org web-1$/m);
});

test("differential: cloud-init's own hosts templates (from the reference chroot) render as the built-in copies", async (t) => {
  const fs = await import('node:fs');
  const { renderHostsTemplate } = await import('../../packages/core/src/modules/update-etc-hosts.js');
  const dir = `${REF_ROOT}/etc/cloud/templates`;
  if (!fs.existsSync(`${dir}/hosts.debian.tmpl`)) {
    t.skip(REF_MISSING);
    return;
  }
  for (const [kind, os] of [
    ['debian', undefined],
    ['redhat', RHEL8],
    ['suse', LEAP],
  ] as const) {
    const k = makeKit(os === undefined ? {} : { osRelease: os });
    k.write(`etc/cloud/templates/hosts.${kind}.tmpl`, fs.readFileSync(`${dir}/hosts.${kind}.tmpl`, 'utf8'));
    await k.run(updateEtcHosts, 'manage_etc_hosts: true\nfqdn: web-1.example.org\nhostname: web-1\nprefer_fqdn_over_hostname: false\n');
    assert.equal(k.read('etc/hosts'), renderHostsTemplate(kind, 'web-1.example.org', 'web-1'), kind);
  }
});

test('manage_etc_hosts with no host name in the configuration or the metadata uses the current host name, as cloud-init does', async () => {
  const k = makeKit();
  k.write('etc/hostname', 'builder\n');
  await k.run(updateEtcHosts, 'manage_etc_hosts: true\n', { localHostname: '' });
  assert.match(k.read('etc/hosts'), /^127\.0\.1\.1 builder\.localdomain builder$/m);
  assert.deepEqual(k.warnings(), []);
  // The FQDN comes from a hosts line that carries the name, else NAME.localdomain.
  assert.deepEqual(currentNames('web', '10.0.0.5 web.example.org web\n'), { hostname: 'web', fqdn: 'web.example.org' });
  assert.deepEqual(currentNames('db.example.org', ''), { hostname: 'db', fqdn: 'db.example.org' });
  assert.equal(currentNames('', ''), null);
});
