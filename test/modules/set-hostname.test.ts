import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit, RHEL8, CENTOS6 } from './kit.js';
import { setHostnameModule } from '../../packages/core/src/modules/set-hostname.js';
import { hostnameProblem } from '../../packages/core/src/modules/lib/validators.js';

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

test('the early host name reads preserve_hostname and hostname from plain cloud-config user-data', async () => {
  const { userHostnameKeys } = await import('../../packages/core/src/modules/lib/early-hostname.js');
  const enc = (s: string) => new Uint8Array(Buffer.from(s));
  assert.deepEqual(userHostnameKeys(enc('#cloud-config\npreserve_hostname: true\nhostname: x\nruncmd: [ls]\n')), { preserve_hostname: true, hostname: 'x' });
  assert.deepEqual(userHostnameKeys(enc('#!/bin/sh\necho\n')), {});
  assert.deepEqual(userHostnameKeys(enc('#cloud-config\n: bad: [\n')), {});
  assert.deepEqual(userHostnameKeys(null), {});
});
