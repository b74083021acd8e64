// vendor_data2.json on a config drive and on the OpenStack metadata service: cloud-init
// applies it as a second vendor-data layer, which nimbus does not have yet; one that is
// there gets a warning saying it was not applied, never a silent drop, and the rest is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configDrive } from '../../packages/core/src/datasources/configdrive.js';
import { openStackDatasource } from '../../packages/core/src/datasources/openstack.js';
import { dsContext, put, rootWithDmi, send, serve, tempDir, testHost, testLogger } from './helpers.js';

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

test("the metadata service's vendor_data2.json (Newton and later) gets the same warning; older versions are not asked", async () => {
  const files: Record<string, string> = {
    '/openstack': '2013-04-04\n2016-10-06\nlatest',
    '/openstack/2016-10-06/meta_data.json': JSON.stringify({ uuid: 'iid-n' }),
    '/openstack/2016-10-06/vendor_data2.json': JSON.stringify({ 'cloud-init': '#cloud-config\n' }),
  };
  const srv = await serve((req, res) => (req.url && req.url in files ? send(res, 200, files[req.url] as string) : send(res, 404, 'no')));
  const { log, lines } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(rootWithDmi({ product_name: 'OpenStack Nova' })), { metadata_urls: [srv.url], timeout: 1, retries: 1, max_wait: 10 }, log));
    assert.equal(r?.instanceId, 'iid-n');
    assert.ok(lines.some((l) => l.includes(`not supported: ${srv.url}/openstack/2016-10-06/vendor_data2.json (a second vendor-data) was not applied`)));
  } finally {
    await srv.close();
  }
  const old = await serve((req, res) =>
    req.url === '/openstack' ? send(res, 200, '2013-04-04') : req.url === '/openstack/2013-04-04/meta_data.json' ? send(res, 200, { uuid: 'iid-o' }) : send(res, 404, 'no'),
  );
  try {
    const r = await openStackDatasource.find(
      dsContext(testHost(rootWithDmi({ product_name: 'OpenStack Nova' })), { metadata_urls: [old.url], timeout: 1, retries: 1, max_wait: 10 }, testLogger().log),
    );
    assert.equal(r?.instanceId, 'iid-o');
    assert.ok(!old.seen.some((s) => s.includes('vendor_data2')));
  } finally {
    await old.close();
  }
});
