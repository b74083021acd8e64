// ubuntu_drivers: the documented examples booted on Ubuntu: the NVIDIA debconf template
// loaded, then ubuntu-drivers install --gpgpu, only when the license is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { accepted, ubuntuDrivers } from '../../packages/core/src/modules/ubuntu-drivers.js';

test('ubuntu_drivers: the documented examples load the latelink template through debconf and install the NVIDIA driver, latest or the given version', () => {
  const b = bootUbuntu(ubuntuDrivers.examples[0] as string, { tools: ['debconf-communicate', 'ubuntu-drivers'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'debconf-communicate' || a[0] === 'ubuntu-drivers'),
    [
      ['debconf-communicate', '-fnoninteractive', 'cloud-init'],
      ['ubuntu-drivers', 'install', '--gpgpu', 'nvidia'],
    ],
  );
  assert.deepEqual(b.exists('var/tmp/cloud-init') ? fs.readdirSync(`${b.root}/var/tmp/cloud-init`) : [], [], 'the template is removed');
  const v = bootUbuntu(ubuntuDrivers.examples[1] as string, { tools: ['debconf-communicate', 'ubuntu-drivers'] });
  assert.deepEqual(
    v.argvs.find((a) => a[0] === 'ubuntu-drivers'),
    ['ubuntu-drivers', 'install', '--gpgpu', 'nvidia:535'],
  );
});

test('ubuntu_drivers: a license not accepted installs nothing; ubuntu-drivers-common comes first when ubuntu-drivers is missing; no debconf is a warning', async () => {
  const no = makeKit({ osRelease: UBUNTU2404 });
  await no.run(ubuntuDrivers, 'drivers:\n  nvidia:\n    license-accepted: false\n');
  assert.deepEqual(no.argvs(), []);
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/debconf-communicate', '', 0o755);
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(ubuntuDrivers, ubuntuDrivers.examples[0] as string);
  const i = k.argvs().findIndex((a) => a[0] === 'apt-get' && a.includes('ubuntu-drivers-common'));
  assert.ok(i >= 0 && i < k.argvs().findIndex((a) => a[0] === 'ubuntu-drivers'));
  const nd = makeKit({ osRelease: UBUNTU2404 });
  await nd.run(ubuntuDrivers, ubuntuDrivers.examples[0] as string);
  assert.match(nd.warnings().join('\n'), /no debconf-communicate/);
  assert.deepEqual(nd.argvs(), []);
  assert.deepEqual([true, 'yes', 'On', 1, '1', false, 'nah', 0, null].map(accepted), [true, true, true, true, true, false, false, false, false]);
});
