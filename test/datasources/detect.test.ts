// Detection: the pure decision over facts, and gathering the facts from a temp root
// holding a fake machine (DMI, seed directories, an ISO in /dev/sr0, kernel cmdline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_RECORD } from '../../packages/core/src/host/exec.js';
import { decideDatasources, recordVerdict, verdictCloudCfg, DETECT_RECORD } from '../../packages/core/src/datasources/detect.js';
import { gatherFacts, cmdlineArgs, type DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { ec2Platform } from '../../packages/core/src/datasources/ec2.js';
import { isOpenStackPlatform } from '../../packages/core/src/datasources/openstack.js';
import { NOT_IMPLEMENTED } from '../../packages/core/src/datasources/not-implemented.js';
import { isoSkip, mkiso, put, rootWithDmi, tempDir, testHost } from './helpers.js';

const LIST = ['NoCloud', 'ConfigDrive', 'OpenStack', 'Ec2', 'None'];

function facts(over: Partial<DetectFacts> = {}, dmi: Partial<DetectFacts['dmi']> = {}): DetectFacts {
  return {
    x86: true,
    dmiAvailable: true,
    dmi: { sysVendor: 'QEMU', productName: 'Standard PC (i440FX + PIIX, 1996)', productSerial: null, productUuid: null, chassisAssetTag: null, boardName: null, ...dmi },
    hypervisorUuid: null,
    pid1ProductName: null,
    container: null,
    cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro',
    filesystems: [],
    seeds: { nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null },
    sockets: { lxd: false },
    wsl: { kernelRelease: null, drives: [] },
    ...over,
  };
}

test('nothing here: only None, so the local stage has nothing to wait for', () => {
  const v = decideDatasources(facts(), LIST);
  assert.deepEqual(v.datasources, ['None']);
  assert.match(v.summary, /^no datasource found \(NoCloud: .*; Ec2: DMI does not identify an EC2 platform\)$/);
  assert.deepEqual(decideDatasources(facts(), ['NoCloud', 'ConfigDrive']).datasources, []);
  // x86 without DMI (a container, an offline root): still nothing to wait for.
  assert.deepEqual(decideDatasources(facts({ dmiAvailable: false }), LIST).datasources, ['None']);
});

test('a config drive by label or seed; OpenStack is then not needed', () => {
  const v = decideDatasources(facts({ filesystems: [{ device: '/dev/sr0', label: 'config-2', type: 'iso9660' }] }, { productName: 'OpenStack Nova' }), LIST);
  assert.deepEqual(v.datasources, ['ConfigDrive', 'None']);
  assert.equal(v.checks.find((c) => c.name === 'OpenStack')?.reason, 'a config drive is present instead');
  assert.deepEqual(
    decideDatasources(facts({ seeds: { nocloud: false, nocloudNet: false, configDrive: '/config-drive', ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null } }), LIST)
      .datasources,
    ['ConfigDrive', 'None'],
  );
  assert.deepEqual(decideDatasources(facts({ filesystems: [{ device: '/dev/vdb', label: 'CONFIG-2', type: 'vfat' }] }), LIST).datasources, ['ConfigDrive', 'None']);
});

test('NoCloud by label, seed directory, kernel cmdline or DMI serial', () => {
  assert.deepEqual(decideDatasources(facts({ filesystems: [{ device: '/dev/sr0', label: 'CIDATA', type: 'iso9660' }] }), LIST).datasources, ['NoCloud', 'None']);
  assert.deepEqual(decideDatasources(facts({ cmdline: 'ro ds=nocloud;s=http://10.0.0.1/ quiet' }), LIST).datasources, ['NoCloud', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { productSerial: 'ds=nocloud;i=abc' }), LIST).datasources, ['NoCloud', 'None']);
  assert.deepEqual(
    decideDatasources(facts({ seeds: { nocloud: false, nocloudNet: true, configDrive: null, ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null } }), LIST).datasources,
    ['NoCloud', 'None'],
  );
});

test('OpenStack and EC2 from DMI; containers are never EC2', () => {
  assert.deepEqual(decideDatasources(facts({}, { productName: 'OpenStack Compute' }), LIST).datasources, ['OpenStack', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { chassisAssetTag: 'OpenTelekomCloud' }), LIST).datasources, ['OpenStack', 'None']);
  assert.deepEqual(decideDatasources(facts({ pid1ProductName: 'OpenStack Nova', container: 'lxc' }), LIST).datasources, ['OpenStack', 'None']);
  const aws = { productUuid: 'EC2E1916-9099-7CAF', productSerial: 'ec2e1916-9099-7caf' };
  assert.deepEqual(decideDatasources(facts({}, aws), LIST).datasources, ['Ec2', 'None']);
  assert.equal(ec2Platform(facts({ hypervisorUuid: 'ec2abcd' })), 'AWS');
  assert.equal(ec2Platform(facts({}, { productSerial: 'srv-1.gb1.brightbox.com' })), 'Brightbox');
  assert.equal(ec2Platform(facts({}, { productUuid: 'EC2E1916', productSerial: 'ec2e0000' })), null);
  assert.deepEqual(decideDatasources(facts({ container: 'docker' }, aws), LIST).datasources, ['None']);
  assert.ok(!isOpenStackPlatform(facts({ container: 'docker' }, { productName: 'OpenStack Nova' })));
});

test('without DMI on a machine that is not x86, the network sources are "maybe" and tried', () => {
  const v = decideDatasources(
    facts({ x86: false, dmiAvailable: false, dmi: { sysVendor: null, productName: null, productSerial: null, productUuid: null, chassisAssetTag: null, boardName: null } }),
    LIST,
  );
  assert.deepEqual(v.datasources, ['OpenStack', 'Ec2', 'None']);
  assert.match(v.summary, /^maybe: OpenStack, Ec2$/);
});

test('ci.ds= on the kernel command line and single-entry lists are trusted; unknown names are not supported', () => {
  assert.deepEqual(decideDatasources(facts({ cmdline: 'ro ci.ds=OpenStack' }), LIST), {
    datasources: ['OpenStack', 'None'],
    checks: [],
    forced: 'OpenStack',
    summary: 'datasource OpenStack named on the kernel command line',
  });
  assert.equal(decideDatasources(facts({ cmdline: 'ci.datasource=Ec2' }), ['Ec2']).forced, 'Ec2');
  assert.deepEqual(decideDatasources(facts(), ['OpenStack', 'None']).datasources, ['OpenStack', 'None']);
  // One of cloud-init's datasources nimbus still lacks, whichever that is today; with
  // every one there, a name no datasource has.
  const lacking = NOT_IMPLEMENTED[0]?.[0] ?? 'NoSuchCloud';
  const v = decideDatasources(facts(), [lacking, 'NoCloud', 'None']);
  assert.deepEqual(v.checks[0], { name: lacking, verdict: 'not-supported', reason: `not supported: datasource ${lacking}` });
  assert.equal(verdictCloudCfg(v).split('\n')[1], 'datasource_list: [ None ]');
  assert.deepEqual(
    [...cmdlineArgs('a=1 "b=x y" c ds=nocloud;s=http://h/')],
    [
      ['a', '1'],
      ['b', 'x y'],
      ['c', ''],
      ['ds', 'nocloud;s=http://h/'],
    ],
  );
});

test('facts from a root: DMI, cmdline, seed dirs, an ISO label in /dev/sr0; the verdict is recorded', { skip: isoSkip }, () => {
  const root = rootWithDmi({ product_name: 'OpenStack Nova', sys_vendor: 'OpenStack Foundation' });
  put(root, 'proc/cmdline', 'root=/dev/vda1 ro console=ttyS0\n');
  put(root, 'var/lib/cloud/seed/nocloud/meta-data', 'instance-id: x\n');
  put(root, 'var/lib/cloud/seed/nocloud/user-data', '#cloud-config\n');
  put(root, 'var/lib/cloud/seed/config_drive/openstack/latest/meta_data.json', '{}');
  const cd = tempDir();
  put(cd, 'openstack/latest/meta_data.json', '{"uuid": "u"}');
  put(root, 'dev/sr0', mkiso(cd, ['-V', 'config-2', '-J', '-r']));
  const host = testHost(root);
  const f = gatherFacts(host);
  assert.equal(f.dmi.productName, 'OpenStack Nova');
  assert.equal(f.dmiAvailable, true);
  assert.equal(f.cmdline, 'root=/dev/vda1 ro console=ttyS0');
  assert.deepEqual(f.seeds, { nocloud: true, nocloudNet: false, configDrive: '/var/lib/cloud/seed/config_drive', ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null });
  // The ISO's UUID is its creation time, as blkid gives it.
  assert.deepEqual(
    f.filesystems.map(({ uuid, ...rest }) => ({ ...rest, uuid: /^\d{4}(-\d\d){6}$/.test(uuid ?? '') })),
    [{ device: '/dev/sr0', label: 'config-2', type: 'iso9660', uuid: true }],
  );
  const v = decideDatasources(f, LIST);
  assert.deepEqual(v.datasources, ['NoCloud', 'ConfigDrive', 'None']);
  recordVerdict(host, f, v);
  const rec = JSON.parse(host.fs.readText(DETECT_RECORD)!);
  assert.deepEqual(rec.verdict.datasources, ['NoCloud', 'ConfigDrive', 'None']);
  assert.equal(rec.facts.dmi.productName, 'OpenStack Nova');
});

test('an empty root is gathered from files alone, no command run, and decides on None', () => {
  const root = tempDir();
  const host = testHost(root);
  const f = gatherFacts(host);
  const v = decideDatasources(f, LIST);
  assert.deepEqual(v.datasources, f.x86 ? ['None'] : ['OpenStack', 'Ec2', 'None']);
  assert.equal(f.dmiAvailable, false);
  assert.deepEqual(f.filesystems, []);
  assert.equal(fs.existsSync(path.join(root, COMMAND_RECORD)), false, 'a command was recorded');
});
