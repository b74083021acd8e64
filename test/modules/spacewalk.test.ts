// spacewalk: the documented example booted on RHEL: rhn-setup installed, the profile
// checked with rhn-profile-sync, rhnreg_ks run with the server's XMLRPC URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootRhel, RHEL9 } from './rhel-boot.js';
import { leaksOf } from './secret-leaks.js';
import { spacewalk } from '../../packages/core/src/modules/spacewalk.js';

test('spacewalk: the documented example on RHEL installs rhn-setup and registers with rhnreg_ks, the instance FQDN as profile name', () => {
  const b = bootRhel(spacewalk.examples[1] as string, { tools: ['dnf'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(b.errors, []);
  assert.ok(b.argvs.some((a) => a[0] === 'dnf' && a.includes('install') && a.includes('rhn-setup')));
  const reg = b.argvs.filter((a) => a[0] === 'rhn-profile-sync' || a[0] === 'rhnreg_ks');
  assert.deepEqual(reg[0], ['rhn-profile-sync', '--verbose']);
  const profile = reg[1]?.[reg[1].indexOf('--profilename') + 1] ?? '';
  assert.match(profile, /^[a-z0-9.-]+$/);
  assert.deepEqual(reg[1], [
    'rhnreg_ks',
    '--serverUrl',
    'https://spacewalk.example.com/XMLRPC',
    '--profilename',
    profile,
    '--proxy',
    'proxy.example.com:3128',
    '--sslCACert',
    '/usr/share/rhn/RHN-ORG-TRUSTED-SSL-CERT',
    '--activationkey',
    '1-myorg-key',
  ]);
  // The activation key is in no log, status, instance data or journal stream.
  assert.deepEqual(leaksOf(b, '1-myorg-key'), []);
});

test('spacewalk: no server means nothing to do; an unknown key is refused with its line; on Rocky it is not for this distro', async () => {
  const k = makeKit({ osRelease: RHEL9 });
  await k.run(spacewalk, 'spacewalk:\n  proxy: p:3128\n');
  assert.deepEqual(k.argvs(), []);
  await assert.rejects(makeKit({ osRelease: RHEL9 }).run(spacewalk, 'spacewalk:\n  server: s\n  activationkey: k\n'), /line 3 col \d+: spacewalk\.activationkey is not a spacewalk key/);
  const rocky = makeKit();
  rocky.write('etc/os-release', 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n');
  await rocky.run(spacewalk, spacewalk.examples[1] as string);
  assert.match(rocky.lines.join('\n'), /spacewalk: not verified on distro rocky \(it is for rhel, fedora, openeuler\)/);
  assert.deepEqual(rocky.argvs(), []);
});
