// mcollective: the documented example booted on Debian and Rocky (whose stock lists run
// mcollective): the package installed, server.cfg merged as ConfigObj merges it (the
// image's kept as .old), the certificates (private 0600), `service mcollective restart`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample, DEBIAN12, ROCKY9 } from './boot-example.js';
import { secretLeaks } from './key-leaks.js';
import { mcollective } from '../../packages/core/src/modules/mcollective.js';

const EXAMPLE = mcollective.examples[0] as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];
const IMAGE_CFG = '# main\nmain_collective = mcollective\ncollectives = mcollective\nloglevel = info\n\n# plugins\nplugin.stomp.port = 61613\n';
const mine = (argvs: string[][]) => argvs.filter((a) => /^(apt-get|dnf)$/.test(a[0] as string) || (a[0] === 'service' && a[1] === 'mcollective'));

test('mcollective: the documented example installs mcollective, merges server.cfg (image file kept as .old), writes both certificates and restarts the service', () => {
  const b = bootExample(EXAMPLE, { osRelease: DEBIAN12, files: { 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 }, 'etc/mcollective/server.cfg': IMAGE_CFG } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
  assert.deepEqual(mine(b.argvs), [
    [...APT, 'update'],
    [...APT, 'install', 'mcollective'],
    ['service', 'mcollective', 'restart'],
  ]);
  assert.equal(b.read('etc/mcollective/server.cfg.old'), IMAGE_CFG);
  assert.equal(
    b.read('etc/mcollective/server.cfg'),
    '# main\nmain_collective = mcollective\ncollectives = mcollective\nloglevel = debug\n\n# plugins\nplugin.stomp.port = 61613\nplugin.stomp.host = dbhost\nplugin.ssl_server_public = /etc/mcollective/ssl/server-public.pem\nsecurityprovider = ssl\nplugin.ssl_server_private = /etc/mcollective/ssl/server-private.pem\n',
  );
  assert.equal(b.read('etc/mcollective/ssl/server-public.pem'), '-------BEGIN CERTIFICATE--------\n<cert data>\n-------END CERTIFICATE--------\n');
  assert.equal(b.mode('etc/mcollective/ssl/server-public.pem'), 0o644);
  assert.equal(b.mode('etc/mcollective/ssl/server-private.pem'), 0o600);
});

test('mcollective: on Rocky without a server.cfg it is created from the settings, installed with dnf', () => {
  const b = bootExample('#cloud-config\nmcollective:\n  conf:\n    loglevel: warn\n    daemonize: 1\n    registerinterval: 300\n    plugin.psk: "a, b"\n', {
    osRelease: ROCKY9,
    files: { 'usr/bin/dnf': { text: '#!/bin/sh\n', mode: 0o755 } },
  });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
  assert.deepEqual(mine(b.argvs), [
    ['dnf', '-y', 'install', 'mcollective'],
    ['service', 'mcollective', 'restart'],
  ]);
  assert.equal(b.read('etc/mcollective/server.cfg'), 'loglevel = warn\ndaemonize = 1\nregisterinterval = 300\nplugin.psk = "a, b"\n');
  assert.ok(!b.exists('etc/mcollective/server.cfg.old'));
});

test('mcollective: without conf only the package is installed and the service restarted', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  await k.run(mcollective, 'mcollective: {}\n');
  assert.deepEqual(mine(k.argvs()), [
    [...APT, 'update'],
    [...APT, 'install', 'mcollective'],
    ['service', 'mcollective', 'restart'],
  ]);
  assert.ok(!k.exists('etc/mcollective/server.cfg'));
});

test('mcollective: a value with a line break and a setting name with a blank are errors naming their lines; nothing is installed', async () => {
  const k = makeKit();
  const thrown = await k.run(mcollective, 'mcollective:\n  conf:\n    loglevel: "a\\nb"\n    "bad key": x\n').then(
    () => 'no error',
    (e: Error) => e.message,
  );
  const all = [...k.errors(), thrown].join('\n');
  assert.match(all, /line 3 col \d+: mcollective.conf.loglevel: it contains a line break/);
  assert.match(all, /line 4 col \d+: mcollective.conf: "bad key" is not a setting name/);
  assert.deepEqual(k.argvs(), []);
});

test('mcollective: the private certificate is in no log, no journal line and no file others can read', () => {
  const marker = 'Zq7MCOKEYx5';
  const ud = EXAMPLE.replace(/private-cert: \|\n {6}-------BEGIN CERTIFICATE--------\n {6}<cert data>/, `private-cert: |\n      -------BEGIN CERTIFICATE--------\n      ${marker}`);
  assert.ok(ud.includes(marker));
  const b = bootExample(ud, { osRelease: DEBIAN12, files: { 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done');
  assert.deepEqual(secretLeaks(b.root, marker, b.runs), []);
});
