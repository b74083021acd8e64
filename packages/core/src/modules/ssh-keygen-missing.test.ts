import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../../../../test/helpers/temp-root.js';

// An image without OpenSSH (no ssh-keygen in the root), with commands run in it: the ssh
// module warns once instead of failing the boot, as cloud-init does.
test('no ssh-keygen in the image: a warning, not an error', { skip: process.getuid?.() !== 0 && 'chroot needs root' }, () => {
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../..');
  const root = tempDir('nimbus-nokeygen-');
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(
    path.join(root, 'etc/cloud/cloud.cfg'),
    'datasource_list: [None]\nnetwork: {config: disabled}\ncloud_init_modules: [ssh]\ncloud_config_modules: []\ncloud_final_modules: []\nssh_genkeytypes: [ed25519]\n',
  );
  const r = spawnSync(process.execPath, [path.join(repo, 'dist/nimbus.js'), '--root', root, '--exec', 'chroot', 'single', '--name', 'ssh', '--frequency', 'always'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /ssh-keygen is not installed in this image: no host keys were generated/);
});
