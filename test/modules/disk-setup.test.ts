// disk_setup and fs_setup: partition tables and filesystems on a temp tree that presents
// its disks (/sys/class/block and udev's /run/udev/data), with the commands recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { addDisk } from './disk-tree.js';
import { disk, diskTools as tools, udev } from './disk-udev.js';
import { diskSetup } from '../../packages/core/src/modules/disk-setup.js';
import { fillCmdTemplate, gptSteps, mbrScript, shellQuote } from '../../packages/core/src/modules/lib/disk-layout.js';
import { stage, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';

const noSettle = (k: Kit) => k.commands().filter((c) => c.argv[0] !== 'udevadm');

const DOC_EXAMPLE_1 = diskSetup.examples[0] as string;

test("disk_setup partitions the documentation's example 1 disks: sdd MBR whole disk, my_alias GPT 50/50, swap_disk GPT type 82", async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'sdb', 8);
  disk(k.root, 'sdc', 9);
  disk(k.root, 'sdd', 10);
  await k.run(diskSetup, DOC_EXAMPLE_1);
  assert.deepEqual(k.errors(), []);
  assert.deepEqual(
    noSettle(k).map((c) => c.argv),
    [
      ['partprobe', '/dev/sdd'],
      ['sfdisk', '--force', '/dev/sdd'],
      ['partprobe', '/dev/sdd'],
      ['sgdisk', '-Z', '/dev/sdb'],
      ['sgdisk', '-n', '1:0:+10485760', '/dev/sdb'],
      ['sgdisk', '-n', '2:0:0', '/dev/sdb'],
      ['partprobe', '/dev/sdb'],
      ['sgdisk', '-Z', '/dev/sdc'],
      ['sgdisk', '-n', '1:0:0', '/dev/sdc'],
      ['sgdisk', '-t', '1:8200', '/dev/sdc'],
      ['partprobe', '/dev/sdc'],
    ],
  );
  assert.match(noSettle(k)[1]?.stdin ?? '', /^5 bytes/, 'the sfdisk script ",,83\\n" goes on stdin');
  // The partitions do not exist in the tree yet (the commands were recorded): fs_setup says so and makes nothing.
  assert.match(k.lines.join('\n'), /\/dev\/sdb1 does not exist or is not a block device/);
  assert.match(k.lines.join('\n'), /fs_setup: \/dev\/sdd1 does not exist/);
});

test("fs_setup makes the documentation's example 1 filesystems once the partitions exist: cmd through sh with quoted values, mkfs.ext4 -L, mkswap", async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'sdb', 8, { 1: {}, 2: {} }, { ID_PART_TABLE_TYPE: 'gpt' });
  disk(k.root, 'sdc', 9, { 1: { ID_PART_ENTRY_TYPE: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f' } }, { ID_PART_TABLE_TYPE: 'gpt' });
  disk(k.root, 'sdd', 10, { 1: { ID_PART_ENTRY_TYPE: '0x83' } }, { ID_PART_TABLE_TYPE: 'dos' });
  await k.run(diskSetup, DOC_EXAMPLE_1);
  assert.deepEqual(k.errors(), []);
  assert.deepEqual(
    noSettle(k).map((c) => c.argv),
    [
      ['partprobe', '/dev/sdd'],
      ['sh', '-c', 'mkfs -t ext4 -L fs1 /dev/sdb1'],
      ['/usr/sbin/mkfs.ext4', '-L', 'fs2', '/dev/sdb2'],
      ['/usr/sbin/mkswap', '-L', 'swap', '/dev/sdc1'],
      ['/usr/sbin/mkfs.ext4', '-L', 'fs3', '/dev/sdd1'],
    ],
    'the disks already have their layouts, so no partitioning command runs (partprobe re-reads the MBR one first, as in cloud-init)',
  );
});

test('disk_setup never partitions a disk that holds partitions, a filesystem or unknown content unless overwrite is true', async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'vdb', 252, { 1: { ID_FS_TYPE: 'ext4' } }, { ID_PART_TABLE_TYPE: 'dos' });
  disk(k.root, 'vdc', 253, {}, { ID_FS_TYPE: 'xfs', ID_FS_LABEL: 'data' });
  addDisk(k.root, { disk: 'vdd', major: 251 });
  disk(k.root, 'vde', 250, {}, { ID_PART_TABLE_TYPE: 'gpt' });
  const cfg = (ow: boolean) =>
    `#cloud-config\ndisk_setup:\n  /dev/vdb: {table_type: mbr, layout: [50, 50], overwrite: ${ow}}\n  /dev/vdc: {table_type: gpt, layout: true, overwrite: ${ow}}\n  /dev/vdd: {layout: true, overwrite: ${ow}}\n  /dev/vde: {layout: [100], overwrite: ${ow}}\n`;
  await k.run(diskSetup, cfg(false));
  assert.deepEqual(
    noSettle(k).filter((c) => c.argv[0] !== 'partprobe'),
    [],
    'nothing is written without overwrite (partprobe only has the kernel read a table again)',
  );
  const log = k.lines.join('\n');
  assert.match(log, /\/dev\/vdb left alone: it holds 1 partition\(s\)/);
  assert.match(log, /\/dev\/vdc left alone: it holds a xfs filesystem labelled "data"/);
  assert.match(log, /\/dev\/vdd left alone: udev has no record of it/);
  assert.match(log, /\/dev\/vde left alone: it holds a gpt partition table/);
  await k.run(diskSetup, cfg(true));
  assert.deepEqual(
    noSettle(k)
      .map((c) => (c.argv[0] === 'sfdisk' || c.argv[1] === '-Z' ? c.argv : null))
      .filter((a) => a !== null),
    [
      ['sfdisk', '--force', '/dev/vdb'],
      ['sgdisk', '-Z', '/dev/vdc'],
      ['sfdisk', '--force', '/dev/vdd'],
      ['sfdisk', '--force', '/dev/vde'],
    ],
  );
});

test('fs_setup never formats a partition or disk that holds a filesystem unless overwrite or replace_fs names it, and reuses a matching one', async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'vdb', 252, { 1: { ID_FS_TYPE: 'ext4', ID_FS_LABEL: 'old' }, 2: { ID_FS_TYPE: 'xfs', ID_FS_LABEL: 'data' }, 3: {} }, { ID_PART_TABLE_TYPE: 'gpt' });
  disk(k.root, 'vdc', 253, {}, { ID_FS_TYPE: 'ext4' });
  await k.run(
    diskSetup,
    '#cloud-config\nfs_setup:\n  - {device: /dev/vdb, partition: 1, filesystem: ext4, label: new}\n  - {device: /dev/vdb2, partition: none, filesystem: ext4}\n  - {device: /dev/vdc, partition: none, filesystem: xfs}\n  - {device: /dev/vdb, partition: 2, filesystem: xfs, label: data}\n  - {device: /dev/vdb, partition: any, filesystem: xfs}\n',
  );
  assert.deepEqual(noSettle(k), [], 'no mkfs over existing data');
  const log = k.lines.join('\n');
  assert.match(log, /\/dev\/vdb1 holds a ext4 filesystem labelled "old" \(overwrite: true, or replace_fs: ext4, replaces it\)/);
  assert.match(log, /\/dev\/vdc holds a ext4 filesystem/);
  assert.match(log, /\/dev\/vdb2 already has the xfs filesystem labelled "data": left as it is/);
  await k.run(
    diskSetup,
    '#cloud-config\nfs_setup:\n  - {device: /dev/vdb, partition: 1, filesystem: ext4, label: new, replace_fs: ext4}\n  - {device: /dev/vdc, partition: none, filesystem: xfs, overwrite: true}\n  - {device: /dev/vdb, partition: auto, filesystem: ext4, label: scratch}\n',
  );
  assert.deepEqual(
    noSettle(k).map((c) => c.argv),
    [
      ['/usr/sbin/mkfs.ext4', '-L', 'new', '/dev/vdb1'],
      ['/usr/sbin/mkfs.xfs', '-f', '/dev/vdc'],
      ['/usr/sbin/mkfs.ext4', '-L', 'scratch', '/dev/vdb3'],
    ],
    'replace_fs, overwrite, and auto picking the first empty partition',
  );
});

test('disk_setup and fs_setup resolve ephemeral0 through the metadata and device_aliases, and name a partition with .N', async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'xvdb', 202);
  disk(k.root, 'nvme1n1', 259, { 1: {} }, { ID_PART_TABLE_TYPE: 'dos' });
  await k.run(
    diskSetup,
    '#cloud-config\ndevice_aliases: {data: /dev/nvme1n1}\ndisk_setup:\n  ephemeral0: {table_type: mbr, layout: true, overwrite: false}\nfs_setup:\n  - {label: d1, filesystem: ext4, device: data.1}\n',
    { dsname: 'Ec2', ec2Metadata: { 'block-device-mapping': { ephemeral0: 'sdb' } } },
  );
  assert.deepEqual(k.errors(), []);
  assert.deepEqual(
    noSettle(k).map((c) => c.argv),
    [
      ['partprobe', '/dev/xvdb'],
      ['sfdisk', '--force', '/dev/xvdb'],
      ['partprobe', '/dev/xvdb'],
      ['/usr/sbin/mkfs.ext4', '-L', 'd1', '/dev/nvme1n1p1'],
    ],
  );
});

test('fs_setup keeps labels, extra_opts and cmd values from reaching a shell unquoted', async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'vdb', 252, { 1: {}, 2: {} }, { ID_PART_TABLE_TYPE: 'dos' });
  await k.run(
    diskSetup,
    `#cloud-config\nfs_setup:\n  - {device: /dev/vdb1, filesystem: ext4, label: "x; touch /pwned", extra_opts: ["-E", "lazy_itable_init=1 $(id)"]}\n  - {device: /dev/vdb2, filesystem: ext4, label: "a'b \`id\`", cmd: "mkfs.%(filesystem)s -L %(label)s %(device)s"}\n`,
  );
  assert.deepEqual(
    noSettle(k).map((c) => c.argv),
    [
      ['/usr/sbin/mkfs.ext4', '-L', 'x; touch /pwned', '-E', 'lazy_itable_init=1 $(id)', '/dev/vdb1'],
      ['sh', '-c', `mkfs.ext4 -L 'a'\\''b \`id\`' /dev/vdb2`],
    ],
  );
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  assert.equal(fillCmdTemplate('x %(label)s 100%%', { label: null, filesystem: null, device: '/dev/x' }, shellQuote), 'x None 100%');
  assert.throws(() => fillCmdTemplate('x %s', { label: 'a', filesystem: null, device: '/dev/x' }, shellQuote), /not %\(label\)s/);
});

test('disk_setup reports bad input with file:line:col and the key, and still handles the good entries', async () => {
  const k = makeKit();
  tools(k.root);
  disk(k.root, 'vdb', 252);
  await assert.rejects(
    k.run(
      diskSetup,
      '#cloud-config\ndisk_setup:\n  /dev/vdb: {layout: true}\n  /dev/vdc: {layout: [50, "big"]}\nfs_setup:\n  - {device: /dev/vdb, partition: second, filesystem: ext4}\n  - {device: /dev/vdb, cmd: "mkfs %(name)s"}\n  - {filesystem: ext4}\n',
    ),
    (err: Error) => {
      assert.match(err.message, /line 4 col \d+: disk_setup layout must be true, false, or a list/);
      assert.match(err.message, /line 6 col \d+: fs_setup partition "second" is not a partition number, auto, any or none/);
      assert.match(err.message, /line 7 col \d+: fs_setup cmd names %\(name\)s/);
      assert.match(err.message, /line 8 col \d+: fs_setup entry has no device/);
      return true;
    },
  );
  assert.deepEqual(
    noSettle(k).map((c) => c.argv[0]),
    ['partprobe', 'sfdisk', 'partprobe'],
    'the good disk is still partitioned',
  );
});

test('disk_setup computes the sfdisk script and sgdisk steps of a layout as cloud-init does', () => {
  assert.equal(mbrScript(1000, true), ',,83');
  assert.equal(mbrScript(1000, [33, [33, 82], 34]), ',330,83\n,330,82\n,,83');
  assert.throws(() => mbrScript(1000, [10, 10, 10, 10, 60]), /at most 4/);
  assert.deepEqual(gptSteps(1000, [25, [75, 'ef02']]), [
    { n: '1:0:+250', t: null },
    { n: '2:0:0', t: '2:ef02' },
  ]);
});

test("a boot with the documentation's disk_setup example 2 partitions ephemeral0 and ends done", () => {
  const ud = diskSetup.examples[1] as string;
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, ud)) });
  tools(root);
  disk(root, 'vdb', 252);
  disk(root, 'sdb', 8);
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/90-ephemeral.cfg'), 'device_aliases: {ephemeral0: /dev/vdb}\n');
  // A boot empties /run; udev fills its database again before the stages run.
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
  udev(root, '252:0');
  for (const s of ['local', 'init', 'config', 'final'] as const) {
    const r = stage(root, s);
    assert.equal(r.code, 0, r.stderr);
  }
  const st = cli(root, 'status', '--long');
  assert.equal(st.code, 0, st.stdout);
  assert.deepEqual(
    recorded(root).filter((c) => ['sfdisk', 'partprobe', 'sgdisk'].includes(c[0] as string) || (c[0] as string).includes('mkfs')),
    // The partition was only recorded, so the tree still shows a bare disk: partition
    // auto then takes the whole disk, with mkfs's force flag, as cloud-init does.
    [
      ['partprobe', '/dev/vdb'],
      ['sfdisk', '--force', '/dev/vdb'],
      ['partprobe', '/dev/vdb'],
      ['/usr/sbin/mkfs.ext4', '-L', 'ephemeral0', '-F', '/dev/vdb'],
    ],
  );
});
