// vendor_data2.json on a config drive and on the OpenStack metadata service: the second
// vendor-data layer, as cloud-init 25 applies it: consumed after vendor-data with its own
// switch (vendor_data2), stored as vendor-data2.txt and vendor2-cloud-config.txt, its
// scripts beside vendor-data's in scripts/vendor; its cloud-config above vendor-data's
// and below the user's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configDrive } from '../../packages/core/src/datasources/configdrive.js';
import { openStackDatasource } from '../../packages/core/src/datasources/openstack.js';
import { boot, driveWith, exists, instanceDir, makeRoot, read, recorded, setUserData, statOf } from '../helpers/boot.js';
import { dsContext, put, rootWithDmi, send, serve, tempDir, testHost, testLogger } from './helpers.js';

test('a config drive with vendor_data2.json gives the second vendor-data beside the first', async () => {
  const root = tempDir();
  const base = 'var/lib/cloud/seed/config_drive/openstack/latest';
  put(root, `${base}/meta_data.json`, JSON.stringify({ uuid: 'iid-vd2', hostname: 'vd2' }));
  put(root, `${base}/vendor_data.json`, JSON.stringify({ 'cloud-init': '#cloud-config\npackages: [htop]\n' }));
  put(root, `${base}/vendor_data2.json`, JSON.stringify({ 'cloud-init': '#cloud-config\nruncmd: [echo two]\n' }));
  const { log, lines } = testLogger();
  const r = await configDrive.find(dsContext(testHost(root), {}, log, 'local'));
  assert.equal(r?.instanceId, 'iid-vd2');
  assert.equal(Buffer.from(r!.vendordata!).toString(), '#cloud-config\npackages: [htop]\n');
  assert.equal(Buffer.from(r!.vendordata2!).toString(), '#cloud-config\nruncmd: [echo two]\n');
  assert.ok(!lines.some((l) => l.includes('not supported')), lines.join('\n'));
  // Without one: none.
  const plain = tempDir();
  put(plain, `${base}/meta_data.json`, JSON.stringify({ uuid: 'iid-1' }));
  const r2 = await configDrive.find(dsContext(testHost(plain), {}, testLogger().log, 'local'));
  assert.equal(r2?.vendordata2, null);
});

test("the metadata service's vendor_data2.json (Newton and later) is read; older versions are not asked", async () => {
  const files: Record<string, string> = {
    '/openstack': '2013-04-04\n2016-10-06\nlatest',
    '/openstack/2016-10-06/meta_data.json': JSON.stringify({ uuid: 'iid-n' }),
    '/openstack/2016-10-06/vendor_data2.json': JSON.stringify({ 'cloud-init': '#cloud-config\nhostname: dynamic\n' }),
  };
  const srv = await serve((req, res) => (req.url && req.url in files ? send(res, 200, files[req.url] as string) : send(res, 404, 'no')));
  try {
    const r = await openStackDatasource.find(
      dsContext(testHost(rootWithDmi({ product_name: 'OpenStack Nova' })), { metadata_urls: [srv.url], timeout: 1, retries: 1, max_wait: 10 }, testLogger().log),
    );
    assert.equal(r?.instanceId, 'iid-n');
    assert.equal(Buffer.from(r!.vendordata2!).toString(), '#cloud-config\nhostname: dynamic\n');
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
    assert.equal(r?.vendordata2, null);
    assert.ok(!old.seen.some((s) => s.includes('vendor_data2')));
  } finally {
    await old.close();
  }
});

/** The example drive with these vendor-data, vendor-data2 and user-data documents. */
function drive(vendor: string, vendor2: string, user: string): string {
  return driveWith((d) => {
    for (const v of fs.readdirSync(path.join(d, 'openstack'))) {
      fs.writeFileSync(path.join(d, 'openstack', v, 'vendor_data.json'), JSON.stringify({ 'cloud-init': vendor }));
      fs.writeFileSync(path.join(d, 'openstack', v, 'vendor_data2.json'), JSON.stringify({ 'cloud-init': vendor2 }));
    }
    setUserData(d, user);
  });
}

const files = (who: string) => `#cloud-config\nwrite_files:\n  - path: /srv/from-${who}\n    content: ${who}\n`;
/** The instance directory inside the root (the `instance` link is absolute inside it). */
const inst = (root: string) => instanceDir(root).replace(/^\//, '');

test('a boot from a config drive with vendor_data2.json: its cloud-config overrides vendor-data and yields to user-data', () => {
  // vendor-data2 above vendor-data: write_files is a list, so the higher layer's replaces the other's.
  const root = makeRoot({ drive: drive(files('vendor'), files('vendor2'), '#cloud-config\nruncmd: [echo user]\n') });
  boot(root).forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'srv/from-vendor2'), 'vendor2');
  assert.ok(!exists(root, 'srv/from-vendor'));
  assert.equal(read(root, `${inst(root)}/vendor-data2.txt`), files('vendor2'));
  assert.equal(statOf(root, `${inst(root)}/vendor-data2.txt`).mode & 0o777, 0o600);
  assert.equal(read(root, `${inst(root)}/vendor2-cloud-config.txt`), files('vendor2'));
  assert.equal(read(root, `${inst(root)}/vendor-cloud-config.txt`), files('vendor'));
  // user-data above both.
  const mine = makeRoot({ drive: drive(files('vendor'), files('vendor2'), files('user')) });
  boot(mine).forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(mine, 'srv/from-user'), 'user');
  assert.ok(!exists(mine, 'srv/from-vendor2') && !exists(mine, 'srv/from-vendor'));
});

test('vendor_data2: {enabled: false} in the image turns off only the second vendor-data', () => {
  const root = makeRoot({ drive: drive(files('vendor'), files('vendor2'), '#cloud-config\nruncmd: [echo user]\n') });
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/90-no-vd2.cfg'), 'vendor_data2: {enabled: false}\n');
  const runs = boot(root);
  runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'srv/from-vendor'), 'vendor');
  assert.ok(!exists(root, 'srv/from-vendor2'));
  assert.equal(read(root, `${inst(root)}/vendor2-cloud-config.txt`), '');
  assert.match(read(root, 'var/log/cloud-init.log'), /vendor-data2 is disabled \(vendor_data2\.enabled is false\): none of it was applied/);
});

test("vendor-data2's scripts are stored beside vendor-data's in scripts/vendor and both run", () => {
  const mime = [
    'Content-Type: multipart/mixed; boundary="XX"',
    'MIME-Version: 1.0',
    '',
    '--XX',
    'Content-Type: text/x-shellscript; charset="us-ascii"',
    'Content-Disposition: attachment; filename="two.sh"',
    '',
    '#!/bin/sh',
    'echo vendor-two',
    '--XX--',
    '',
  ].join('\n');
  const root = makeRoot({ drive: drive('#!/bin/sh\necho vendor-one\n', mime, '#cloud-config\nruncmd: [echo user]\n') });
  boot(root).forEach((r) => assert.equal(r.code, 0, r.stderr));
  const dir = `${inst(root)}/scripts/vendor`;
  const names = fs.readdirSync(path.join(root, dir)).sort();
  assert.equal(names.length, 2, names.join(' '));
  assert.ok(names.includes('two.sh'));
  assert.equal(read(root, `${dir}/two.sh`), '#!/bin/sh\necho vendor-two');
  assert.equal(read(root, `${dir}/${names.find((n) => n !== 'two.sh')}`), '#!/bin/sh\necho vendor-one\n');
  const ran = recorded(root).filter((a) => a[0]?.includes('/scripts/vendor/') === true);
  assert.equal(ran.length, 2, JSON.stringify(ran));
});
