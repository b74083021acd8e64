// salt_minion: the documented example booted on Debian and Rocky (whose stock lists run
// salt_minion): the package installed, minion and grains written as cloud-init's YAML,
// the key pair (private key 0600), the service enabled and restarted, or for a
// masterless minion disabled, stopped and `salt-call --local state.apply`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { makeKit } from './kit.js';
import { bootExample, DEBIAN12, ROCKY9 } from './boot-example.js';
import { secretLeaks } from './key-leaks.js';
import { saltMinion } from '../../packages/core/src/modules/salt-minion.js';
import { pyyamlDump } from '../../packages/core/src/modules/lib/pyyaml-dump.js';
import { PYTHON3 } from '../helpers/python.js';

const MASTERLESS = saltMinion.examples[0] as string;
const MASTER = saltMinion.examples[1] as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];
const mine = (argvs: string[][]) => argvs.filter((a) => /^(apt-get|dnf|salt-call)$/.test(a[0] as string) || (a[0] === 'systemctl' && /salt/.test(a[2] ?? '')));

test('salt_minion: the documented masterless example installs salt-minion, writes minion, grains and the key pair, disables and stops the service and applies the states with salt-call', () => {
  const b = bootExample(MASTERLESS, { osRelease: DEBIAN12, files: { 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
  assert.deepEqual(mine(b.argvs), [
    [...APT, 'update'],
    [...APT, 'install', 'salt-minion'],
    ['systemctl', 'disable', 'salt-minion'],
    ['systemctl', 'stop', 'salt-minion'],
    ['salt-call', '--local', 'state.apply'],
  ]);
  assert.equal(b.read('etc/salt/minion'), '---\nfile_client: local\nfileserver_backend:\n- gitfs\ngitfs_remotes:\n- https://github.com/_user_/_repo_.git\nmaster: salt.example.com\n...\n');
  assert.equal(b.read('etc/salt/grains'), '---\nrole:\n- web\n...\n');
  assert.equal(b.read('etc/salt/pki/minion/minion.pub'), '------BEGIN PUBLIC KEY-------\n<key data>\n------END PUBLIC KEY-------\n');
  assert.equal(b.mode('etc/salt/pki/minion/minion.pub'), 0o644);
  assert.equal(b.read('etc/salt/pki/minion/minion.pem'), '------BEGIN PRIVATE KEY------\n<key data>\n------END PRIVATE KEY-------\n');
  assert.equal(b.mode('etc/salt/pki/minion/minion.pem'), 0o600);
  assert.equal(b.mode('etc/salt/pki/minion'), 0o700);
});

test('salt_minion: a minion with a master on Rocky installs with dnf, enables and restarts the service, and runs no salt-call', () => {
  const b = bootExample(MASTER, { osRelease: ROCKY9, files: { 'usr/bin/dnf': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
  assert.deepEqual(mine(b.argvs), [
    ['dnf', '-y', 'install', 'salt-minion'],
    ['systemctl', 'enable', 'salt-minion'],
    ['systemctl', 'restart', 'salt-minion'],
  ]);
  assert.equal(b.read('etc/salt/minion'), '---\nmaster: salt.example.com\n...\n');
  assert.ok(!b.exists('etc/salt/grains'));
});

test('salt_minion: without pki_dir the keys go to config_dir/pki/minion when it exists, else config_dir/pki; one key alone is not written', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  await k.run(saltMinion, 'salt_minion:\n  config_dir: /srv/salt\n  pkg_name: salt-minion-3007\n  service_name: salt-minion@a\n  public_key: PUB\n  private_key: PEM\n');
  assert.equal(k.read('srv/salt/pki/minion.pem'), 'PEM');
  assert.ok(k.argvs().some((a) => a.join(' ').endsWith('install salt-minion-3007')));
  assert.ok(k.argvs().some((a) => a.join(' ') === 'systemctl restart salt-minion@a'));
  const k2 = makeKit();
  k2.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  k2.write('etc/salt/pki/minion/.keep', '');
  await k2.run(saltMinion, 'salt_minion:\n  public_key: PUB\n  private_key: PEM\n');
  assert.equal(k2.read('etc/salt/pki/minion/minion.pem'), 'PEM');
  const k3 = makeKit();
  k3.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  await k3.run(saltMinion, 'salt_minion:\n  public_key: PUB\n');
  assert.ok(!k3.exists('etc/salt/pki'));
});

test('salt_minion: a bad package name, a relative config_dir and a service name with a blank are errors naming their lines; nothing runs', async () => {
  const k = makeKit();
  const thrown = await k.run(saltMinion, 'salt_minion:\n  pkg_name: "-y"\n  config_dir: etc/salt\n  service_name: "salt minion"\n').then(
    () => 'no error',
    (e: Error) => e.message,
  );
  const all = [...k.errors(), thrown].join('\n');
  assert.match(all, /line 2 col \d+: salt_minion.pkg_name "-y": it starts with "-"/);
  assert.match(all, /line 3 col \d+: salt_minion.config_dir "etc\/salt": expected an absolute path/);
  assert.match(all, /line 4 col \d+: salt_minion.service_name "salt minion": expected a service name/);
  assert.deepEqual(k.argvs(), []);
});

test('salt_minion: the private key is in no log, no journal line and no file others can read', () => {
  const marker = 'Zq7SALTKEYx4';
  const b = bootExample(MASTERLESS.replace('    <key data>\n    ------END PRIVATE', `    ${marker}\n    ------END PRIVATE`), {
    osRelease: DEBIAN12,
    files: { 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 } },
  });
  assert.equal(b.status, 'done');
  assert.deepEqual(secretLeaks(b.root, marker, b.runs), []);
});

test('salt_minion: minion and grains are what cloud-init safeyaml.dumps (PyYAML, indent 4, --- and ...) writes', () => {
  const data = { master: ['m1', 'm2'], grains: { role: 'web', n: 5, l: [1, 'a', { k: 'v', j: 2 }] }, e: {}, f: [], nested: { a: { b: 'yes' } }, s: 'a: b' };
  const py = spawnSync(
    PYTHON3,
    [
      '-c',
      "import sys, json, yaml; sys.stdout.write(yaml.dump(json.load(sys.stdin), line_break='\\n', indent=4, explicit_start=True, explicit_end=True, default_flow_style=False, Dumper=yaml.dumper.SafeDumper))",
    ],
    {
      input: JSON.stringify(data),
      encoding: 'utf8',
    },
  );
  if (py.status !== 0) return; // no python3-yaml on this machine
  assert.equal(pyyamlDump(data, { indent: 4, explicit: true }), py.stdout);
});
