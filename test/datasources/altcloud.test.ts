// The AltCloud datasource: user-data from a floppy (RHEV) or a CDROM-labelled CD
// (vSphere). The stand-ins are ISO9660 images the test makes with genisoimage at
// <temp root>/dev/fd0 and /dev/sr0, read without mounting; modprobe and udevadm are
// only recorded (--exec record), so nothing runs on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { altCloudDatasource, altCloudType } from '../../packages/core/src/datasources/altcloud.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { recorded } from '../helpers/boot.js';
import { dsContext, isoSkip, machineFacts, mkiso, put, tempDir, testHost, testLogger } from './helpers.js';

const UD = '#cloud-config\npackages: [htop]';

function image(files: Record<string, string>, label: string): Buffer {
  const dir = tempDir();
  for (const [k, v] of Object.entries(files)) put(dir, k, v);
  return mkiso(dir, ['-V', label, '-R']);
}

const seeds = (cloudInfo: string | null) => ({ nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo });

test('detection table: a "maybe" where /etc/sysconfig/cloud-info says rhev or vsphere', () => {
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['cloud-info rhev', machineFacts({}, { seeds: seeds('rhev') }), 'maybe'],
    ['cloud-info VSPHERE', machineFacts({}, { seeds: seeds('VSPHERE\n') }), 'maybe'],
    ['cloud-info something else', machineFacts({}, { seeds: seeds('openstack') }), 'not-found'],
    ['no cloud-info', machineFacts({ productName: 'RHEV Hypervisor' }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(altCloudDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'AltCloud', 'None']).datasources, ['AltCloud', 'None']);
  const root = tempDir();
  put(root, 'etc/sysconfig/cloud-info', 'vsphere\nmore\n');
  assert.equal(gatherFacts(testHost(root)).seeds.cloudInfo, 'vsphere');
  assert.equal(altCloudType(null, 'RHEV Hypervisor'), 'RHEV');
  assert.equal(altCloudType(null, 'VMware Virtual Platform'), 'VSPHERE');
  assert.equal(altCloudType(null, 'KVM'), 'UNKNOWN');
});

test('AltCloud on vSphere: user-data.txt from the CD labelled CDROM, stripped; the fixed meta-data', { skip: isoSkip }, async () => {
  const root = tempDir();
  put(root, 'etc/sysconfig/cloud-info', 'vsphere\n');
  put(root, 'dev/sr0', image({ 'user-data.txt': `\n${UD}\n\n` }, 'CDROM'));
  const { log } = testLogger();
  const r = await altCloudDatasource.find(dsContext(testHost(root), {}, log));
  assert.ok(r);
  assert.equal(r.cloudName, 'altcloud');
  assert.equal(r.subplatform, 'vsphere (/dev/sr0)');
  assert.equal(r.instanceId, '455');
  assert.equal(r.localHostname, 'localhost');
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD);
  assert.equal(r.networkConfig, null);
});

test('AltCloud on RHEV: modprobe floppy, then deltacloud-user-data.txt from /dev/fd0 before user-data.txt', { skip: isoSkip }, async () => {
  const root = tempDir();
  put(root, 'sys/class/dmi/id/product_name', 'RHEV Hypervisor\n');
  put(root, 'dev/fd0', image({ 'deltacloud-user-data.txt': UD, 'user-data.txt': 'other' }, 'floppy'));
  const { log } = testLogger();
  const r = await altCloudDatasource.find(dsContext(testHost(root), {}, log));
  assert.equal(r?.subplatform, 'rhev (/dev/fd0)');
  assert.equal(Buffer.from(r?.userdata ?? []).toString(), UD);
  assert.deepEqual(recorded(root).slice(0, 2), [
    ['modprobe', 'floppy'],
    ['udevadm', 'settle', '--exit-if-exists=/dev/fd0', '--timeout=5'],
  ]);
});

test('AltCloud is not here: another back end, no floppy, or a CD without user-data', { skip: isoSkip }, async () => {
  const { log, lines } = testLogger();
  assert.equal(await altCloudDatasource.find(dsContext(testHost(tempDir()), {}, log)), null);
  const rhev = tempDir();
  put(rhev, 'etc/sysconfig/cloud-info', 'RHEV');
  assert.equal(await altCloudDatasource.find(dsContext(testHost(rhev), {}, log)), null);
  const cd = tempDir();
  put(cd, 'etc/sysconfig/cloud-info', 'vsphere');
  put(cd, 'dev/sr0', image({ 'meta-data': 'x' }, 'CDROM'));
  assert.equal(await altCloudDatasource.find(dsContext(testHost(cd), {}, log)), null);
  assert.ok(lines.some((l) => /cloud type VSPHERE but no deltacloud-user-data\.txt or user-data\.txt found/.test(l)));
});

test('AltCloud with a floppy that cannot be read is an error naming the device', async () => {
  const root = tempDir();
  put(root, 'etc/sysconfig/cloud-info', 'rhev');
  put(root, 'dev/fd0', 'not a filesystem');
  const { log } = testLogger();
  await assert.rejects(altCloudDatasource.find(dsContext(testHost(root), {}, log)), /\/dev\/fd0: cannot read \(mounting not attempted; not an ISO9660 image/);
});
