// snap: the documented examples booted on Ubuntu: assertions acked from the instance's
// snapd.assertions, commands run in order with `snap` put in front of list commands,
// and nothing done on a distro cloud-init does not run snap on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { bootExample } from './boot-example.js';
import { snap, snapCommands } from '../../packages/core/src/modules/snap.js';

test('snap: the documented assertions-and-commands example on Ubuntu waits for seeding, acks the assertions and runs the commands in key order', () => {
  const b = bootUbuntu(snap.examples[0] as string, { tools: ['snap'] });
  assert.match(b.status, /done/, b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(b.errors, []);
  assert.equal(b.read(`${b.inst}/snapd.assertions`), 'signed_assertion_blob_here\n\nsigned_assertion_blob_here\n');
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'snap' || a[0] === 'sh'),
    [
      ['snap', 'wait', 'system', 'seed.loaded'],
      ['snap', 'ack', '/var/lib/cloud/instance/snapd.assertions'],
      ['sh', '-c', 'snap create-user --sudoer --known <snap-user>@mydomain.com'],
      ['sh', '-c', 'snap install canonical-livepatch'],
      ['sh', '-c', 'canonical-livepatch enable <AUTH_TOKEN>'],
    ],
  );
  // The one command that does not start with "snap " is warned about, as cloud-init does.
  assert.ok(b.read('var/log/cloud-init.log').includes('non-snap commands in snap config'));
  assert.ok(b.exists('var/lib/cloud/sem/snap_seeded.once'));
});

test('snap: the documented list and mapping command examples give the same four commands, with snap put in front of a list without it', async () => {
  const want = [
    ['snap', 'install', 'vlc'],
    ['snap', 'install', 'vlc'],
    ['sh', '-c', 'snap install vlc'],
    ['sh', '-c', 'snap install vlc'],
  ];
  const b = bootUbuntu(snap.examples[1] as string);
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'snap' || a[0] === 'sh'),
    want,
  );
  const k = makeKit({ osRelease: UBUNTU2404 });
  await k.run(snap, snap.examples[2] as string);
  assert.deepEqual(k.argvs(), want);
});

test('snap: a list of assertions is joined into one file and acked once; without snap in the image there is no seeding wait', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  await k.run(snap, snap.examples[3] as string);
  assert.equal(k.read('var/lib/cloud/instance/snapd.assertions'), 'signed_assertion_blob_here\nsigned_assertion_blob_here\n');
  assert.deepEqual(k.argvs(), [['snap', 'ack', '/var/lib/cloud/instance/snapd.assertions']]);
});

test('snap command planning: a leading null keeps a list as given, keys order a mapping numerically, bad items are named', () => {
  assert.deepEqual(snapCommands({ 10: ['b'], 9: ['a'] }).commands, [{ argv: ['snap', 'a'] }, { argv: ['snap', 'b'] }]);
  assert.deepEqual(snapCommands([[null, 'snapctl', 'get'], 'echo hi']), { commands: [{ argv: ['snapctl', 'get'] }, { shell: 'echo hi' }], bad: [], notSnap: ['echo hi'] });
  assert.equal(snapCommands([42]).bad[0]?.key, 0);
});

test('snap refuses a bad command with its line and runs none of them', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  await assert.rejects(k.run(snap, 'snap:\n  commands:\n    - [install, vlc]\n    - {a: 1}\n'), /no snap command was run/);
  assert.match(k.errors()[0] ?? '', /user-data line 4 col \d+: snap\.commands\.1: expected a command/);
  assert.deepEqual(k.argvs(), []);
});

test('snap is not for Debian: the boot says so, runs no snap command, and unverified_modules runs it anyway', async () => {
  const b = bootExample(snap.examples[2] as string);
  assert.equal(b.status, 'done');
  assert.deepEqual(b.errors, []);
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'snap'),
    [],
  );
  // Skipped before it ran, as cloud-init does: no semaphore, so a later unverified_modules still runs it.
  assert.ok(!b.exists(`${b.inst}/sem/config_snap`));
  assert.ok(b.exists(`${b.inst}/sem/config_runcmd`) || b.exists(`${b.inst}/sem/config_write_files`) || b.exists(`${b.inst}/sem/config_locale`));
  assert.match(b.read('var/log/cloud-init.log'), /snap: not verified on distro debian \(it is for ubuntu\); add snap to unverified_modules to run it anyway; skipped/);
  const forced = makeKit();
  await forced.run(snap, `${snap.examples[2] as string}unverified_modules: [snap]\n`);
  assert.equal(forced.argvs().filter((a) => a[0] === 'snap').length, 2);
});
