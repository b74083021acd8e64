// ubuntu_autoinstall: autoinstall is Subiquity's, so on Ubuntu the module only waits
// for snapd and looks for the installer snap; the schema checks the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { installerIn, ubuntuAutoinstall } from '../../packages/core/src/modules/ubuntu-autoinstall.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

test('ubuntu_autoinstall: the documented example on Ubuntu waits for snapd seeding and lists the snaps, changing nothing', () => {
  const b = bootUbuntu(ubuntuAutoinstall.examples[0] as string, { tools: ['snap'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'snap'),
    [
      ['snap', 'wait', 'system', 'seed.loaded'],
      ['snap', 'list'],
    ],
  );
});

test('ubuntu_autoinstall: an autoinstall without an integer version is a schema problem with its line; the installer snap is found in snap list', async () => {
  const r = checkCloudConfigText('#cloud-config\nautoinstall:\n  identity: {hostname: x}\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line]),
    [['ud.yaml', 2]],
  );
  assert.equal(installerIn('Name  Version\ncore22  2024\nsubiquity  24.04\n'), 'subiquity');
  assert.equal(installerIn('Name  Version\ncore22  2024\n'), null);
  const k = makeKit({ osRelease: UBUNTU2404 });
  await k.run(ubuntuAutoinstall, ubuntuAutoinstall.examples[0] as string);
  assert.deepEqual(k.argvs(), [['snap', 'list']]);
});
