// resizefs: the root filesystem grown to its partition on every boot (resize2fs, xfs_growfs,
// btrfs), on trees whose mount table describes the machine (commands recorded with argv).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { addDisk, cmdline, mountTable } from './disk-tree.js';
import { resizefs, resizeCommand, btrfsQueues, resizeSetting } from '../../packages/core/src/modules/resizefs.js';
import { boot, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';

function machine(fstype: string, opts?: string): ReturnType<typeof makeKit> {
  const k = makeKit();
  addDisk(k.root, { disk: 'vda', parts: [1] });
  mountTable(k.root, [{ source: '/dev/vda1', point: '/', fstype, ...(opts === undefined ? {} : { opts }) }]);
  return k;
}

test('resizefs with no configuration grows an ext4 root with resize2fs on its device, output to the output log', async () => {
  const k = machine('ext4');
  await k.run(resizefs, '{}');
  assert.deepEqual(k.commands(), [{ argv: ['resize2fs', '/dev/vda1'], output: 'log' }]);
  assert.deepEqual(k.warnings(), []);
});

test('resizefs grows xfs at its mount point and btrfs with filesystem resize max (through .snapshots when / is read-only)', async () => {
  const x = machine('xfs');
  await x.run(resizefs, 'resize_rootfs: true\n');
  assert.deepEqual(x.argvs(), [['xfs_growfs', '/']]);
  const b = machine('btrfs');
  await b.run(resizefs, '{}');
  assert.deepEqual(b.argvs(), [
    ['btrfs', '--version'],
    ['btrfs', 'filesystem', 'resize', 'max', '/'],
  ]);
  const ro = machine('btrfs', 'ro,relatime');
  fs.mkdirSync(path.join(ro.root, '.snapshots'));
  await ro.run(resizefs, '{}');
  assert.deepEqual(ro.argvs()[1], ['btrfs', 'filesystem', 'resize', 'max', '/.snapshots']);
});

test("resizefs runs the documentation's examples: false resizes nothing, noblock starts the resize in the background", async () => {
  const off = machine('ext4');
  await off.run(resizefs, '#cloud-config\nresize_rootfs: false\n');
  assert.deepEqual(off.argvs(), []);
  assert.deepEqual(off.warnings(), []);
  const nb = machine('ext4');
  await nb.run(resizefs, '#cloud-config\nresize_rootfs: noblock\n');
  // The command is the shell's positional parameters, never part of its script.
  assert.deepEqual(nb.commands(), [{ argv: ['sh', '-c', '"$@" </dev/null &', 'resizefs', 'resize2fs', '/dev/vda1'], output: 'log' }]);
  assert.match(nb.lines.join('\n'), /resizing the root filesystem in the background/);
});

test('resizefs takes /dev/root from root= on the kernel command line', async () => {
  const k = makeKit();
  addDisk(k.root, { disk: 'sda', parts: [1], major: 8 });
  mountTable(k.root, [{ source: '/dev/root', point: '/', fstype: 'ext4' }]);
  cmdline(k.root, 'root=/dev/sda1 ro quiet');
  await k.run(resizefs, '{}');
  assert.deepEqual(k.argvs(), [['resize2fs', '/dev/sda1']]);
});

test('resizefs says what it cannot resize: an unknown filesystem, a missing device, a zfs root; an image tree without a mount table is left quietly', async () => {
  const u = machine('vfat');
  await u.run(resizefs, '{}');
  assert.match(u.warnings().join('\n'), /not resizing unknown filesystem type vfat for \//);
  const m = makeKit();
  mountTable(m.root, [{ source: '/dev/vdz1', point: '/', fstype: 'ext4' }]);
  await m.run(resizefs, '{}');
  assert.match(m.warnings().join('\n'), /not resizing \/: \/dev\/vdz1 does not exist/);
  const z = makeKit();
  mountTable(z.root, [{ source: 'rpool/ROOT/debian', point: '/', fstype: 'zfs' }]);
  await z.run(resizefs, '{}');
  assert.match(z.warnings().join('\n'), /not supported: resizing a zfs root/);
  const c = makeKit();
  mountTable(c.root, [{ source: 'overlay', point: '/', fstype: 'overlay' }]);
  c.write('run/systemd/container', 'docker\n');
  await c.run(resizefs, '{}');
  assert.deepEqual(c.warnings(), [], 'a container root that is no device is not a problem');
  const t = makeKit();
  await t.run(resizefs, '{}');
  assert.deepEqual(t.warnings(), []);
  assert.match(t.lines.join('\n'), /could not determine the filesystem of \/: the tree .* has no \/proc\/self\/mountinfo or \/etc\/mtab/);
  for (const k of [u, m, z, c, t]) assert.deepEqual(k.argvs(), []);
});

test('resizefs refuses a value other than true, false or noblock, naming the line', async () => {
  const k = machine('ext4');
  await assert.rejects(k.run(resizefs, 'resize_rootfs: later\n'), /user-data line 1 col 1: resize_rootfs "later" is not true, false or noblock/);
  assert.deepEqual(k.argvs(), []);
});

test('resizefs pure parts: the command per filesystem type and the btrfs queue from its version', () => {
  assert.deepEqual(resizeCommand('ext3', '/', '/dev/sda1'), ['resize2fs', '/dev/sda1']);
  assert.deepEqual(resizeCommand('xfs', '/', '/dev/sda1'), ['xfs_growfs', '/']);
  assert.deepEqual(resizeCommand('btrfs', '/', '/dev/sda1', { btrfsQueue: true }), ['btrfs', 'filesystem', 'resize', '--enqueue', 'max', '/']);
  assert.deepEqual(resizeCommand('bcachefs', '/', '/dev/sda1'), ['bcachefs', 'device', 'resize', '/dev/sda1']);
  assert.equal(resizeCommand('vfat', '/', '/dev/sda1'), null);
  assert.equal(btrfsQueues('btrfs-progs v6.2\n'), true);
  assert.equal(btrfsQueues('btrfs-progs v5.10.1'), true);
  assert.equal(btrfsQueues('btrfs-progs v5.4.1'), false);
  assert.equal(btrfsQueues(''), false);
  assert.equal(resizeSetting(undefined), true);
  assert.equal(resizeSetting('noblock'), 'noblock');
  assert.equal(resizeSetting('Yes'), true, 'a quoted yes, as cloud-init reads it');
  assert.equal(resizeSetting('off'), false);
  assert.equal(resizeSetting('later'), null);
  assert.equal(resizeSetting(2), null);
});

test('a boot with no resize_rootfs or growpart configuration grows the root partition, then its filesystem, in the init stage, and ends done; resize_rootfs: false and growpart mode off run neither and end done', () => {
  const root = makeRoot();
  addDisk(root, { disk: 'vda', parts: [1] });
  mountTable(root, [{ source: '/dev/vda1', point: '/', fstype: 'ext4' }]);
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/growpart'), '#!/bin/sh\n', { mode: 0o755 });
  for (const r of boot(root)) assert.equal(r.code, 0, r.stderr);
  const cmds = recorded(root).map((a) => a.join(' '));
  const grow = cmds.indexOf('growpart /dev/vda 1');
  const resize = cmds.indexOf('resize2fs /dev/vda1');
  assert.ok(grow >= 0 && resize > grow, JSON.stringify(cmds));
  assert.equal(cli(root, 'status', '--long').code, 0);

  const drive = driveWith((d) => setUserData(d, '#cloud-config\nresize_rootfs: false\ngrowpart: {mode: "off"}\n'));
  const off = makeRoot({ drive });
  addDisk(off, { disk: 'vda', parts: [1] });
  mountTable(off, [{ source: '/dev/vda1', point: '/', fstype: 'ext4' }]);
  for (const r of boot(off)) assert.equal(r.code, 0, r.stderr);
  assert.ok(!recorded(off).some((a) => a[0] === 'resize2fs' || a[0] === 'growpart'));
  const st = cli(off, 'status', '--long');
  assert.equal(st.code, 0, st.stdout);
});
