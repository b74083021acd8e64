// collect-logs without -u: the tarball people attach to bug reports holds the logs and
// state, and nothing made from user-data or vendor-data (the bootcmd script included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHost } from '../../packages/core/src/host/host.js';
import { collectLogs } from '../../packages/core/src/state/collect-logs.js';
import { tempDir } from '../helpers/temp-root.js';

const SECRET = 'MARKER-BOOTCMD-SECRET-4d2c';

function rootWithInstance(): string {
  const root = tempDir('nimbus-collect-');
  const put = (rel: string, text: string, mode = 0o600) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text, { mode });
  };
  const inst = 'var/lib/cloud/instances/iid-1';
  put('var/log/cloud-init.log', '2026-12-03 10:00:00,000 - init[INFO]: hello\n', 0o640);
  put(`${inst}/datasource`, 'DataSourceNoCloud: seed\n', 0o644);
  put(`${inst}/boot-finished`, '1.0\n', 0o644);
  put(`${inst}/bootcmd`, `#!/bin/sh\necho ${SECRET}\n`, 0o700);
  put(`${inst}/user-data.txt`, `#cloud-config\nbootcmd: [echo ${SECRET}]\n`);
  put(`${inst}/schema-check.json`, `{"problems":["bootcmd: ${SECRET}"]}\n`);
  put(`${inst}/scripts/runcmd`, `#!/bin/sh\necho ${SECRET}\n`, 0o700);
  fs.symlinkSync('/var/lib/cloud/instances/iid-1', path.join(root, 'var/lib/cloud/instance'));
  return root;
}

test('collect-logs without -u leaves out the bootcmd script and every other file made from user-data', () => {
  const host = createHost({ root: rootWithInstance(), exec: 'record' });
  const { archive, included, left } = collectLogs(host, { includeUserdata: false, extra: {} });
  const tar = gunzipSync(archive).toString('latin1');
  assert.ok(!tar.includes(SECRET), `the tarball holds user data: …${tar.slice(Math.max(0, tar.indexOf(SECRET) - 200), tar.indexOf(SECRET) + 50)}`);
  assert.ok(included.includes('/var/log/cloud-init.log'));
  assert.ok(included.includes('/var/lib/cloud/instance/datasource'));
  for (const f of ['bootcmd', 'user-data.txt', 'schema-check.json']) assert.ok(left.includes(`/var/lib/cloud/instance/${f}`), `${f} is listed as left out: ${left.join(', ')}`);
});

test('collect-logs -u packs the bootcmd script with the user-data', () => {
  const host = createHost({ root: rootWithInstance(), exec: 'record' });
  const { archive, left } = collectLogs(host, { includeUserdata: true, extra: {} });
  assert.ok(gunzipSync(archive).toString('latin1').includes(`echo ${SECRET}`));
  assert.deepEqual(left, []);
});
