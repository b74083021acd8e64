// The ISO9660 reader on real images made with genisoimage (Rock Ridge + Joliet like
// Nova's config drives, Joliet + Rock Ridge like cloud-localds' cidata, Joliet only,
// plain ISO9660), and on broken ones: any truncation or corruption ends in an IsoError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { IsoError, IsoImage, isoVolumeId, openIso, openIsoFile, bufferSource } from '../../packages/core/src/datasources/iso9660.js';
import { isoSkip as skip, mkiso, put, tempDir, testHost } from './helpers.js';

const BIG = Buffer.alloc(300_000);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7919) % 251;

function configDriveTree(): string {
  const d = tempDir('nimbus-cd-');
  put(d, 'openstack/2018-08-27/meta_data.json', '{"uuid": "83679162-1378-4288-a2d4-70e13ec132aa", "hostname": "cd"}');
  put(d, 'openstack/latest/meta_data.json', '{"uuid": "83679162-1378-4288-a2d4-70e13ec132aa", "hostname": "cd"}');
  put(d, 'openstack/latest/user_data', '#cloud-config\nruncmd: [ls]\n');
  put(d, 'openstack/content/0000', 'file content\n');
  put(d, 'ec2/latest/meta-data.json', '{"block-device-mapping": {"ami": "vda"}}');
  put(d, 'big.bin', BIG);
  put(d, 'A Mixed Case Name With Spaces.txt', 'spaces\n');
  put(d, 'a/b/c/d/e/f/g/h/i/j/deep.txt', 'deep\n');
  fs.symlinkSync('openstack/latest', path.join(d, 'current'));
  return d;
}

test('a config-2 drive as Nova makes it (Rock Ridge + Joliet): names, contents, big file, deep dirs, symlink', { skip }, () => {
  const iso = mkiso(configDriveTree(), ['-V', 'config-2', '-J', '-r', '-ldots', '-allow-lowercase', '-allow-multidot', '-l']);
  const img = openIso(iso, {}, 'config-2.iso');
  assert.equal(img.volumeId, 'config-2');
  assert.equal(img.names, 'rockridge');
  assert.equal(isoVolumeId(bufferSource(iso)), 'config-2');
  const top = img.list('/')!.map((e) => e.name);
  for (const n of ['A Mixed Case Name With Spaces.txt', 'a', 'big.bin', 'current', 'ec2', 'openstack']) assert.ok(top.includes(n), `${n} in ${top}`);
  assert.deepEqual(
    img.list('openstack')!.map((e) => e.name),
    ['2018-08-27', 'content', 'latest'],
  );
  assert.equal(Buffer.from(img.readFile('openstack/latest/user_data')!).toString(), '#cloud-config\nruncmd: [ls]\n');
  assert.equal(Buffer.from(img.readFile('/openstack/content/0000')!).toString(), 'file content\n');
  assert.ok(Buffer.from(img.readFile('big.bin')!).equals(BIG));
  assert.equal(Buffer.from(img.readFile('a/b/c/d/e/f/g/h/i/j/deep.txt')!).toString(), 'deep\n');
  assert.deepEqual(img.stat('current'), { name: 'current', type: 'symlink', size: 0, target: 'openstack/latest' });
  assert.equal(img.readFile('current'), null, 'symlinks are not followed');
  assert.equal(img.readFile('openstack'), null);
  assert.equal(img.readFile('openstack/nope.json'), null);
  assert.equal(img.list('big.bin'), null);
  assert.throws(() => img.readFile('openstack/../big.bin'), IsoError);
});

test('cidata as cloud-localds makes it (Joliet + Rock Ridge), Joliet only, and plain ISO9660 names', { skip }, () => {
  const d = tempDir('nimbus-cidata-');
  put(d, 'meta-data', 'instance-id: iid-local01\n');
  put(d, 'user-data', '#cloud-config\n');
  put(d, 'network-config', 'version: 2\n');
  const both = openIso(mkiso(d, ['-volid', 'cidata', '-joliet', '-rock']));
  assert.equal(both.volumeId, 'cidata');
  assert.deepEqual(
    both.list('')!.map((e) => e.name),
    ['meta-data', 'network-config', 'user-data'],
  );
  const joliet = openIso(mkiso(d, ['-V', 'CIDATA', '-J']));
  assert.equal(joliet.names, 'joliet');
  assert.deepEqual(
    joliet.list('/')!.map((e) => e.name),
    ['meta-data', 'network-config', 'user-data'],
  );
  assert.equal(Buffer.from(joliet.readFile('meta-data')!).toString(), 'instance-id: iid-local01\n');
  // Without extensions ISO9660 names are 8.3 upper case; Linux shows them lower case without ";1".
  const plain = openIso(mkiso(d, ['-V', 'CIDATA']));
  assert.equal(plain.names, 'iso9660');
  assert.deepEqual(
    plain.list('/')!.map((e) => e.name),
    ['meta_dat', 'network_', 'user_dat'],
  );
  // The same image read with a chosen naming:
  assert.equal(new IsoImage(bufferSource(mkiso(d, ['-J', '-r'])), { names: 'joliet' }).names, 'joliet');
  assert.throws(() => new IsoImage(bufferSource(mkiso(d, ['-J'])), { names: 'rockridge' }), /no Rock Ridge/);
});

test('read through host.fs; sizes are checked before reading', { skip }, () => {
  const root = tempDir();
  const d = tempDir();
  put(d, 'meta-data', 'instance-id: x\n');
  put(root, 'dev/sr0', mkiso(d, ['-V', 'cidata', '-J', '-r']));
  const host = testHost(root);
  const img = openIsoFile(host.fs, '/dev/sr0');
  assert.equal(Buffer.from(img.readFile('meta-data')!).toString(), 'instance-id: x\n');
  assert.throws(() => openIsoFile(host.fs, '/dev/sr0', { maxImageBytes: 1000 }), /larger than the 1000/);
  assert.throws(() => openIsoFile(host.fs, '/dev/sr9'), /no such file/);
  assert.throws(() => openIso(Buffer.from(mkiso(d, ['-J'])), { maxFileBytes: 4 }).readFile('meta-data'), /more than the 4 allowed/);
});

test('not an ISO, empty, and tiny inputs give IsoError', () => {
  for (const b of [Buffer.alloc(0), Buffer.alloc(100), Buffer.alloc(40000), Buffer.from('CD001'.repeat(10000))]) {
    assert.throws(() => openIso(b), IsoError);
    assert.equal(isoVolumeId(bufferSource(b)), null);
  }
});

/** Reads everything the image has, bounded; returns how many entries were seen. */
function walkAll(img: IsoImage): number {
  let seen = 0;
  const stack = [''];
  while (stack.length > 0 && seen < 5000) {
    const dir = stack.pop() as string;
    for (const e of img.list(dir) ?? []) {
      seen++;
      const p = `${dir}/${e.name}`;
      if (e.type === 'dir' && p.split('/').length < 40) stack.push(p);
      else if (e.type === 'file') img.readFile(p);
    }
  }
  return seen;
}

function onlyIsoErrors(bytes: Uint8Array): void {
  try {
    walkAll(openIso(bytes));
  } catch (e) {
    if (!(e instanceof IsoError)) throw new Error(`not an IsoError: ${(e as Error).stack}`);
  }
}

test('truncated anywhere: IsoError or what is still readable, never another exception', { skip }, () => {
  const iso = mkiso(configDriveTree(), ['-V', 'config-2', '-J', '-r']);
  assert.ok(walkAll(openIso(iso)) > 10);
  for (let cut = 0; cut < iso.length; cut += 2048) onlyIsoErrors(iso.subarray(0, cut));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: iso.length }), (cut) => onlyIsoErrors(iso.subarray(0, cut))),
    { numRuns: 200 },
  );
});

test('corrupted bytes in the descriptors and directories: IsoError, no hang', { skip }, () => {
  const iso = mkiso(configDriveTree(), ['-V', 'config-2', '-J', '-r']);
  // Metadata lives in the first ~30 sectors; corrupt there, where it matters.
  const meta = 40 * 2048;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 16 * 2048, max: meta - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }), (edits) => {
      const b = Buffer.from(iso);
      for (const [at, v] of edits) b[at] = v;
      onlyIsoErrors(b);
    }),
    { numRuns: 500 },
  );
});

test('hostile directory sizes and extents are refused before reading', { skip }, () => {
  const iso = Buffer.from(mkiso(configDriveTree(), ['-V', 'config-2', '-J', '-r']));
  // Root record of the primary descriptor: data length at 156+10 (LE) and extent at 156+2.
  const huge = Buffer.from(iso);
  huge.writeUInt32LE(0xfffffff0, 16 * 2048 + 156 + 10);
  assert.throws(() => openIso(huge), /truncated image|larger than/);
  const far = Buffer.from(iso);
  far.writeUInt32LE(0x7fffffff, 16 * 2048 + 156 + 2);
  assert.throws(() => openIso(far), /truncated image/);
});
