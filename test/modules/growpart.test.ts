// growpart: the root partition grown to its disk on every boot, with no configuration,
// on trees that describe the machine's disks (commands recorded with their argv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, RHEL8, type Kit } from './kit.js';
import { addDisk, addLvm, addTool, cmdline, mountTable } from './disk-tree.js';
import { growpart } from '../../packages/core/src/modules/growpart.js';
import { parseMountInfo, rootFromCmdline } from '../../packages/core/src/modules/lib/block-device.js';
import { boot, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';

const GROW_ENV = { LANG: 'C', TMPDIR: '/var/tmp/nimbus-growpart' };

function vdaRoot(k: Kit | { root: string }, fstype = 'ext4'): void {
  addDisk(k.root, { disk: 'vda', parts: [1, 14, 15] });
  mountTable(k.root, [{ source: '/dev/vda1', point: '/', fstype }]);
  addTool(k.root, 'growpart');
}

test('growpart with no configuration grows the partition under / (dry run, then growpart disk N)', async () => {
  const k = makeKit();
  vdaRoot(k);
  await k.run(growpart, '{}');
  assert.deepEqual(k.commands(), [
    { argv: ['growpart', '--dry-run', '/dev/vda', '1'], env: GROW_ENV },
    { argv: ['growpart', '/dev/vda', '1'], env: GROW_ENV },
  ]);
  assert.deepEqual(k.warnings(), []);
  assert.ok(!k.exists('var/tmp/nimbus-growpart'), 'the TMPDIR it made is gone afterwards');
  assert.match(k.lines.join('\n'), /'\/' changed: grew \/dev\/vda1 \(\/dev\/vda, partition 1\)/);
});

test("growpart runs the documentation's examples: mode auto on /, and mode growpart on / and /dev/vdb1 ignoring /etc/growroot-disabled", async () => {
  const k = makeKit();
  vdaRoot(k);
  addDisk(k.root, { disk: 'vdb', parts: [1], major: 253 });
  await k.run(growpart, '#cloud-config\n growpart:\n   mode: auto\n   devices: ["/"]\n   ignore_growroot_disabled: false\n');
  k.write('etc/growroot-disabled', '');
  await k.run(growpart, '#cloud-config\ngrowpart:\n  mode: auto\n');
  assert.equal(k.argvs().length, 2, 'the marker stops the second run');
  await k.run(growpart, '#cloud-config\ngrowpart:\n  mode: growpart\n  devices:\n  - "/"\n  - "/dev/vdb1"\n  ignore_growroot_disabled: true\n');
  assert.deepEqual(k.argvs().slice(2), [
    ['growpart', '--dry-run', '/dev/vda', '1'],
    ['growpart', '/dev/vda', '1'],
    ['growpart', '--dry-run', '/dev/vdb', '1'],
    ['growpart', '/dev/vdb', '1'],
  ]);
});

test('growpart finds the root through /dev/root and root=UUID on the kernel command line, and an NVMe partition', async () => {
  const k = makeKit();
  addDisk(k.root, { disk: 'nvme0n1', parts: [1, 2] });
  fs.mkdirSync(path.join(k.root, 'dev/disk/by-uuid'), { recursive: true });
  fs.symlinkSync('../../nvme0n1p2', path.join(k.root, 'dev/disk/by-uuid/0a1b2c3d'));
  mountTable(k.root, [{ source: '/dev/root', point: '/', fstype: 'ext4' }]);
  cmdline(k.root, 'BOOT_IMAGE=/vmlinuz root=UUID=0A1B2C3D ro console=ttyS0');
  addTool(k.root, 'growpart');
  await k.run(growpart, '{}');
  assert.deepEqual(k.argvs(), [
    ['growpart', '--dry-run', '/dev/nvme0n1', '2'],
    ['growpart', '/dev/nvme0n1', '2'],
  ]);
});

test('growpart says why it leaves a whole-disk root, an LVM root and an unknown mount alone, without degrading the boot', async () => {
  const k = makeKit();
  addDisk(k.root, { disk: 'vdc' });
  mountTable(k.root, [{ source: '/dev/vdc', point: '/', fstype: 'xfs' }]);
  addTool(k.root, 'growpart');
  await k.run(growpart, 'growpart: {devices: [/, /srv]}\n');
  assert.deepEqual(k.argvs(), []);
  const log = k.lines.join('\n');
  assert.match(log, /'\/' skipped: \/dev\/vdc is a whole disk without a partition table: there is no partition to grow/);
  assert.match(log, /'\/srv' skipped: \/proc\/self\/mountinfo shows no mount for \/srv|'\/srv' skipped/);
  assert.deepEqual(k.warnings(), []);

  const l = makeKit();
  addDisk(l.root, { disk: 'vda', parts: [1, 2] });
  addLvm(l.root, 'vg0-root', 'vda2');
  mountTable(l.root, [{ source: '/dev/mapper/vg0-root', point: '/', fstype: 'ext4' }]);
  addTool(l.root, 'growpart');
  await l.run(growpart, '{}');
  assert.deepEqual(l.argvs(), []);
  assert.match(l.lines.join('\n'), /\/dev\/mapper\/vg0-root is a device-mapper \(LVM\) volume \(\/dev\/dm-0\): growpart does not grow it.*list \/dev\/vda2 in growpart.devices/);
  await l.run(growpart, 'growpart: {devices: [/dev/vda2]}\n');
  assert.deepEqual(l.argvs(), [
    ['growpart', '--dry-run', '/dev/vda', '2'],
    ['growpart', '/dev/vda', '2'],
  ]);
});

test('growpart on a LUKS root with cloud-init\'s key file says "not supported" (a warning) and runs nothing', async () => {
  const k = makeKit();
  addDisk(k.root, { disk: 'vda', parts: [1, 2] });
  addLvm(k.root, 'luks-root', 'vda2');
  k.write('sys/devices/virtual/block/dm-0/dm/uuid', 'CRYPT-LUKS2-0123-luks-root\n');
  k.write('cc_growpart_keydata', '{"key": "c2VjcmV0", "slot": 5}\n', 0o600);
  mountTable(k.root, [{ source: '/dev/mapper/luks-root', point: '/', fstype: 'ext4' }]);
  addTool(k.root, 'growpart');
  await k.run(growpart, '{}');
  assert.deepEqual(k.argvs(), []);
  assert.match(k.warnings().join('\n'), /'\/' failed: not supported: growing \/dev\/mapper\/luks-root, a LUKS volume over vda2, with the key in \/cc_growpart_keydata/);
});

test('growpart without the growpart command: mode auto says so and goes on; mode growpart is an error naming the line', async () => {
  const k = makeKit();
  addDisk(k.root, { disk: 'vda', parts: [1] });
  mountTable(k.root, [{ source: '/dev/vda1', point: '/', fstype: 'ext4' }]);
  await k.run(growpart, '{}');
  assert.match(k.lines.join('\n'), /the growpart command \(package cloud-guest-utils\) is not in the image/);
  assert.deepEqual(k.warnings(), []);
  await assert.rejects(k.run(growpart, 'growpart:\n  mode: growpart\n'), /user-data line 2 col 3: growpart.mode growpart: the growpart command/);
  assert.deepEqual(k.argvs(), []);
});

test('growpart turned off (mode off, or YAML 1.1 off read as false) runs nothing and warns nothing', async () => {
  for (const doc of ["growpart: {mode: 'off'}\n", 'growpart: {mode: off}\n', 'growpart:\n  mode: false\n']) {
    const k = makeKit();
    vdaRoot(k);
    await k.run(growpart, doc);
    assert.deepEqual(k.argvs(), [], doc);
    assert.deepEqual(k.warnings(), [], doc);
  }
});

test('growpart refuses bad values with the line and column of the key', async () => {
  const k = makeKit();
  vdaRoot(k);
  await assert.rejects(k.run(growpart, 'growpart:\n  mode: sometimes\n'), /user-data line 2 col 3: growpart.mode "sometimes" is not one of auto, growpart, gpart, off/);
  await assert.rejects(k.run(growpart, 'growpart:\n  devices: [/, 7]\n'), /user-data line 2 col 3: growpart.devices must be a list/);
  await assert.rejects(k.run(growpart, 'growpart:\n  ignore_growroot_disabled: maybe\n'), /user-data line 2 col 3: growpart.ignore_growroot_disabled must be true or false/);
  await assert.rejects(k.run(growpart, 'growpart: [/]\n'), /user-data line 1 col 1: growpart must be a mapping/);
  await assert.rejects(k.run(growpart, 'growpart: {mode: gpart}\n'), /not supported: growpart mode gpart/);
  assert.deepEqual(k.argvs(), []);
});

test('growpart pure parts: the mount holding a path, and root= as a device path', () => {
  const info = '20 1 0:20 / /proc rw - proc proc rw\n22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n23 22 254:2 / /srv\\040data rw - xfs /dev/vdb1 rw\n';
  assert.deepEqual(parseMountInfo(info, '/'), { device: '/dev/vda1', fstype: 'ext4', mountPoint: '/', options: 'rw,relatime' });
  assert.deepEqual(parseMountInfo(info, '/srv data/x'), { device: '/dev/vdb1', fstype: 'xfs', mountPoint: '/srv data', options: 'rw' });
  assert.equal(parseMountInfo(info, '/srv')?.device, '/dev/vda1');
  assert.equal(parseMountInfo('22 1 254:1 / / rw\n', '/'), null, 'a line it cannot read gives no answer');
  assert.equal(rootFromCmdline('quiet root=/dev/sda2 ro'), '/dev/sda2');
  assert.equal(rootFromCmdline('root=LABEL=cloudimg-rootfs'), '/dev/disk/by-label/cloudimg-rootfs');
  assert.equal(rootFromCmdline('root=PARTUUID=AB-01'), '/dev/disk/by-partuuid/ab-01');
  assert.equal(rootFromCmdline('root=vda1'), '/dev/vda1');
  assert.equal(rootFromCmdline('quiet'), null);
});

function bootWith(userData: string | null, facts: (root: string) => void, osRelease?: string): { root: string; status: string; code: number } {
  const drive = userData === null ? undefined : driveWith((d) => setUserData(d, userData));
  const root = makeRoot({ ...(drive === undefined ? {} : { drive }), ...(osRelease === undefined ? {} : { osRelease }) });
  facts(root);
  const runs = boot(root);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const st = cli(root, 'status', '--long');
  return { root, status: st.stdout, code: st.code };
}

test("a boot with the documentation's growpart example 2 grows / and /dev/vdb1 and ends done", () => {
  const ex2 = '#cloud-config\ngrowpart:\n  mode: growpart\n  devices:\n  - "/"\n  - "/dev/vdb1"\n  ignore_growroot_disabled: true\n';
  const a = bootWith(ex2, (r) => {
    vdaRoot({ root: r });
    addDisk(r, { disk: 'vdb', parts: [1], major: 253 });
    fs.writeFileSync(path.join(r, 'etc/growroot-disabled'), '');
  });
  assert.equal(a.code, 0, a.status);
  const grown = recorded(a.root).filter((c) => c[0] === 'growpart' && c[1] !== '--dry-run');
  assert.deepEqual(grown, [
    ['growpart', '/dev/vda', '1'],
    ['growpart', '/dev/vdb', '1'],
  ]);
});

test("a boot of a Rocky tree with the documentation's growpart example 1 (and resizefs's noblock) grows the root partition, then xfs in the background, and ends done", () => {
  const ex1 = '#cloud-config\n growpart:\n   mode: auto\n   devices: ["/"]\n   ignore_growroot_disabled: false\n resize_rootfs: noblock\n';
  const { root, status, code } = bootWith(
    ex1,
    (r) => {
      addDisk(r, { disk: 'sda', parts: [1, 2], major: 8 });
      // The image's network stack (sysconfig with the ifup makeRoot installs).
      fs.mkdirSync(path.join(r, 'etc/sysconfig/network-scripts'), { recursive: true });
      mountTable(r, [{ source: '/dev/sda2', point: '/', fstype: 'xfs' }]);
      addTool(r, 'growpart');
    },
    RHEL8,
  );
  assert.equal(code, 0, status);
  assert.deepEqual(
    recorded(root).filter((c) => c[0] === 'growpart' || c[0] === 'sh'),
    [
      ['growpart', '--dry-run', '/dev/sda', '2'],
      ['growpart', '/dev/sda', '2'],
      ['sh', '-c', '"$@" </dev/null &', 'resizefs', 'xfs_growfs', '/'],
    ],
  );
});
