import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit, type Kit } from './kit.js';
import { mounts, fstabWith, safeOptions, humanBytes, suggestedSwapSize, escapeFstabField } from '../../packages/core/src/modules/mounts.js';

function disk(k: Kit, name: string, parts: string[] = []): void {
  k.write(`dev/${name}`, '');
  k.write(`sys/block/${name}/size`, '100\n');
  for (const p of parts) {
    k.write(`dev/${p}`, '');
    k.write(`sys/block/${name}/${p}/partition`, '1\n');
  }
}

const BDM = { 'block-device-mapping': { ami: 'sda1', root: '/dev/sda1', ephemeral0: 'sdb', swap: 'sdc' } };

test('mounts: defaults through block-device-mapping (sdX seen as vdX), nofail and a timeout on every line', async () => {
  const k = makeKit();
  k.write('etc/fstab', 'UUID=abc / ext4 defaults 0 1\n/dev/old /old auto defaults,comment=cloudconfig 0 2\n');
  disk(k, 'vdb');
  disk(k, 'vdc');
  disk(k, 'vdd', ['vdd1']);
  await k.run(mounts, 'mounts:\n  - [vdd, /data, ext4, "defaults,noatime"]\n', { ec2Metadata: BDM });
  assert.equal(
    k.read('etc/fstab'),
    'UUID=abc / ext4 defaults 0 1\n' +
      '/dev/vdd1\t/data\text4\tdefaults,noatime,nofail,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2\n' +
      '/dev/vdb\t/mnt\tauto\tdefaults,nofail,x-systemd.requires=cloud-init.service,_netdev,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2\n' +
      '/dev/vdc\tnone\tswap\tsw,nofail,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t0\n',
  );
  assert.ok(k.exists('data') && k.exists('mnt'));
  assert.deepEqual(k.argvs(), [
    ['swapon', '-a'],
    ['mount', '-a'],
    ['systemctl', 'daemon-reload'],
  ]);
});

test('mounts: an absent ephemeral disk gets no line (warning), and the fstab parses with findmnt and mount -f', async () => {
  const k = makeKit();
  k.write('etc/fstab', '# static\nLABEL=root / ext4 defaults 0 1\n');
  disk(k, 'vde');
  await k.run(mounts, 'mounts:\n  - [ephemeral0, /mnt/eph]\n  - [/dev/vde, /srv, xfs]\n  - [/dev/vdz, /nothing]\n  - [swap, null]\n', { ec2Metadata: BDM });
  const fstab = k.read('etc/fstab');
  assert.ok(!fstab.includes('/mnt/eph') && !fstab.includes('/nothing'));
  assert.match(fstab, /^\/dev\/vde\t\/srv\txfs\tdefaults,nofail,x-systemd.requires=cloud-init.service,_netdev,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2$/m);
  const w = k.warnings().join('\n');
  assert.match(w, /mounts\[0\]: ephemeral0: \/dev\/sdb does not exist; no fstab entry for it/);
  assert.match(w, /mounts\[2\]: \/dev\/vdz: \/dev\/vdz does not exist/);
  for (const line of fstab.split('\n').filter((l) => l.includes('cloudconfig'))) assert.match(line, /\bnofail\b.*\bx-systemd\.device-timeout=10s\b/);
  const file = path.join(k.root, 'etc/fstab');
  const v = spawnSync('findmnt', ['--verify', '--verbose', '--tab-file', file], { encoding: 'utf8' });
  if (v.error === undefined) assert.match(v.stdout + v.stderr, /\b0 parse errors\b/);
  // mount -f (fake) -n (no utab) in a private mount namespace: parses every line, mounts nothing here.
  if (process.getuid?.() === 0) {
    const m = spawnSync('unshare', ['-m', '--propagation', 'private', 'mount', '-a', '-f', '-n', '--fstab', file], { encoding: 'utf8' });
    if (m.error === undefined) assert.equal(m.status, 0, m.stderr);
  }
});

test('mounts: second run replaces its own lines; bad fields refused; swap file commands', async () => {
  const k = makeKit();
  disk(k, 'vdb');
  await k.run(mounts, 'mounts: [[vdb, /a]]\n');
  await k.run(mounts, 'mounts: [[vdb, /b]]\nswap: {filename: /swapfile, size: 512M}\n');
  const lines = k.read('etc/fstab').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] as string, /^\/dev\/vdb\t\/b\t/);
  assert.equal(lines[1], '/swapfile\tnone\tswap\tsw,nofail,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t0');
  assert.deepEqual(k.argvs().slice(-5), [
    ['fallocate', '-l', '512M', '/swapfile'],
    ['mkswap', '/swapfile'],
    ['swapon', '-a'],
    ['mount', '-a'],
    ['systemctl', 'daemon-reload'],
  ]);
  const bad = makeKit();
  disk(bad, 'vdb');
  await bad.run(mounts, 'mounts:\n  - [vdb, /ok, "ext4 defaults"]\n');
  assert.match(bad.errors().join('\n'), /user-data line 2 col \d+: mounts\[0\]: "\/dev\/vdb": field 3 "ext4 defaults" must be one word; no fstab entry for it/);
  assert.ok(!bad.exists('etc/fstab') || !bad.read('etc/fstab').includes('/ok'));
});

test('mounts: a mount point with a space is written as \\040 in fstab, and its directory made with the space', async () => {
  const k = makeKit();
  disk(k, 'vdb');
  await k.run(mounts, 'mounts:\n  - [vdb, "/srv/my data", ext4]\n  - ["fileserver:/export/team share", "/mnt/team share", nfs, "rw,hard"]\n');
  assert.deepEqual(k.errors(), []);
  const lines = k.read('etc/fstab').trim().split('\n');
  assert.equal(lines[0], '/dev/vdb\t/srv/my\\040data\text4\tdefaults,nofail,x-systemd.requires=cloud-init.service,_netdev,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2');
  assert.equal(lines[1], 'fileserver:/export/team\\040share\t/mnt/team\\040share\tnfs\trw,hard,nofail,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2');
  assert.ok(k.exists('srv/my data') && k.exists('mnt/team share'));
  // util-linux reads the escapes back as the paths.
  const v = spawnSync('findmnt', ['--tab-file', path.join(k.root, 'etc/fstab'), '-n', '-o', 'SOURCE,TARGET', '--list'], { encoding: 'utf8' });
  if (v.error === undefined && v.status === 0) assert.match(v.stdout, /\/srv\/my data/);
});

test('mounts: a network source holding a newline or another control character is refused with its line and column and adds no fstab line', async () => {
  const k = makeKit();
  disk(k, 'vdb');
  const ud =
    'mounts:\n' +
    '  - ["nfs.example.org:/export\\n/dev/vdb / ext4 defaults 0 0 #", /mnt/nfs, nfs]\n' +
    '  - ["nas:/vol\\rsecret", /mnt/nas, nfs]\n' +
    '  - ["nas:/vol\\x1b[2J", /mnt/esc, nfs]\n' +
    '  - ["nas:/data", /mnt/data, nfs]\n';
  await k.run(mounts, ud);
  const errs = k.errors().join('\n');
  assert.match(errs, /user-data line 2 col 7: mounts\[0\]: field 1 "nfs.example.org:\/export\\n\/dev\/vdb \/ ext4 defaults 0 0 #" contains a control character; no fstab entry for it/);
  assert.match(errs, /user-data line 3 col 7: mounts\[1\]: .* contains a control character/);
  assert.match(errs, /user-data line 4 col 7: mounts\[2\]: .* contains a control character/);
  const fstab = k.read('etc/fstab');
  assert.equal(fstab, 'nas:/data\t/mnt/data\tnfs\tdefaults,nofail,x-systemd.requires=cloud-init.service,_netdev,x-systemd.device-timeout=10s,comment=cloudconfig\t0\t2\n');
  assert.ok(!fstab.includes('/dev/vdb'), 'nothing injected');
  assert.equal(fstab.split('\n').length, 2);
});

test('mounts pure parts', () => {
  assert.equal(fstabWith('a\nb comment=cloudconfig\n', [['/dev/x', '/m', 'auto', 'o', '0', '2']]), 'a\n/dev/x\t/m\tauto\to\t0\t2\n');
  assert.equal(safeOptions('defaults,nobootwait'), 'defaults,nofail,x-systemd.device-timeout=10s,comment=cloudconfig');
  assert.equal(safeOptions('x-systemd.device-timeout=3,nofail'), 'x-systemd.device-timeout=3,nofail,comment=cloudconfig');
  assert.equal(humanBytes('1G'), 2 ** 30);
  assert.equal(humanBytes('1.5M'), 1.5 * 2 ** 20);
  assert.equal(humanBytes('x'), null);
  assert.equal(suggestedSwapSize(2 * 2 ** 30, null), 2 * 2 ** 30);
  assert.equal(suggestedSwapSize(8 * 2 ** 30, 2 ** 30), 2 ** 30);
  assert.equal(suggestedSwapSize(64 * 2 ** 30, null), 8 * 2 ** 30);
});

test('mounts: nothing to add and nothing of ours in fstab: fstab untouched, no mount -a', async () => {
  const k = makeKit();
  await k.run(mounts, 'mounts: [[ephemeral0, /data]]\n', { ec2Metadata: BDM });
  assert.ok(!k.exists('etc/fstab'));
  assert.deepEqual(k.argvs(), []);
  const o = makeKit();
  o.write('etc/fstab', 'LABEL=r / ext4 defaults 0 1\n/dev/vdb /mnt auto defaults,comment=cloudconfig 0 2\n');
  await o.run(mounts, '{}');
  assert.equal(o.read('etc/fstab'), 'LABEL=r / ext4 defaults 0 1\n', 'our old line goes when its disk is gone');
  assert.deepEqual(o.argvs(), [
    ['mount', '-a'],
    ['systemctl', 'daemon-reload'],
  ]);
});

/** Reads an fstab field back as util-linux does: \ooo octal escapes become their character. */
function fstabUnescape(f: string): string {
  return f.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

test('mounts: no source or mount point, whatever it holds, adds an fstab line or a field of its own', async () => {
  const chars = fc.constantFrom('a', 'b', '/', ':', '.', '-', ' ', '\t', '\n', '\r', '\v', '\f', '\x1b', '\x7f', '\x00', '#', '\\', '0', 'x');
  const word = fc.string({ unit: chars, minLength: 1, maxLength: 12 });
  await fc.assert(
    fc.asyncProperty(word, word, async (src, mp) => {
      const k = makeKit();
      await k.run(mounts, `mounts:\n  - [${JSON.stringify(`nas:/${src}`)}, ${JSON.stringify(`/mnt/${mp}`)}, nfs]\n`);
      const text = k.exists('etc/fstab') ? k.read('etc/fstab') : '';
      const lines = text.split('\n').filter((l) => l !== '');
      assert.ok(lines.length <= 1, JSON.stringify(text));
      if (lines.length === 0) {
        assert.match(k.errors().join('\n'), /user-data line 2 col \d+: mounts\[0\]: /);
        return;
      }
      const fields = (lines[0] as string).split('\t');
      assert.equal(fields.length, 6, JSON.stringify(lines[0]));
      assert.ok(!fields.some((f) => / /.test(f)), 'no blank inside a field');
      assert.equal(fstabUnescape(fields[0] as string), `nas:/${src}`);
      assert.equal(fstabUnescape(fields[1] as string), `/mnt/${mp}`);
    }),
    { numRuns: 150 },
  );
  assert.equal(escapeFstabField('a b\tc\\040'), 'a\\040b\\011c\\134040');
});
