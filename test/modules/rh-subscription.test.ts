// rh_subscription: the documented examples booted on RHEL: subscription-manager
// register with the key and org (or user and password), auto-attach with a service
// level, pools attached, repositories enabled and disabled; a step that fails is a
// warning that stops the rest, as in cloud-init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootRhel, RHEL9 } from './rhel-boot.js';
import { leaksOf } from './secret-leaks.js';
import { registerWords, repoIds, rhSubscription, verifyRhConfig } from '../../packages/core/src/modules/rh-subscription.js';

test('rh_subscription: the documented full example on RHEL registers, auto-attaches with the service level, attaches the pools and changes the repos', () => {
  const b = bootRhel(rhSubscription.examples[2] as string);
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(b.errors, []);
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'subscription-manager').map((a) => a.slice(1)),
    [
      ['identity'],
      ['register', '--activationkey=foobar', '--org=ABC', '--baseurl=http://url', '--serverurl=foo.bar.com'],
      ['attach', '--auto', '--servicelevel=self-support'],
      ['list', '--available', '--pool-only'],
      ['list', '--consumed', '--pool-only'],
      ['attach', '--pool=1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', '--pool=2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b'],
      ['repos', '--list-enabled'],
      ['repos', '--list-disabled'],
      ['repos', '--disable=repo-id-to-disable', '--disable=other-repo-id-to-disable', '--enable=repo-id-to-enable', '--enable=other-repo-id-to-enable'],
    ],
  );
  assert.ok(!b.read('var/log/cloud-init.log').includes('--activationkey=foobar'));
});

test('rh_subscription: the documented username and password example registers with them, and the password is not logged', async () => {
  const k = makeKit({ osRelease: RHEL9 });
  await k.run(rhSubscription, rhSubscription.examples[0] as string);
  assert.deepEqual(k.argvs(), [
    ['subscription-manager', 'identity'],
    ['subscription-manager', 'register', '--username=joe@foo.bar', '--password=1234abcd'],
  ]);
  assert.ok(!k.lines.join('\n').includes('1234abcd'));
});

test('rh_subscription: a service level without auto-attach and an unknown key are warnings naming the key, and nothing is registered', async () => {
  const k = makeKit({ osRelease: RHEL9 });
  await k.run(rhSubscription, 'rh_subscription:\n  activation-key: k\n  org: o\n  service-level: self-support\n');
  assert.match(k.warnings().join('\n'), /line 4 col \d+: the service-level key must be used in conjunction with the auto-attach key/);
  assert.match(k.warnings().join('\n'), /rh_subscription did not complete successfully/);
  assert.deepEqual(k.argvs(), [['subscription-manager', 'identity']]);
  assert.deepEqual(verifyRhConfig({ 'activation-key': 'k', org: 'o', orgs: 'x' })?.key, 'orgs');
  assert.equal(registerWords({ 'activation-key': 'k' }), null);
  assert.deepEqual(repoIds('+----+\nRepo ID:   rhel-9-appstream\nRepo Name: x\nRepo ID:   other\n'), ['rhel-9-appstream', 'other']);
});

test('rh_subscription: on Fedora it runs, on Rocky it is not for this distro', async () => {
  const f = makeKit({ osRelease: 'ID=fedora\nVERSION_ID=40\n' });
  await f.run(rhSubscription, rhSubscription.examples[1] as string);
  assert.deepEqual(f.argvs().at(-1), ['subscription-manager', 'register', '--activationkey=foobar', '--org=ABC']);
  const r = makeKit();
  r.write('etc/os-release', 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n');
  await r.run(rhSubscription, rhSubscription.examples[1] as string);
  assert.deepEqual(r.argvs(), []);
});

test('rh_subscription: the password and the activation key are in no log, status, instance data or journal stream', () => {
  const marker = 'Rh7MARKERsec';
  // Both given: the key registers, and neither may show.
  const b = bootRhel(`#cloud-config\nrh_subscription:\n  activation-key: key-${marker}\n  org: ABC\n  username: joe@foo.bar\n  password: 'pw-${marker}'\n`);
  assert.ok(b.argvs.some((a) => a[0] === 'subscription-manager' && a[1] === 'register' && a.includes(`--activationkey=key-${marker}`)));
  assert.deepEqual(leaksOf(b, marker), []);
});
