import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { mounts, fstabWith, safeOptions, humanBytes, suggestedSwapSize } from '../../packages/core/src/modules/mounts.js';
import { resolvConf, renderResolvConf } from '../../packages/core/src/modules/resolv-conf.js';

const HEAD = "# Your system has been configured with 'manage-resolv-conf' set to true.\n# As a result, cloud-init has written this file with configuration data\n# that it has been provided. Cloud-init, by default, will write this file\n# a single time (PER_ONCE).\n#\n";

test('resolv.conf laid out as cloud-init\'s template renders it', () => {
  // Expected texts rendered by cloud-init 22.4's resolv.conf.tmpl.
  assert.equal(renderResolvConf({}), HEAD + '\n');
  assert.equal(renderResolvConf({ nameservers: ['1.1.1.1'] }), HEAD + 'nameserver 1.1.1.1\n\n\n');
  assert.equal(renderResolvConf({ searchdomains: ['s.com'], domain: 'd.com' }), HEAD + 'search s.com \ndomain d.com\n\n');
  assert.equal(renderResolvConf({ sortlist: ['10.0.0.0/8'], options: { rotate: true, ndots: 2, debug: false } }), HEAD + '\nsortlist 10.0.0.0/8 \noptions rotate ndots:2\n');
  assert.equal(
    renderResolvConf({ nameservers: ['8.8.8.8', '8.8.4.4'], searchdomains: ['a.com', 'b.com'], domain: 'ex.com', sortlist: ['10.0.0.1/255', '10.0.0.2'], options: { timeout: 1, rotate: true } }),
    HEAD + 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n\nsearch a.com b.com \ndomain ex.com\n\nsortlist 10.0.0.1/255 10.0.0.2 \noptions rotate timeout:1\n',
  );
});

test('resolv_conf module: values checked, dashed key deprecated, link replaced', async () => {
  const k = makeKit();
  await k.run(resolvConf, 'manage-resolv-conf: true\nresolv_conf:\n  nameservers: [10.0.0.2, "1.1.1.1\\nnameserver 6.6.6.6"]\n  searchdomains: [example.org]\n');
  assert.equal(k.read('etc/resolv.conf'), HEAD + 'nameserver 10.0.0.2\n\nsearch example.org \n\n');
  assert.equal(k.mode('etc/resolv.conf'), 0o644);
  assert.match(k.errors()[0] ?? '', /user-data line 3 col \d+: resolv_conf.nameservers\[1\] .*not an IP address; left out/);
  assert.equal(k.logger.report.recoverable.DEPRECATED.length, 1);
  const off = makeKit();
  await off.run(resolvConf, 'manage_resolv_conf: false\nresolv_conf: {nameservers: [1.1.1.1]}\n');
  assert.ok(!off.exists('etc/resolv.conf'));
  const l = makeKit();
  const fs = await import('node:fs');
  fs.mkdirSync(`${l.root}/run/systemd/resolve`, { recursive: true });
  fs.writeFileSync(`${l.root}/run/systemd/resolve/stub-resolv.conf`, 'nameserver 127.0.0.53\n');
  fs.symlinkSync('../run/systemd/resolve/stub-resolv.conf', `${l.root}/etc/resolv.conf`);
  await l.run(resolvConf, 'manage_resolv_conf: true\nresolv_conf: {nameservers: [1.1.1.1]}\n');
  assert.equal(fs.lstatSync(`${l.root}/etc/resolv.conf`).isFile(), true);
  assert.equal(l.read('run/systemd/resolve/stub-resolv.conf'), 'nameserver 127.0.0.53\n');
  assert.match(l.warnings()[0] ?? '', /was a link to/);
});

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
  assert.deepEqual(k.argvs(), [['swapon', '-a'], ['mount', '-a'], ['systemctl', 'daemon-reload']]);
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
  assert.deepEqual(k.argvs().slice(-5), [['fallocate', '-l', '512M', '/swapfile'], ['mkswap', '/swapfile'], ['swapon', '-a'], ['mount', '-a'], ['systemctl', 'daemon-reload']]);
  const bad = makeKit();
  disk(bad, 'vdb');
  await bad.run(mounts, 'mounts:\n  - [vdb, "/x y", ext4]\n  - [vdb, /ok, "ext4 defaults"]\n');
  assert.match(bad.errors().join('\n'), /mounts\[0\]|must be one word/);
  assert.ok(!bad.exists('etc/fstab') || !bad.read('etc/fstab').includes('/x'));
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
  assert.deepEqual(o.argvs(), [['mount', '-a'], ['systemctl', 'daemon-reload']]);
});
