// The OVF datasource: an OVF environment (ovf-env.xml) from the seed directory, from
// VMware's guestinfo.ovfEnv (a stand-in of the guest tools, vmware-tools.ts) and from
// an ISO9660 CD the test makes with genisoimage at <temp root>/dev/sr0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ovfDatasource, readOvfEnvironment } from '../../packages/core/src/datasources/ovf.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, isoSkip, machineFacts, mkiso, put, rootWithDmi, settle, tempDir, testHost, testLogger } from './helpers.js';
import { vmHost } from './vmware-tools.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey1 one@example';
const UD = '#cloud-config\npackages: [htop]\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const NETDOC = 'network:\n  version: 2\n  ethernets:\n    ens192:\n      addresses: [10.0.0.5/24]\n';

function env(props: Record<string, string>, opts: { section?: boolean; root?: string } = {}): string {
  const items = Object.entries(props)
    .map(([k, v]) => `      <Property oe:key="${k}" oe:value="${v}"/>`)
    .join('\n');
  const section = opts.section === false ? '' : `  <PropertySection>\n${items}\n  </PropertySection>\n`;
  const root = opts.root ?? 'Environment';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1" oe:id="">\n  <PlatformSection><Kind>VMware ESXi</Kind></PlatformSection>\n${section}</${root}>\n`;
}

const FULL = { 'instance-id': 'ovf-1', hostname: 'app1', 'public-keys': K1, password: 'pw1', 'user-data': b64(UD), 'network-config': b64(NETDOC) };

test('detection table: the seed, an OVF-labelled CD, a VMware VM; never on Azure', () => {
  const cd = [{ device: '/dev/sr0', label: 'OVF ENV', type: 'iso9660' }];
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['the seed directory', machineFacts({}, { seeds: { nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: false, ovf: true, opennebula: false, cloudInfo: null } }), 'found'],
    ['a CD labelled OVF ENV', machineFacts({ sysVendor: 'QEMU' }, { filesystems: cd }), 'found'],
    ['a VMware VM', machineFacts({ productName: 'VMware7,1' }), 'found'],
    ['an OVF-labelled CD on Azure', machineFacts({ chassisAssetTag: '7783-7084-3265-9085-8269-3286-77' }, { filesystems: cd }), 'not-found'],
    ['an OVF label on a disk, not a CD', machineFacts({}, { filesystems: [{ device: '/dev/vdb', label: 'OVF ENV', type: 'iso9660' }] }), 'not-found'],
    ['a plain KVM machine', machineFacts({ sysVendor: 'QEMU' }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(ovfDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[1]![1], ['NoCloud', 'OVF', 'Ec2', 'None']).datasources, ['OVF', 'None']);
  const root = tempDir();
  put(root, 'var/lib/cloud/seed/ovf/OVF-ENV.XML', env({}));
  assert.equal(gatherFacts(testHost(root)).seeds.ovf, true);
});

test('OVF from the seed directory: instance-id, hostname, keys, password as config, base64 user-data; network-config is not read from a seed', async () => {
  const root = tempDir();
  put(root, 'var/lib/cloud/seed/ovf/ovf-env.xml', env(FULL));
  const { log } = testLogger();
  const r = await ovfDatasource.find(dsContext(testHost(root), {}, log, 'local'));
  assert.ok(r);
  assert.equal(r.cloudName, 'ovf');
  assert.equal(r.platform, 'ovf');
  assert.equal(r.subplatform, 'ovf (/var/lib/cloud/seed/ovf/ovf-env.xml)');
  assert.equal(r.instanceId, 'ovf-1');
  assert.equal(r.localHostname, 'app1');
  assert.deepEqual(r.publicKeys, [K1]);
  assert.deepEqual(r.config, { password: 'pw1' });
  assert.deepEqual(r.sensitive, { password: 'pw1' });
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD);
  assert.equal(r.networkConfig, null, 'as cloud-init: network-config only from the transports');
});

test('OVF from guestinfo.ovfEnv on a VMware VM, with its network-config', async () => {
  const { host, ran } = vmHost({ info: { ovfEnv: env(FULL) } });
  const { log } = testLogger();
  const r = await ovfDatasource.find(dsContext(host, {}, log, 'local'));
  assert.equal(r?.subplatform, 'ovf (com.vmware.guestInfo)');
  assert.equal(r?.instanceId, 'ovf-1');
  assert.deepEqual(r?.networkConfig, {
    format: 'v2',
    config: { version: 2, ethernets: { ens192: { addresses: ['10.0.0.5/24'] } } },
    source: 'guestinfo.ovfEnv property network-config',
  });
  assert.deepEqual(ran, [['vmware-rpctool', 'info-get guestinfo.ovfEnv']]);
});

test('OVF from a CD at /dev/sr0 read without mounting; defaults when the environment names no instance-id', { skip: isoSkip }, async () => {
  const dir = tempDir();
  put(dir, 'ovf-env.xml', env({ hostname: 'cd1', 'user-data': UD }));
  const root = rootWithDmi({ sys_vendor: 'QEMU' });
  put(root, 'dev/sr0', mkiso(dir, ['-V', 'OVF ENV', '-R']));
  const host = testHost(root);
  assert.equal(ovfDatasource.detect(gatherFacts(host)).verdict, 'found');
  const { log } = testLogger();
  const r = await ovfDatasource.find(dsContext(host, {}, log, 'local'));
  assert.equal(r?.subplatform, 'ovf (iso)');
  assert.equal(r?.instanceId, 'iid-dsovf');
  assert.equal(r?.localHostname, 'cd1');
  assert.equal(Buffer.from(r?.userdata ?? []).toString(), UD, 'user-data that is not base64 is taken as it is');
});

test('OVF seedfrom a local directory merges its meta-data under the environment and takes its user- and vendor-data', async () => {
  const root = tempDir();
  put(root, 'var/lib/cloud/seed/ovf/ovf-env.xml', env({ 'instance-id': 'ovf-2', seedfrom: 'file:///srv/seed/' }));
  put(root, 'srv/seed/meta-data', 'instance-id: from-seed\nlocal-hostname: seeded\n');
  put(root, 'srv/seed/user-data', UD);
  put(root, 'srv/seed/vendor-data', '#cloud-config\n{}\n');
  const { log } = testLogger();
  const r = await ovfDatasource.find(dsContext(testHost(root), {}, log, 'local'));
  assert.equal(r?.instanceId, 'ovf-2');
  assert.equal(r?.localHostname, 'seeded');
  assert.equal(r?.subplatform, 'ovf (/var/lib/cloud/seed/ovf/ovf-env.xml,file:///srv/seed/)');
  assert.equal(Buffer.from(r?.vendordata ?? []).toString(), '#cloud-config\n{}\n');
});

test('OVF is not here without a seed, a CD or guestinfo', async () => {
  const { log } = testLogger();
  assert.equal(await ovfDatasource.find(dsContext(testHost(rootWithDmi({ sys_vendor: 'QEMU' })), {}, log, 'local')), null);
  const { host } = vmHost({ info: {} });
  assert.equal(await ovfDatasource.find(dsContext(host, {}, log, 'local')), null);
});

test('OVF broken environments are refused naming the file, the line and column or the property', async () => {
  const cases: [string, string, RegExp][] = [
    ['not XML', '<Environment><PropertySection>', /ovf-env\.xml: not well-formed XML: line \d+ col \d+: /],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Environment/>', /ovf-env\.xml: not well-formed XML: line 1 col \d+: /],
    ['another root', env({}, { root: 'Envelope' }), /ovf-env\.xml: the root element is <Envelope>, not an OVF <Environment>/],
    ['no PropertySection', env({}, { section: false }), /ovf-env\.xml: Environment has no PropertySection/],
    [
      'a Property without value',
      env({}).replace('</PropertySection>', '<Property oe:key="instance-id"/></PropertySection>'),
      /ovf-env\.xml: PropertySection Property 1 \(key "instance-id"\): needs both ovfenv:key and ovfenv:value/,
    ],
    ['seedfrom over http', env({ seedfrom: 'http://10.0.0.1/' }), /property "seedfrom": not supported: an http\(s\) seed/],
    ['seedfrom relative', env({ seedfrom: 'seed/' }), /property "seedfrom": "seed\/" is not an absolute path/],
    ['seedfrom without meta-data', env({ seedfrom: '/nowhere' }), /\/nowhere\/meta-data is not there/],
  ];
  for (const [what, text, re] of cases) {
    const root = tempDir();
    put(root, 'var/lib/cloud/seed/ovf/ovf-env.xml', text);
    const { log } = testLogger();
    const { error } = await settle(() => ovfDatasource.find(dsContext(testHost(root), {}, log, 'local')));
    assert.ok(error instanceof DatasourceError, `${what}: ${error}`);
    assert.match(error.message, re, what);
  }
  const { log, lines } = testLogger();
  assert.throws(() => readOvfEnvironment(env({ 'network-config': '%%' }), 'x.xml', true, log), /x\.xml: property "network-config": not valid base64/);
  assert.throws(() => readOvfEnvironment(env({ 'network-config': b64('network: [\n') }), 'x.xml', true, log), /x\.xml property network-config:\d+:\d+: /);
  assert.equal(readOvfEnvironment(env({ 'network-config': b64('version: 2\n') }), 'x.xml', true, log).network, null);
  assert.ok(lines.some((l) => /has no "network" key; ignored/.test(l)));
  const big = tempDir();
  put(big, 'var/lib/cloud/seed/ovf/ovf-env.xml', env({ 'user-data': 'a'.repeat(1024 * 1024) }));
  const { error } = await settle(() => ovfDatasource.find(dsContext(testHost(big), {}, log, 'local')));
  assert.match(error?.message ?? '', /ovf-env\.xml: \d+ bytes, more than the 1048576 allowed/);
});
