// ConfigDrive's vendor_data2.json: cloud-init applies it as a second vendor-data layer,
// which nimbus does not have yet; a drive that carries one gets a warning saying it was
// not applied, never a silent drop, and the rest of the drive is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configDrive } from '../../packages/core/src/datasources/configdrive.js';
import { dsContext, put, tempDir, testHost, testLogger } from './helpers.js';

test('a config drive with vendor_data2.json is read, with a warning that the second vendor-data was not applied', async () => {
  const root = tempDir();
  const base = 'var/lib/cloud/seed/config_drive/openstack/latest';
  put(root, `${base}/meta_data.json`, JSON.stringify({ uuid: 'iid-vd2', hostname: 'vd2' }));
  put(root, `${base}/vendor_data.json`, JSON.stringify({ 'cloud-init': '#cloud-config\npackages: [htop]\n' }));
  put(root, `${base}/vendor_data2.json`, JSON.stringify({ 'cloud-init': '#cloud-config\nruncmd: [echo two]\n' }));
  const { log, lines } = testLogger();
  const r = await configDrive.find(dsContext(testHost(root), {}, log, 'local'));
  assert.equal(r?.instanceId, 'iid-vd2');
  assert.equal(Buffer.from(r!.vendordata!).toString(), '#cloud-config\npackages: [htop]\n');
  assert.ok(
    lines.some((l) => l.includes('not supported: /var/lib/cloud/seed/config_drive/openstack/latest/vendor_data2.json (a second vendor-data) was not applied')),
    lines.join('\n'),
  );
  // Without one: no warning.
  const plain = tempDir();
  put(plain, `${base}/meta_data.json`, JSON.stringify({ uuid: 'iid-1' }));
  const quiet = testLogger();
  await configDrive.find(dsContext(testHost(plain), {}, quiet.log, 'local'));
  assert.ok(!quiet.lines.some((l) => l.includes('vendor_data2')));
});
