// IBM Cloud: detection on Xen from the config disk's label and UUID (and standing aside
// in the provisioning boot); the OS-code disk read with its network config; the
// template's METADATA disk read from an ISO stand-in in the root's /dev, network off;
// broken disks named by file, line, column and key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ibmCloudDatasource, ibmDisk, readIbmTree, IBM_OS_CODE, IBM_TEMPLATE_LIVE } from '../../packages/core/src/datasources/ibmcloud.js';
import { configDrive } from '../../packages/core/src/datasources/configdrive.js';
import { gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { dirTreeReader } from '../../packages/core/src/datasources/tree.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, isoSkip, machineFacts, mkiso, put, tempDir, testHost, testLogger } from './helpers.js';

const more = { xen: true, ibmProvisioning: false, maasSeed: false, maasConfig: false, bigstepUrl: false, smartosZoneSocket: false };
const OS_CODE_DISK = { device: '/dev/xvdh', label: 'config-2', type: 'vfat', uuid: '9796-932E' };
const METADATA_DISK = { device: '/dev/xvdi', label: 'METADATA', type: 'iso9660', uuid: null };
const META = { uuid: '5f2b4b1e-ibm', hostname: 'ibm-vsi-1', public_keys: { 'key-1': 'ssh-ed25519 AAAAC3 me@ibm' }, random_seed: 'c2VlZA==', name: 'ibm-vsi-1', files: [] };
const NETWORK = { links: [{ id: 'interface_1', type: 'phy', ethernet_mac_address: '06:00:00:00:00:01' }], networks: [{ id: 'n1', link: 'interface_1', type: 'ipv4_dhcp' }], services: [] };

function disk(files: Record<string, string>): string {
  const d = tempDir('nimbus-ibm-');
  for (const [p, c] of Object.entries(files)) put(d, `openstack/latest/${p}`, c);
  return d;
}
const FULL = {
  'meta_data.json': JSON.stringify(META),
  user_data: '#cloud-config\nruncmd: [echo ibm]\n',
  'vendor_data.json': JSON.stringify({ 'cloud-init': "#!/bin/bash\necho 'root:x' | chpasswd -e\n" }),
  'network_data.json': JSON.stringify(NETWORK),
};

test('IBM Cloud is found on Xen by its config-2 disk with UUID 9796-932E, or a METADATA disk; ConfigDrive stands aside for it', () => {
  const os = ibmCloudDatasource.detect(machineFacts({}, { filesystems: [OS_CODE_DISK], more }));
  assert.equal(os.verdict, 'found');
  assert.match(os.reason, /OS-Code\/Live: \/dev\/xvdh labelled config-2 with UUID 9796-932E/);
  assert.match(ibmCloudDatasource.detect(machineFacts({}, { filesystems: [METADATA_DISK], more })).reason, /Template\/Live\/Metadata/);
  assert.equal(configDrive.detect(machineFacts({}, { filesystems: [OS_CODE_DISK], more })).verdict, 'not-found');
  assert.deepEqual(decideDatasources(machineFacts({}, { filesystems: [OS_CODE_DISK], more }), ['NoCloud', 'ConfigDrive', 'IBMCloud', 'None']).datasources, ['IBMCloud', 'None']);
  // An OpenStack config drive (another UUID), a machine that is not Xen, the provisioning boot: not IBM Cloud.
  const openstackDrive = { ...OS_CODE_DISK, uuid: '2026-12-03-10-00-00-00' };
  assert.equal(ibmCloudDatasource.detect(machineFacts({}, { filesystems: [openstackDrive], more })).verdict, 'not-found');
  assert.equal(configDrive.detect(machineFacts({}, { filesystems: [openstackDrive], more })).verdict, 'found');
  assert.equal(ibmCloudDatasource.detect(machineFacts({}, { filesystems: [OS_CODE_DISK], more: { ...more, xen: false } })).verdict, 'not-found');
  assert.equal(ibmCloudDatasource.detect(machineFacts({}, { filesystems: [OS_CODE_DISK] })).verdict, 'not-found');
  const prov = ibmCloudDatasource.detect(machineFacts({}, { filesystems: [METADATA_DISK], more: { ...more, ibmProvisioning: true } }));
  assert.equal(prov.verdict, 'not-found');
  assert.match(prov.reason, /provisioning boot/);
  // The OS-code disk wins over a METADATA disk; labels without regard to case.
  assert.equal(ibmDisk([METADATA_DISK, OS_CODE_DISK])?.platform, IBM_OS_CODE);
  assert.equal(ibmDisk([{ ...METADATA_DISK, label: 'metadata' }])?.platform, IBM_TEMPLATE_LIVE);
});

test('the facts see Xen and the provisioning boot (a swinstall.log from an earlier boot means it is over)', () => {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'proc/xen'), { recursive: true });
  put(root, 'proc/1/environ', 'container=\0');
  put(root, 'root/provisioningConfiguration.cfg', 'x\n');
  assert.equal(gatherFacts(testHost(root)).more?.xen, true);
  assert.equal(gatherFacts(testHost(root)).more?.ibmProvisioning, true);
  put(root, 'root/swinstall.log', 'done\n');
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(root, 'root/swinstall.log'), past, past);
  assert.equal(gatherFacts(testHost(root)).more?.ibmProvisioning, false);
  fs.utimesSync(path.join(root, 'root/swinstall.log'), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
  assert.equal(gatherFacts(testHost(root)).more?.ibmProvisioning, true);
  assert.equal(gatherFacts(testHost(tempDir())).more?.xen, false);
});

test('the OS-code disk: instance-id, hostname, keys, user-data, vendor-data and its network_data.json', () => {
  const dir = disk(FULL);
  const r = readIbmTree(dirTreeReader(testHost(dir), '/', '/dev/xvdh (mounted)'), IBM_OS_CODE, '/dev/xvdh');
  assert.equal(r.dsname, 'IBMCloud');
  assert.equal(r.cloudName, 'ibmcloud');
  assert.equal(r.platform, 'ibmcloud');
  assert.equal(r.subplatform, 'OS-Code/Live (/dev/xvdh)');
  assert.equal(r.instanceId, '5f2b4b1e-ibm');
  assert.equal(r.localHostname, 'ibm-vsi-1');
  assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3 me@ibm']);
  // cloud-init keeps only the renamed keys (and random_seed).
  assert.deepEqual(Object.keys(r.metadata).sort(), ['instance-id', 'local-hostname', 'public-keys', 'random_seed']);
  assert.equal(Buffer.from(r.userdata!).toString(), FULL.user_data);
  assert.match(Buffer.from(r.vendordata!).toString(), /^#!\/bin\/bash/);
  assert.deepEqual(r.networkConfig, { format: 'network_data.json', config: NETWORK, source: '/dev/xvdh (mounted)/openstack/latest/network_data.json' });
});

test('a template instance reads its METADATA disk (an ISO in the root /dev) and leaves the network as provisioning set it', { skip: isoSkip }, async () => {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'proc/xen'), { recursive: true });
  put(root, 'dev/sr0', mkiso(disk(FULL), ['-V', 'METADATA', '-J', '-r']));
  const { log } = testLogger();
  const r = await ibmCloudDatasource.find(dsContext(testHost(root), {}, log, 'local'));
  assert.ok(r);
  assert.equal(r.subplatform, 'Template/Live/Metadata (/dev/sr0)');
  assert.equal(r.instanceId, '5f2b4b1e-ibm');
  assert.deepEqual(r.networkConfig?.config, { version: 1, config: 'disabled' });
  // Not Xen: the same disk is not IBM Cloud's.
  fs.rmSync(path.join(root, 'proc/xen'), { recursive: true });
  assert.equal(await ibmCloudDatasource.find(dsContext(testHost(root), {}, log, 'local')), null);
});

test('a broken disk is an error naming the file and the line and column or key', () => {
  const read = (files: Record<string, string>) => () => readIbmTree(dirTreeReader(testHost(disk(files)), '/', '/dev/xvdh'), IBM_OS_CODE, '/dev/xvdh');
  assert.throws(read({ user_data: 'x' }), (e: Error) => e instanceof DatasourceError && e.message === "/dev/xvdh/openstack/latest/meta_data.json: missing (IBM Cloud's config disk must have it)");
  assert.throws(
    read({ 'meta_data.json': '{"uuid": "a",\n "hostname": }' }),
    (e: Error) => e instanceof DatasourceError && /^\/dev\/xvdh\/openstack\/latest\/meta_data.json line 2 col \d+: not valid JSON/.test(e.message),
  );
  assert.throws(read({ 'meta_data.json': '{"uuid": 7}' }), (e: Error) => /meta_data.json: key "uuid": expected the instance-id as a string, not 7/.test(e.message));
  assert.throws(read({ 'meta_data.json': '{"uuid": "a", "random_seed": "***"}' }), (e: Error) => /meta_data.json: key "random_seed": not base64/.test(e.message));
  assert.throws(read({ 'meta_data.json': '{"uuid": "a"}', 'vendor_data.json': '{"cloud-init": {"a": 1}}' }), (e: Error) =>
    /vendor_data.json: vendor data "cloud-init" must be a string or a list/.test(e.message),
  );
  assert.throws(read({ 'meta_data.json': '{"uuid": "a"}', 'network_data.json': '[1,' }), (e: Error) => /network_data.json line 1 col \d+/.test(e.message));
});

test("no uuid in meta_data.json: cloud-init's iid-datasource", () => {
  const r = readIbmTree(dirTreeReader(testHost(disk({ 'meta_data.json': '{"hostname": "h"}' })), '/', '/dev/xvdh'), IBM_OS_CODE, '/dev/xvdh');
  assert.equal(r.instanceId, 'iid-datasource');
  assert.equal(r.networkConfig, null);
});

test('not on Xen, or in the provisioning boot, nothing is read', async () => {
  const { log, lines } = testLogger();
  assert.equal(await ibmCloudDatasource.find(dsContext(testHost(tempDir()), {}, log, 'local')), null);
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'proc/xen'), { recursive: true });
  put(root, 'root/provisioningConfiguration.cfg', 'x\n');
  assert.equal(await ibmCloudDatasource.find(dsContext(testHost(root), {}, log, 'local')), null);
  assert.ok(lines.some((l) => l.includes('provisioning boot')));
});
