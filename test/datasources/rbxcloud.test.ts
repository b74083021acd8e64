// The RbxCloud datasource: cloud.json and user.data from a drive labelled CLOUDMD. The
// platform's drive is vfat, which only mounting can read; the test's stand-in is an
// ISO9660 image with that label at <temp root>/dev/sr0 (made with genisoimage), which
// nimbus reads without mounting, so nothing on this machine is mounted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rbxCloudDatasource, rbxNetwork } from '../../packages/core/src/datasources/rbxcloud.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, isoSkip, machineFacts, mkiso, put, settle, tempDir, testHost, testLogger } from './helpers.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 one@example';
const UD = '#cloud-config\npackages: [htop]\n';
const HASH = '$6$salt$hashhashhash';
const CLOUD = {
  vm: { _id: '5e9a3b0c1d2e3f4a5b6c7d8e', name: 'rbx-vm' },
  netadp: [
    {
      macaddress: '00:15:5D:FF:0F:03',
      ip: [{ address: '62.181.8.174' }],
      network: { netmask: '255.255.255.0', gateway: '62.181.8.1', dns: { nameservers: ['8.8.8.8', '8.8.4.4'] } },
    },
  ],
  additionalMetadata: { username: 'guru', sshKeys: [K1], password: { sha512: HASH } },
};

function drive(files: Record<string, string>, label = 'CLOUDMD'): string {
  const dir = tempDir();
  for (const [k, v] of Object.entries(files)) put(dir, k, v);
  const root = tempDir();
  put(root, 'dev/sr0', mkiso(dir, ['-V', label, '-R']));
  return root;
}

test('detection table: a CLOUDMD or cloudmd filesystem, nothing else', () => {
  const fsOf = (label: string) => ({ filesystems: [{ device: '/dev/vdb', label, type: 'vfat' }] });
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['CLOUDMD', machineFacts({}, fsOf('CLOUDMD')), 'found'],
    ['cloudmd', machineFacts({}, fsOf('cloudmd')), 'found'],
    ['cidata', machineFacts({}, fsOf('cidata')), 'not-found'],
    ['nothing', machineFacts(), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(rbxCloudDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'RbxCloud', 'Ec2', 'None']).datasources, ['RbxCloud', 'None']);
});

test('RbxCloud as documented: instance-id, hostname, user-data, the default user with hash and keys, v1 static network by MAC', { skip: isoSkip }, async () => {
  const root = drive({ 'cloud.json': JSON.stringify(CLOUD), 'user.data': UD });
  const host = testHost(root);
  assert.equal(rbxCloudDatasource.detect(gatherFacts(host)).verdict, 'found');
  const { log, lines } = testLogger();
  const r = await rbxCloudDatasource.find(dsContext(host, {}, log, 'local'));
  assert.ok(r);
  assert.equal(r.cloudName, 'rbxcloud');
  assert.equal(r.subplatform, 'config-disk (/dev/sr0)');
  assert.equal(r.instanceId, CLOUD.vm._id);
  assert.equal(r.localHostname, 'rbx-vm');
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD);
  assert.deepEqual(r.config, {
    ssh_pwauth: true,
    disable_root: true,
    system_info: { default_user: { name: 'guru', gecos: 'guru', sudo: ['ALL=(ALL) NOPASSWD:ALL'], passwd: HASH, lock_passwd: false, ssh_authorized_keys: [K1] } },
    manage_etc_hosts: true,
  });
  assert.deepEqual(r.networkConfig?.config, {
    version: 1,
    config: [
      {
        type: 'physical',
        name: 'eth0',
        mac_address: '00:15:5d:ff:0f:03',
        subnets: [{ type: 'static', address: '62.181.8.174', netmask: '255.255.255.0', control: 'auto', gateway: '62.181.8.1', dns_nameservers: ['8.8.8.8', '8.8.4.4'] }],
      },
    ],
  });
  assert.ok(lines.some((l) => /not supported: the gratuitous ARP/.test(l)));
});

test('RbxCloud leaves /etc/hosts alone when the image has one; no drive means not here', { skip: isoSkip }, async () => {
  const root = drive({ 'cloud.json': JSON.stringify(CLOUD) }, 'cloudmd');
  put(root, 'etc/hosts', '127.0.0.1 localhost\n');
  const { log } = testLogger();
  const r = await rbxCloudDatasource.find(dsContext(testHost(root), {}, log, 'local'));
  assert.equal(r?.config?.manage_etc_hosts, false);
  assert.equal(r?.userdata, null);
  assert.equal(await rbxCloudDatasource.find(dsContext(testHost(tempDir()), {}, log, 'local')), null);
});

test('RbxCloud broken cloud.json is refused naming the file and the key or line and column', { skip: isoSkip }, async () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"vm": {', /cloud\.json line 1 col \d+: not valid JSON/],
    ['no vm', JSON.stringify({ ...CLOUD, vm: undefined }), /cloud\.json: vm: missing/],
    ['no id', JSON.stringify({ ...CLOUD, vm: { name: 'x' } }), /cloud\.json: vm\._id: missing/],
    ['no gateway', JSON.stringify({ ...CLOUD, netadp: [{ ...CLOUD.netadp[0], network: { netmask: 'x', dns: { nameservers: [] } } }] }), /cloud\.json: netadp\[0\]\.network\.gateway: missing/],
    ['keys not a list', JSON.stringify({ ...CLOUD, additionalMetadata: { sshKeys: K1 } }), /cloud\.json: additionalMetadata\.sshKeys: expected a list/],
  ];
  for (const [what, text, re] of cases) {
    const { log } = testLogger();
    const { error } = await settle(() => rbxCloudDatasource.find(dsContext(testHost(drive({ 'cloud.json': text })), {}, log, 'local')));
    assert.ok(error instanceof DatasourceError, `${what}: ${error}`);
    assert.match(error.message, re, what);
  }
  assert.throws(() => rbxNetwork([{ macaddress: 'm', ip: 'x', network: {} }], 'c.json'), /c\.json: netadp\[0\]\.network\.dns: missing/);
});
