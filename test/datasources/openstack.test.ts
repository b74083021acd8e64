// The OpenStack datasource against a fake Nova metadata service on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openStackDatasource, chooseOpenStackVersion, parseOpenStackMetadata, normalizePublicKeys, vendordataBytes } from '../../packages/core/src/datasources/openstack.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, refusedUrl, rootWithDmi, send, serve, testHost, testLogger, settle } from './helpers.js';

const META = {
  uuid: '83679162-1378-4288-a2d4-70e13ec132aa',
  hostname: 'nova-test.novalocal',
  availability_zone: 'nova',
  public_keys: { mykey: 'ssh-ed25519 AAAAC3Nza mykey' },
  admin_pass: 'hunter2',
  files: [{ path: '/etc/motd', content_path: '/content/0000' }],
  meta: { role: 'web' },
};
const NETWORK = { links: [{ id: 'tap1', type: 'phy', ethernet_mac_address: 'fa:16:3e:00:00:01' }], networks: [], services: [] };

type Override = (url: string, res: ServerResponse) => boolean;

/** A Nova metadata service; `override` may answer a request itself (faults). */
function nova(override: Override = () => false) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (override(url, res)) return;
    const files: Record<string, string> = {
      '/openstack': '2012-08-10\n2013-04-04\n2018-08-27\n2099-01-01\nlatest',
      '/openstack/2018-08-27/meta_data.json': JSON.stringify(META),
      '/openstack/2018-08-27/user_data': '#cloud-config\nruncmd: [echo hi]\n',
      '/openstack/2018-08-27/vendor_data.json': JSON.stringify({ 'cloud-init': '#cloud-config\npackages: [htop]\n' }),
      '/openstack/2018-08-27/network_data.json': JSON.stringify(NETWORK),
      '/openstack/content/0000': 'Welcome\n',
      '/2009-04-04/meta-data/': 'instance-id\nblock-device-mapping/\niam/',
      '/2009-04-04/meta-data/instance-id': 'i-00000001',
      '/2009-04-04/meta-data/block-device-mapping/': 'ami\nephemeral0',
      '/2009-04-04/meta-data/block-device-mapping/ami': 'vda',
      '/2009-04-04/meta-data/block-device-mapping/ephemeral0': 'vdb',
      '/2009-04-04/meta-data/iam/': 'security-credentials/',
      '/2009-04-04/meta-data/iam/security-credentials/': 'role',
      '/2009-04-04/meta-data/iam/security-credentials/role': '{"SecretAccessKey": "k"}',
    };
    if (url in files) send(res, 200, files[url] as string);
    else send(res, 404, 'Not Found');
  };
}

const novaRoot = () => rootWithDmi({ product_name: 'OpenStack Nova', sys_vendor: 'OpenStack Foundation' });
const cfg = (url: string, extra: Record<string, unknown> = {}) => ({ metadata_urls: [url], timeout: 0.5, retries: 2, max_wait: 3, ...extra });

test('reads the newest supported version: metadata, user-data, vendor-data, network, files; secrets apart', async () => {
  const srv = await serve(nova());
  const { log } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.dsname, 'OpenStack');
    assert.equal(r.instanceId, META.uuid);
    assert.equal(r.localHostname, 'nova-test.novalocal');
    assert.equal(r.availabilityZone, 'nova');
    assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3Nza mykey']);
    assert.equal(r.dsmode, 'net');
    assert.equal(r.description, 'DataSourceOpenStack [net,ver=2]');
    assert.equal(r.subplatform, `metadata (${srv.url})`);
    assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo hi]\n');
    assert.equal(Buffer.from(r.vendordata!).toString(), '#cloud-config\npackages: [htop]\n');
    assert.deepEqual(r.networkConfig, { format: 'network_data.json', config: NETWORK, source: `${srv.url}/openstack/2018-08-27/network_data.json` });
    assert.deepEqual(r.files, [{ path: '/etc/motd', content: new Uint8Array(Buffer.from('Welcome\n')) }]);
    assert.equal(r.metadata['admin_pass'], undefined);
    assert.deepEqual(r.ec2Metadata, { 'instance-id': 'i-00000001', 'block-device-mapping': { ami: 'vda', ephemeral0: 'vdb' }, iam: {} });
    assert.deepEqual(r.sensitive, { admin_pass: 'hunter2', 'ec2-meta-data': { iam: { 'security-credentials': { role: { SecretAccessKey: 'k' } } } } });
    assert.ok(!srv.seen.some((s) => s.includes('latest')), 'a dated version was used');
  } finally {
    await srv.close();
  }
});

test('404 for every optional file is fine; only "latest" listed uses latest', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/openstack') send(res, 200, 'latest\n');
    else if (req.url === '/openstack/latest/meta_data.json') send(res, 200, JSON.stringify({ uuid: 'i-1' }));
    else send(res, 404, 'nope');
  });
  const { log } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.instanceId, 'i-1');
    assert.equal(r.userdata, null);
    assert.equal(r.vendordata, null);
    assert.equal(r.networkConfig, null);
    assert.deepEqual(r.publicKeys, []);
    assert.equal(r.ec2Metadata, undefined);
  } finally {
    await srv.close();
  }
});

test('500 then success on meta_data.json: retried and read', async () => {
  let fails = 0;
  const srv = await serve(
    nova((url, res) => {
      if (url.endsWith('meta_data.json') && fails++ === 0) {
        send(res, 500, 'Internal Server Error');
        return true;
      }
      return false;
    }),
  );
  const { log } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(srv.url), log));
    assert.equal(r?.instanceId, META.uuid);
    assert.equal(srv.seen.filter((s) => s.endsWith('meta_data.json')).length, 2);
  } finally {
    await srv.close();
  }
});

test('connection refused: not found (null), a warning names the URL, given up after the retries', async () => {
  const url = await refusedUrl();
  const { log, lines } = testLogger();
  const r = await settle(() => openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(url), log)));
  assert.equal(r.error, undefined);
  assert.equal(r.value, null);
  assert.ok(
    lines.some((l) => l.includes('[WARNING]') && l.includes(`${url}/openstack: connection failed: ECONNREFUSED`) && /gave up after \d+ attempts?/.test(l)),
    lines.join('\n'),
  );
});

test('a meta_data.json that never ends: a clear error naming the per-request timeout', async () => {
  const srv = await serve(
    nova((url, res) => {
      if (!url.endsWith('meta_data.json')) return false;
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"uuid": "');
      return true;
    }),
  );
  const { log } = testLogger();
  try {
    const r = await settle(() => openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(srv.url), log)));
    assert.ok(r.error instanceof DatasourceError, String(r.error));
    assert.match(r.error.message, /meta_data\.json: body not complete within 500 ms/);
  } finally {
    await srv.close();
  }
});

test('truncated JSON in meta_data.json and network_data.json: an error naming the URL', async () => {
  for (const file of ['meta_data.json', 'network_data.json']) {
    const srv = await serve(
      nova((url, res) => {
        if (!url.endsWith(file)) return false;
        send(res, 200, '{"uuid": "83679162-13');
        return true;
      }),
    );
    const { log } = testLogger();
    try {
      await assert.rejects(openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(srv.url), log)), (e: Error) => {
        assert.ok(e instanceof DatasourceError);
        assert.match(e.message, new RegExp(`${srv.url}/openstack/2018-08-27/${file.replace('.', '\\.')}: not valid JSON`));
        return true;
      });
    } finally {
      await srv.close();
    }
  }
});

test('no /openstack (404) means not here; a second metadata_url is tried', async () => {
  const empty = await serve((_req, res) => send(res, 404, 'no'));
  const good = await serve(nova());
  const { log } = testLogger();
  try {
    assert.equal(await openStackDatasource.find(dsContext(testHost(novaRoot()), cfg(empty.url), log)), null);
    const r = await openStackDatasource.find(dsContext(testHost(novaRoot()), { ...cfg(empty.url), metadata_urls: [empty.url, good.url] }, log));
    assert.equal(r?.subplatform, `metadata (${good.url})`);
  } finally {
    await empty.close();
    await good.close();
  }
});

test('DMI that is not OpenStack: no request at all', async () => {
  const srv = await serve(nova());
  const { log } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(rootWithDmi({ product_name: 'Standard PC (Q35 + ICH9, 2009)' })), cfg(srv.url), log));
    assert.equal(r, null);
    assert.deepEqual(srv.seen, []);
  } finally {
    await srv.close();
  }
});

test("every OpenStack marker cloud-init 25.x accepts is found: Nova product names, the public clouds' chassis asset tags, PID 1's product_name", () => {
  const found = [
    machineFacts({ productName: 'OpenStack Nova' }),
    machineFacts({ productName: 'OpenStack Compute' }),
    ...['OpenTelekomCloud', 'SAP CCloud VM', 'HUAWEICLOUD', 'Samsung Cloud Platform', 'OpenStack Nova', 'OpenStack Compute'].map((tag) => machineFacts({ chassisAssetTag: tag })),
    machineFacts({}, { pid1ProductName: 'OpenStack Nova' }),
  ];
  for (const f of found) {
    const d = openStackDatasource.detect(f);
    assert.equal(d.verdict, 'found', JSON.stringify(f.dmi));
    assert.match(d.reason, /OpenStack|Cloud|CCloud|HUAWEI|Nova|Compute/);
  }
  // Not OpenStack: another product, a tag that only looks alike, the markers inside a container.
  assert.equal(openStackDatasource.detect(machineFacts({ productName: 'Standard PC (Q35 + ICH9, 2009)' })).verdict, 'not-found');
  assert.equal(openStackDatasource.detect(machineFacts({ chassisAssetTag: 'Samsung Cloud' })).verdict, 'not-found');
  assert.equal(openStackDatasource.detect(machineFacts({ chassisAssetTag: 'HUAWEICLOUD' }, { container: 'lxc' })).verdict, 'not-found');
  // A config drive carries the same data without a network wait.
  assert.equal(openStackDatasource.detect(machineFacts({ productName: 'OpenStack Nova' }, { seeds: { ...machineFacts().seeds, configDrive: '/config-drive' } })).verdict, 'not-found');
  // Not x86: its DMI (when there is one) does not name Nova, so "maybe", as ds-identify says.
  const arm = openStackDatasource.detect(machineFacts({ productName: 'KVM Virtual Machine' }, { x86: false }));
  assert.equal(arm.verdict, 'maybe');
  assert.match(arm.reason, /not an x86 machine/);
});

test('the metadata service is asked on a Samsung Cloud Platform instance (chassis asset tag)', async () => {
  const srv = await serve(nova());
  const { log } = testLogger();
  try {
    const r = await openStackDatasource.find(dsContext(testHost(rootWithDmi({ product_name: 'Standard PC', chassis_asset_tag: 'Samsung Cloud Platform' })), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.platform, 'openstack');
  } finally {
    await srv.close();
  }
});

test('pure helpers: version choice, keys, vendor data, metadata checks', () => {
  assert.equal(chooseOpenStackVersion(['2012-08-10', '2016-06-30', 'latest']), '2016-06-30');
  assert.equal(chooseOpenStackVersion(['2099-01-01', 'latest']), 'latest');
  assert.equal(chooseOpenStackVersion([]), 'latest');
  assert.deepEqual(normalizePublicKeys({ a: 'k1\nk2\n', b: ['k3'] }), ['k1', 'k2', 'k3']);
  assert.deepEqual(normalizePublicKeys('k1'), ['k1']);
  assert.deepEqual(normalizePublicKeys(undefined), []);
  assert.equal(vendordataBytes({ 'cloud-init': null }, 'x'), null);
  assert.equal(Buffer.from(vendordataBytes(['#cloud-config\n{}'], 'x')!).toString(), '#cloud-config-archive\n["#cloud-config\\n{}"]\n');
  assert.throws(() => vendordataBytes({ 'cloud-init': { a: 1 } }, 'vd.json'), /vd\.json: vendor data "cloud-init" must be a string or a list/);
  assert.throws(() => parseOpenStackMetadata([], 'md.json'), /md\.json: expected a JSON object/);
  assert.throws(() => parseOpenStackMetadata({ hostname: 'x' }, 'md.json'), /no "uuid"/);
  assert.throws(() => parseOpenStackMetadata({ uuid: 'u', files: [{ path: '/x' }] }, 'md.json'), /files\[0\] needs/);
  assert.equal(parseOpenStackMetadata({ uuid: 'u', dsmode: 'local' }, 'md').dsmode, 'local');
});
