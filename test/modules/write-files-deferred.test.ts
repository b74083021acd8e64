// write_files_deferred: the write_files entries marked defer: true, written in the
// final stage, when users created at boot exist and can own them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { writeFilesDeferred } from '../../packages/core/src/modules/write-files-deferred.js';

test('write_files_deferred writes only the deferred entries, owned by a user created during the boot', async () => {
  const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\napp:x:990:990::/var/lib/app:/usr/sbin/nologin\n', group: 'root:x:0:\napp:x:990:\n' });
  await k.run(
    writeFilesDeferred,
    'write_files:\n  - path: /etc/now.conf\n    content: x\n  - path: /var/lib/app/settings.toml\n    owner: app:app\n    permissions: \'0600\'\n    defer: true\n    content: "listen = 1\\n"\n',
  );
  assert.equal(k.exists('etc/now.conf'), false);
  assert.equal(k.read('var/lib/app/settings.toml'), 'listen = 1\n');
  assert.equal(k.mode('var/lib/app/settings.toml'), 0o600);
  const st = fs.statSync(path.join(k.root, 'var/lib/app/settings.toml'));
  assert.deepEqual([st.uid, st.gid], [990, 990]);
});
