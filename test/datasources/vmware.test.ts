// The VMware datasource against a stand-in of the guest tools: an Exec that answers
// `vmware-rpctool "info-get guestinfo.KEY"` (and vmtoolsd --cmd) from the test's own
// guestinfo table, as the tools do (exit 1 and "No value found" for an unset key), so
// nothing runs and nothing from the root tree is ever executed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { vmwareDatasource, jsonOrYaml } from '../../packages/core/src/datasources/vmware.js';
import { decodeGuestinfo } from '../../packages/core/src/datasources/vmware-rpc.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, put, rootWithDmi, settle, testHost, testLogger } from './helpers.js';
import { VM_DMI, vmHost, type Stand } from './vmware-tools.js';

const UD = '#cloud-config\npackages: [htop]\n';
const VD = '#cloud-config\nruncmd: [echo vendor]\n';
const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 one@example';
const NET = { version: 2, ethernets: { ens192: { dhcp4: true } } };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const gzb64 = (s: string) => zlib.gzipSync(Buffer.from(s)).toString('base64');

async function find(s: Stand, dmi?: Record<string, string>) {
  const { host, ran } = vmHost(s, dmi);
  const { log, lines } = testLogger();
  const r = await settle(() => vmwareDatasource.find(dsContext(host, {}, log, 'local')));
  return { ...r, ran, lines, info: s.info };
}

test('detection table: VMware by the DMI product name, nowhere else', () => {
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['a vSphere VM', machineFacts({ sysVendor: 'VMware, Inc.', productName: 'VMware7,1' }), 'found'],
    ['an older VMware VM', machineFacts({ sysVendor: 'VMware, Inc.', productName: 'VMware Virtual Platform' }), 'found'],
    ['a KVM machine', machineFacts({ sysVendor: 'QEMU', productName: 'Standard PC (i440FX + PIIX, 1996)' }), 'not-found'],
    ['a machine without DMI', machineFacts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(vmwareDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'VMware', 'Ec2', 'None']).datasources, ['VMware', 'None']);
  assert.deepEqual(decideDatasources(rows[2]![1], ['NoCloud', 'VMware', 'Ec2', 'None']).datasources, ['None']);
});

test('VMware as documented: YAML meta-data with hostname and keys, gzip+base64 user-data, base64 vendor-data, network config v2', async () => {
  const md = `instance-id: vm-1\nlocal-hostname: web1\npublic-keys-data: |\n  ${K1}\nnetwork:\n  version: 2\n  ethernets:\n    ens192:\n      dhcp4: true\n`;
  const {
    value: r,
    error,
    ran,
  } = await find({
    info: { metadata: md, userdata: gzb64(UD), 'userdata.encoding': 'gzip+base64', vendordata: b64(VD), 'vendordata.encoding': 'b64' },
  });
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'vmware');
  assert.equal(r.platform, 'vmware');
  assert.equal(r.subplatform, 'guestinfo (guestinfo.metadata)');
  assert.equal(r.instanceId, 'vm-1');
  assert.equal(r.localHostname, 'web1');
  assert.deepEqual(r.publicKeys, [K1]);
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD);
  assert.equal(Buffer.from(r.vendordata ?? []).toString(), VD);
  assert.deepEqual(r.networkConfig, { format: 'v2', config: NET, source: 'guestinfo.metadata key network' });
  assert.deepEqual(r.metadata.network, { config: NET });
  assert.deepEqual(ran[0], ['vmware-rpctool', 'info-get guestinfo.metadata']);
});

test('VMware JSON meta-data with a base64 network and network.encoding; instance-id from the DMI UUID when none is given', async () => {
  const md = JSON.stringify({ 'local-hostname': 'db1', network: b64(JSON.stringify(NET)), 'network.encoding': 'base64', 'public-keys': [K1] });
  const { value: r, error } = await find({ info: { metadata: gzb64(md), 'metadata.encoding': 'gz+b64' } });
  assert.equal(error, undefined);
  assert.equal(r?.instanceId, '4207e6f1-aaaa-bbbb-cccc-0123456789ab');
  assert.equal(r?.localHostname, 'db1');
  assert.deepEqual(r?.publicKeys, [K1]);
  assert.deepEqual(r?.networkConfig?.config, NET);
  assert.equal(r?.metadata['network.encoding'], undefined);
});

test('VMware with only vmtoolsd asks through vmtoolsd --cmd; a failing vmware-rpctool falls back to it', async () => {
  const only = await find({ info: { userdata: UD }, tools: ['vmtoolsd'] });
  // Plain values lose their trailing whitespace, as under cloud-init.
  assert.equal(Buffer.from(only.value?.userdata ?? []).toString(), UD.trimEnd());
  assert.deepEqual(only.ran[0], ['vmtoolsd', '--cmd', 'info-get guestinfo.metadata']);
  const both = await find({
    info: { userdata: UD },
    tools: ['vmware-rpctool', 'vmtoolsd'],
    failing: { 'vmware-rpctool': { code: 2, stdout: '', stderr: 'backdoor not available\n', recorded: false } },
  });
  assert.equal(Buffer.from(both.value?.userdata ?? []).toString(), UD.trimEnd());
  assert.ok(both.lines.some((l) => /vmware-rpctool info-get guestinfo\.metadata: exit 2: backdoor not available; trying vmtoolsd/.test(l)));
});

test('VMware redacts the keys the meta-data names, as cloud-init does', async () => {
  const { value: r, info, ran } = await find({ info: { metadata: 'instance-id: i1\nredact: [userdata]\n', userdata: b64(UD), 'userdata.encoding': 'base64' } });
  assert.equal(Buffer.from(r?.userdata ?? []).toString(), UD);
  assert.equal(info.userdata, '---');
  assert.equal(info['userdata.encoding'], ' ');
  assert.deepEqual(ran.slice(-2), [
    ['vmware-rpctool', 'info-set guestinfo.userdata ---'],
    ['vmware-rpctool', 'info-set guestinfo.userdata.encoding  '],
  ]);
  // Redacted keys read as unset, so the next boot sees no user-data there.
  assert.equal((await find({ info })).value?.userdata, null);
});

test('VMware is not here: another platform, no guest tools, commands only recorded, or empty guestinfo', async () => {
  assert.equal((await find({ info: { userdata: UD } }, { product_name: 'Standard PC' })).value, null);
  const noTools = await find({ info: { userdata: UD }, tools: [] });
  assert.equal(noTools.value, null);
  assert.ok(noTools.lines.some((l) => /neither vmware-rpctool nor vmtoolsd is installed/.test(l)));
  const empty = await find({ info: { metadata: '---' } });
  assert.equal(empty.value, null);
  const root = rootWithDmi(VM_DMI);
  put(root, 'usr/bin/vmware-rpctool', '#!/bin/sh\necho never run\n');
  const { log, lines } = testLogger();
  assert.equal(await vmwareDatasource.find(dsContext(testHost(root, 'record'), {}, log, 'local')), null);
  assert.ok(lines.some((l) => /only recorded/.test(l)));
});

test('VMware broken guestinfo is refused naming the key, and the line and column', async () => {
  const cases: [string, Stand, RegExp][] = [
    ['unknown encoding', { info: { userdata: UD, 'userdata.encoding': 'gzip' } }, /^guestinfo\.userdata\.encoding: "gzip" is not one of base64, b64, gzip\+base64, gz\+b64$/],
    ['not base64', { info: { userdata: 'not*base64', 'userdata.encoding': 'base64' } }, /^guestinfo\.userdata: not valid base64/],
    ['not gzip', { info: { userdata: b64('plain'), 'userdata.encoding': 'gzip+base64' } }, /^guestinfo\.userdata: not valid gzip data/],
    ['bad YAML meta-data', { info: { metadata: 'instance-id: [x\n' } }, /^guestinfo\.metadata:\d+:\d+: /],
    ['meta-data a list', { info: { metadata: '- a\n' } }, /^guestinfo\.metadata: expected a mapping/],
    ['network a list', { info: { metadata: 'instance-id: i\nnetwork: [1]\n' } }, /^guestinfo\.metadata: key "network" must be a mapping or encoded text/],
    ['network without version', { info: { metadata: 'instance-id: i\nnetwork: {ethernets: {}}\n' } }, /^guestinfo\.metadata key network: key "version" must be 1 or 2/],
    ['network bad base64', { info: { metadata: 'instance-id: i\nnetwork: "%%%"\nnetwork.encoding: base64\n' } }, /^guestinfo\.metadata key network: not valid base64/],
    ['too deep JSON', { info: { metadata: `${'['.repeat(300)}${']'.repeat(300)}` } }, /^guestinfo\.metadata:1:\d+: /],
    ['tool failing', { info: {}, failing: { 'vmware-rpctool': { code: 3, stdout: '', stderr: 'boom\n', recorded: false } } }, /^vmware-rpctool info-get guestinfo\.metadata: exit 3: boom$/],
  ];
  for (const [what, s, re] of cases) {
    const { error } = await find(s);
    assert.ok(error instanceof DatasourceError, `${what}: ${error}`);
    assert.match(error.message, re, what);
  }
});

test('VMware gzip data that decompresses beyond the limit is refused', () => {
  const bomb = zlib.gzipSync(Buffer.alloc(65 * 1024 * 1024)).toString('base64');
  assert.throws(() => decodeGuestinfo('guestinfo.userdata', 'gzip+base64', bomb), /guestinfo\.userdata: .*more than/);
  assert.deepEqual(jsonOrYaml('{"a": 1}', 'x'), { a: 1 });
  assert.deepEqual(jsonOrYaml('a: 1\n', 'x'), { a: 1 });
});
