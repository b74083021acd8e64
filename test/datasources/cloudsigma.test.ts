// CloudSigma: detection by DMI; the server context mapped as cloud-init maps it, and
// its errors; no port. (cloudsigma-serial.test.ts reads it over a pty stand-in.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cepkoText, cloudSigmaDatasource, cloudsigmaHostname, cloudsigmaResult } from '../../packages/core/src/datasources/cloudsigma.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, rootWithDmi, testHost, testLogger } from './helpers.js';

const CONTEXT = {
  uuid: '65b2fb23-8c03-4187-a3ba-8b7c919e8890',
  name: 'test_server',
  cpu: 1000,
  meta: {
    'cloudinit-dsmode': 'net',
    'cloudinit-user-data': Buffer.from('#cloud-config\nruncmd: [echo sigma]\n').toString('base64'),
    base64_fields: 'cloudinit-user-data',
    ssh_public_key: 'ssh-rsa AAAAB3NzaC1yc2E sigma@cloud',
  },
  vendor_data: { location: 'zrh', cloudinit: '#cloud-config\npackages: [htop]\n' },
};
const sigma = () => rootWithDmi({ product_name: 'CloudSigma' });

test('CloudSigma is found by its DMI product name, never in a container', () => {
  assert.equal(cloudSigmaDatasource.detect(machineFacts({ productName: 'CloudSigma' })).verdict, 'found');
  assert.equal(cloudSigmaDatasource.detect(machineFacts({ productName: 'cloudsigma-kvm' })).verdict, 'found');
  assert.equal(cloudSigmaDatasource.detect(machineFacts({ productName: 'KVM' })).verdict, 'not-found');
  assert.equal(cloudSigmaDatasource.detect(machineFacts({ productName: 'CloudSigma' }, { container: 'docker' })).verdict, 'not-found');
  assert.equal(cloudSigmaDatasource.detect(machineFacts({}, { dmiAvailable: false })).verdict, 'not-found');
  assert.deepEqual(decideDatasources(machineFacts({ productName: 'CloudSigma' }), ['NoCloud', 'CloudSigma', 'Ec2', 'None']).datasources, ['CloudSigma', 'None']);
});

test('the server context maps as cloud-init maps it: uuid, hostname, key, base64 user-data, vendor-data, dsmode', () => {
  const r = cloudsigmaResult(CONTEXT, '/dev/ttyS1');
  assert.equal(r.instanceId, CONTEXT.uuid);
  assert.equal(r.localHostname, 'test_server');
  assert.deepEqual(r.publicKeys, ['ssh-rsa AAAAB3NzaC1yc2E sigma@cloud']);
  assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo sigma]\n');
  assert.equal(Buffer.from(r.vendordata!).toString(), '#cloud-config\npackages: [htop]\n');
  assert.equal(r.dsmode, 'net');
  assert.equal(r.subplatform, 'cepko (/dev/ttyS1)');
  assert.equal(cloudsigmaHostname('bad~name', CONTEXT.uuid), '65b2fb23');
  assert.equal(cloudsigmaHostname('x'.repeat(70), CONTEXT.uuid), 'x'.repeat(61));
  assert.equal(cepkoText(Buffer.from('\x04{"a": 1}\x04\n')), '{"a": 1}');
  // Not listed in base64_fields: the user-data as it is.
  const plain = cloudsigmaResult({ ...CONTEXT, meta: { ...CONTEXT.meta, base64_fields: '', 'cloudinit-user-data': '#cloud-config\n' } }, '/dev/ttyS1');
  assert.equal(Buffer.from(plain.userdata!).toString(), '#cloud-config\n');
});

test('a server context of the wrong shape is an error naming the key', () => {
  const bad = (c: unknown) => () => cloudsigmaResult(c, '/dev/ttyS1');
  assert.throws(bad([1]), (e: Error) => e instanceof DatasourceError && e.message === '/dev/ttyS1: the server context must be a JSON object');
  assert.throws(bad({ uuid: 'u' }), (e: Error) => e.message === '/dev/ttyS1: key "meta": expected an object');
  assert.throws(bad({ meta: {} }), (e: Error) => e.message.includes('key "uuid": missing'));
  assert.throws(bad({ uuid: 'u', meta: { 'cloudinit-user-data': 5 } }), (e: Error) => e.message.includes('key "meta.cloudinit-user-data": expected a string'));
  assert.throws(bad({ uuid: 'u', meta: { 'cloudinit-user-data': '%%%', base64_fields: 'cloudinit-user-data' } }), (e: Error) => e.message.includes('listed in base64_fields but not base64'));
  assert.throws(bad({ uuid: 'u', meta: {}, vendor_data: { cloudinit: ['x'] } }), (e: Error) => e.message.includes('key "vendor_data.cloudinit": expected a string'));
});

test('no serial port, or a port that is not a terminal: not here, with a warning; another DMI: not asked', async () => {
  const { log, lines } = testLogger();
  assert.equal(await cloudSigmaDatasource.find(dsContext(testHost(sigma()), {}, log, 'local')), null);
  assert.ok(lines.some((l) => l.includes('/dev/ttyS1: cannot open')));
  assert.equal(await cloudSigmaDatasource.find(dsContext(testHost(rootWithDmi({ product_name: 'KVM' })), {}, log, 'local')), null);
});
