// Filesystem labels read from a device's first bytes (datasources/fs-label.ts), on images
// made by genisoimage, mkfs.vfat and mke2fs in temp files, each compared with what
// `blkid -p` says about the same file; and listFilesystems finding config-2 and cidata
// devices in a root's /sys/class/block and /dev without starting blkid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { probeFilesystem, type ReadAt } from '../../packages/core/src/datasources/fs-label.js';
import { blockDevices, findDevicesByLabel, listFilesystems } from '../../packages/core/src/datasources/blockdev.js';
import { ensureCommand } from '../helpers/apt.js';
import { isoSkip, mkiso, put, tempDir, testHost } from './helpers.js';

const vfatSkip = ensureCommand('mkfs.vfat', 'dosfstools') ? false : 'mkfs.vfat (dosfstools) is not installed and could not be installed';
const extSkip = ensureCommand('mke2fs', 'e2fsprogs') ? false : 'mke2fs is not installed';
const hasBlkid = ensureCommand('blkid', 'util-linux');

function fileReader(file: string): ReadAt {
  const data = fs.readFileSync(file);
  return (offset, length) => (offset >= data.length ? null : data.subarray(offset, offset + length));
}

/** What blkid -p (the superblock probe, no cache) says about an image file. */
function blkid(file: string): { type: string | null; label: string | null; uuid: string | null } | null {
  if (!hasBlkid) return null;
  const r = spawnSync('blkid', ['-p', '-o', 'export', file], { encoding: 'utf8' });
  const kv = new Map(
    r.stdout
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, (m[2] as string).replace(/\\(.)/g, '$1')]),
  );
  return { type: kv.get('TYPE') ?? null, label: kv.get('LABEL') ?? null, uuid: kv.get('UUID') ?? null };
}

function image(tag: string, mb: number): string {
  const f = path.join(tempDir(`nimbus-fs-${tag}-`), 'disk.img');
  fs.writeFileSync(f, '');
  fs.truncateSync(f, mb * 1024 * 1024);
  return f;
}

function run(argv: string[]): void {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
}

test('an ISO9660 seed gives its volume id as the label and its creation time as the UUID, as blkid does', { skip: isoSkip }, () => {
  for (const label of ['config-2', 'cidata', 'CIDATA']) {
    const d = tempDir('nimbus-iso-src-');
    put(d, 'meta-data', 'instance-id: i-1\n');
    const f = path.join(tempDir('nimbus-iso-'), 'seed.iso');
    fs.writeFileSync(f, mkiso(d, ['-V', label, '-J', '-r']));
    const p = probeFilesystem(fileReader(f));
    assert.equal(p?.type, 'iso9660');
    assert.equal(p?.label, label);
    assert.match(p?.uuid ?? '', /^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d\d$/);
    const b = blkid(f);
    if (b) assert.deepEqual(p, b, label);
  }
});

test('vfat seeds (FAT12, FAT16, FAT32) give the root directory’s volume label and the serial as blkid does', { skip: vfatSkip }, () => {
  for (const [fat, mb, label] of [
    ['12', 2, 'CIDATA'],
    ['16', 20, 'config-2'],
    ['32', 40, 'cidata'],
  ] as const) {
    const f = image(`vfat${fat}`, mb);
    run(['mkfs.vfat', '-F', fat, '-n', label, '-i', '1234ABCD', f]);
    const p = probeFilesystem(fileReader(f));
    assert.equal(p?.type, 'vfat');
    assert.equal(p?.uuid, '1234-ABCD');
    // mkfs.vfat may store a lower-case label in upper case; blkid below says which.
    assert.equal(p?.label?.toLowerCase(), label.toLowerCase(), `FAT${fat}`);
    const b = blkid(f);
    if (b) assert.deepEqual(p, b, `FAT${fat}`);
  }
  // No label at all: none, not "NO NAME".
  const f = image('vfat-nolabel', 2);
  run(['mkfs.vfat', f]);
  assert.equal(probeFilesystem(fileReader(f))?.label, null);
});

test('ext2, ext3 and ext4 give the superblock’s label, UUID and kind as blkid does', { skip: extSkip }, () => {
  for (const t of ['ext2', 'ext3', 'ext4'] as const) {
    const f = image(t, 8);
    run(['mke2fs', '-q', '-F', '-t', t, '-L', 'cidata', '-U', '0b6f4d6c-3c0a-4d3e-9d2e-1f2a3b4c5d6e', f]);
    const p = probeFilesystem(fileReader(f));
    assert.deepEqual(p, { type: t, label: 'cidata', uuid: '0b6f4d6c-3c0a-4d3e-9d2e-1f2a3b4c5d6e' });
    const b = blkid(f);
    if (b) assert.deepEqual(p, b, t);
  }
});

test('zeros, a partition table, text and a truncated image are no filesystem', () => {
  const zeros = Buffer.alloc(64 * 1024);
  const at =
    (b: Buffer): ReadAt =>
    (o, l) =>
      o >= b.length ? null : b.subarray(o, o + l);
  assert.equal(probeFilesystem(at(zeros)), null);
  const mbr = Buffer.alloc(64 * 1024);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  mbr[0] = 0xeb; // even with a jump, no FAT parameter block
  assert.equal(probeFilesystem(at(mbr)), null);
  assert.equal(probeFilesystem(at(Buffer.from('not an image'))), null);
  // An ISO cut before its volume descriptor.
  const cut = Buffer.alloc(16 * 2048 + 100);
  cut.write('CD001', 16 * 2048 + 1, 'latin1');
  cut[16 * 2048] = 1;
  assert.equal(probeFilesystem(at(cut)), null);
});

test('under a root, config-2 and cidata are found on the devices of /sys/class/block and the optical drives, without blkid', { skip: isoSkip || vfatSkip || extSkip }, () => {
  const root = tempDir();
  const d = tempDir('nimbus-iso-src-');
  put(d, 'openstack/latest/meta_data.json', '{"uuid": "iid-1"}');
  put(root, 'dev/sr0', mkiso(d, ['-V', 'config-2', '-J', '-r']));
  const vfat = image('vfat-root', 2);
  run(['mkfs.vfat', '-n', 'CIDATA', vfat]);
  fs.copyFileSync(vfat, path.join(root, 'dev/vdb'));
  const ext = image('ext-root', 8);
  run(['mke2fs', '-q', '-F', '-t', 'ext4', '-L', 'cloudimg-rootfs', ext]);
  fs.copyFileSync(ext, path.join(root, 'dev/vda1'));
  put(root, 'dev/vda', Buffer.alloc(4096));
  put(root, 'dev/vda10', Buffer.alloc(4096));
  for (const n of ['vda', 'vda1', 'vda10', 'vdb', 'sr0', 'ram0', 'vdc']) fs.mkdirSync(path.join(root, 'sys/class/block', n), { recursive: true });
  put(root, 'dev/ram0', mkiso(d, ['-V', 'config-2']));
  const host = testHost(root);
  // vdc has no /dev node; ram disks are never probed.
  assert.deepEqual(blockDevices(host), ['/dev/sr0', '/dev/vda', '/dev/vda1', '/dev/vda10', '/dev/vdb']);
  const found = listFilesystems(host).map(({ device, label, type }) => ({ device, label, type }));
  assert.deepEqual(found, [
    { device: '/dev/sr0', label: 'config-2', type: 'iso9660' },
    { device: '/dev/vda1', label: 'cloudimg-rootfs', type: 'ext4' },
    { device: '/dev/vdb', label: 'CIDATA', type: 'vfat' },
  ]);
  assert.deepEqual(
    findDevicesByLabel(host, ['cidata', 'CIDATA']).map((f) => f.device),
    ['/dev/vdb'],
  );
  // Nothing was run: no blkid, no mount.
  assert.equal(fs.existsSync(path.join(root, 'var/log/nimbus-commands.log')), false);
});
