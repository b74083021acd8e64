// `nimbus single` run after init-local but before (or while) init handles user-data: the
// module must run on the whole configuration, not on an empty store, or the user's users
// and sudo rules are lost for good while status says the module ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, driveWith, exists, makeRoot, read, recorded, setUserData, stage } from '../helpers/boot.js';

const USER_DATA = '#cloud-config\nusers:\n  - default\n  - name: alice\n    sudo: "ALL=(ALL) NOPASSWD:ALL"\n';

test('single --name users_groups run before init creates the user-data users and sudo rules, and init does not lose them', () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, USER_DATA)) });
  assert.equal(stage(root, 'local').code, 0);
  const single = cli(root, 'single', '--name', 'users_groups');
  assert.equal(single.code, 0, single.stderr);
  // The module ran on the user's configuration...
  assert.ok(
    recorded(root).some((a) => a[0] === 'useradd' && a.includes('alice')),
    recorded(root)
      .map((a) => a.join(' '))
      .join('\n'),
  );
  assert.match(read(root, 'etc/sudoers.d/90-cloud-init-users'), /alice ALL=\(ALL\) NOPASSWD:ALL/);
  assert.match(single.stderr, /has not handled the user-data of .* yet: handling it first/);
  // ...and the boot goes on as usual: init skips the module that already ran, and the rule stays.
  for (const s of ['init', 'config', 'final'] as const) assert.equal(stage(root, s).code, 0);
  assert.ok(exists(root, 'etc/sudoers.d/90-cloud-init-users'));
  assert.match(read(root, 'etc/sudoers.d/90-cloud-init-users'), /alice/);
  assert.equal(recorded(root).filter((a) => a[0] === 'useradd' && a.includes('alice')).length, 1, 'alice was created once');
});
