import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost } from '../host/host.js';
import { Logger } from '../log/logger.js';
import { pickVersion, configDrive } from './configdrive.js';
import { noCloud } from './nocloud.js';
import { DatasourceError, type DatasourceContext } from './types.js';
import { findDatasource } from './find.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

function ctx(root: string): DatasourceContext {
  const log = new Logger({ file: () => {}, stderr: () => {} }, { stage: 't', debug: false });
  return { host: createHost({ root }), log, cfg: {}, dsCfg: {}, stage: 'local' };
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

test('config drive version: newest supported date, else latest', () => {
  assert.equal(pickVersion(['2012-08-10', '2018-08-27', 'latest', '2099-01-01']), '2018-08-27');
  assert.equal(pickVersion(['2099-01-01', 'latest']), 'latest');
  assert.equal(pickVersion(['content']), null);
});

test('config drive: uuid, hostname, keys, files, vendor data', async () => {
  const root = tempDir('nimbus-ds-');
  const d = '/config-drive/openstack/latest';
  write(root, `${d}/meta_data.json`, JSON.stringify({ uuid: 'u-1', hostname: 'h1', public_keys: { k: 'ssh-rsa AAA k\n' }, files: [{ path: '/etc/x', content_path: '/content/0000' }] }));
  write(root, '/config-drive/openstack/content/0000', 'injected');
  write(root, `${d}/vendor_data.json`, JSON.stringify({ 'cloud-init': '#cloud-config\na: 1\n', other: {} }));
  write(root, `${d}/user_data`, '#!/bin/sh\n');
  const r = await configDrive.find(ctx(root));
  assert.ok(r);
  assert.equal(r.instanceId, 'u-1');
  assert.equal(r.localHostname, 'h1');
  assert.deepEqual(r.publicKeys, ['ssh-rsa AAA k']);
  assert.equal(Buffer.from(r.files?.[0]?.content ?? []).toString(), 'injected');
  assert.equal(Buffer.from(r.vendordata ?? []).toString(), '#cloud-config\na: 1\n');
  assert.equal(Buffer.from(r.userdata ?? []).toString(), '#!/bin/sh\n');
  assert.equal(await configDrive.currentInstanceId?.(ctx(root)), 'u-1');
});

test('config drive: missing uuid and broken files are DatasourceErrors naming the file', async () => {
  const root = tempDir('nimbus-ds-');
  write(root, '/config-drive/openstack/latest/meta_data.json', '{"name": "x"}');
  await assert.rejects(configDrive.find(ctx(root)), (e: unknown) => e instanceof DatasourceError && /meta_data.json: no "uuid" \(the instance-id\)/.test(e.message));
  write(root, '/config-drive/openstack/latest/meta_data.json', '{"uuid": "x", "files": [{"path": "/a", "content_path": "/content/none"}]}');
  await assert.rejects(configDrive.find(ctx(root)), /files\[0\] content_path \/content\/none is not on the drive/);
  assert.equal(await configDrive.find(ctx(tempDir('nimbus-ds-'))), null);
});

test('NoCloud seed: defaults, keys, network-config', async () => {
  const root = tempDir('nimbus-ds-');
  write(root, '/var/lib/cloud/seed/nocloud/meta-data', 'local-hostname: n1\npublic-keys: [ssh-ed25519 AAA x]\n');
  write(root, '/var/lib/cloud/seed/nocloud/network-config', 'network:\n  version: 2\n  ethernets: {}\n');
  const r = await noCloud.find(ctx(root));
  assert.ok(r);
  assert.equal(r.instanceId, 'nocloud');
  assert.equal(r.description, 'DataSourceNoCloud [seed=/var/lib/cloud/seed/nocloud][dsmode=net]');
  assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAA x']);
  assert.equal(r.networkConfig?.format, 'v2');
  assert.equal(r.userdata, null);
  write(root, '/var/lib/cloud/seed/nocloud/meta-data', 'instance-id: [\n');
  await assert.rejects(noCloud.find(ctx(root)), /seed\/nocloud\/meta-data:\d+:\d+/);
});

test('a datasource whose dsmode is disabled is passed over', async () => {
  const root = tempDir('nimbus-ds-');
  write(root, '/var/lib/cloud/seed/nocloud/meta-data', 'instance-id: i-off\ndsmode: disabled\n');
  write(root, '/config-drive/openstack/latest/meta_data.json', '{"uuid": "i-drive"}');
  const c = ctx(root);
  const found = await findDatasource(c.host, c.log, { datasource_list: ['NoCloud', 'ConfigDrive', 'None'] }, 'local');
  assert.equal(found?.dsname, 'ConfigDrive');
  assert.equal(found?.instanceId, 'i-drive');
});
