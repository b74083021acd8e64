// grub_dpkg: the documented example booted on Debian sets grub's install device through
// debconf; enabled is off by default (cloud-init 25.x); the device is probed when unset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { grubDpkg, grubSelections } from '../../packages/core/src/modules/grub-dpkg.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';
import type { ExecResult } from '../../packages/core/src/host/exec.js';

test('grub_dpkg: the documented example on Debian runs debconf-set-selections and the boot is done', () => {
  const b = bootExample(grubDpkg.examples[0] as string, { files: { 'usr/bin/debconf-set-selections': { text: '', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'debconf-set-selections'),
    [['debconf-set-selections']],
  );
});

test('grub_dpkg writes the grub-pc selections, or grub-efi on an EFI boot, from the configured devices', () => {
  const never = () => assert.fail('no probe when the device is given');
  assert.equal(
    grubSelections({ 'grub-pc/install_devices': '/dev/sda', 'grub-pc/install_devices_empty': false }, false, never),
    'grub-pc grub-pc/install_devices string /dev/sda\ngrub-pc grub-pc/install_devices_empty boolean false\n',
  );
  // install_devices_empty follows the device when unset; a string is read as Python's translate_bool.
  assert.equal(grubSelections({ 'grub-pc/install_devices': '' }, false, never), 'grub-pc grub-pc/install_devices string \ngrub-pc grub-pc/install_devices_empty boolean true\n');
  assert.equal(grubSelections({ 'grub-pc/install_devices': '/dev/vda', 'grub-pc/install_devices_empty': 'yes' }, false, never).split('\n')[1], 'grub-pc grub-pc/install_devices_empty boolean true');
  assert.equal(grubSelections({ 'grub-efi/install_devices': '/dev/vda1' }, true, never), 'grub-pc grub-efi/install_devices string /dev/vda1\n');
});

test('grub_dpkg with no device probes /boot with grub-probe and prefers the first /dev/disk/by-id link', async () => {
  const k = makeKit();
  k.write('usr/sbin/grub-probe', '', 0o755);
  k.write('usr/bin/debconf-set-selections', '', 0o755);
  k.write('dev/vda', '');
  const seen: { argv: string[]; stdin?: string }[] = [];
  const answers: Record<string, string> = { 'grub-probe': '/dev/vda\n', udevadm: '/dev/disk/by-path/pci-0 /dev/disk/by-id/virtio-b /dev/disk/by-id/virtio-a\n' };
  k.host.exec.run = (argv, opts = {}): ExecResult => {
    seen.push({ argv: [...argv], ...(opts.stdin !== undefined ? { stdin: String(opts.stdin) } : {}) });
    return { code: 0, stdout: answers[argv[0] as string] ?? '', stderr: '', recorded: false };
  };
  await k.run(grubDpkg, 'grub_dpkg:\n  enabled: true\n');
  assert.deepEqual(
    seen.map((s) => s.argv),
    [['grub-probe', '-t', 'disk', '/boot'], ['udevadm', 'info', '--root', '--query=symlink', '/dev/vda'], ['debconf-set-selections']],
  );
  assert.equal(seen[2]?.stdin, 'grub-pc grub-pc/install_devices string /dev/disk/by-id/virtio-a\ngrub-pc grub-pc/install_devices_empty boolean false\n');
});

test('grub_dpkg does nothing unless enabled, honours the deprecated grub-dpkg spelling, and rejects bad values with their line', async () => {
  const off = makeKit();
  off.write('usr/bin/debconf-set-selections', '', 0o755);
  await off.run(grubDpkg, 'grub_dpkg:\n  grub-pc/install_devices: /dev/sda\n');
  assert.deepEqual(off.argvs(), []);
  const old = makeKit();
  old.write('usr/bin/debconf-set-selections', '', 0o755);
  await old.run(grubDpkg, 'grub-dpkg:\n  enabled: true\n  grub-pc/install_devices: /dev/sdb\n');
  assert.deepEqual(old.argvs(), [['debconf-set-selections']]);
  assert.ok(old.lines.some((l) => /grub-dpkg is deprecated/.test(l)));
  const bad = makeKit();
  bad.write('usr/bin/debconf-set-selections', '', 0o755);
  await assert.rejects(bad.run(grubDpkg, 'grub_dpkg:\n  enabled: true\n  grub-pc/install_devices: "/dev/sda\\ngrub-pc x string y"\n'), /line 3 .*must be one line/);
  const missing = makeKit();
  await assert.rejects(missing.run(grubDpkg, 'grub_dpkg: {enabled: true, grub-pc/install_devices: /dev/sda}\n'), /debconf-set-selections is not installed/);
  const r = checkCloudConfigText('#cloud-config\ngrub_dpkg:\n  enabled: "yes"\n  grub-pc/install_device: /dev/sda\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.pos?.line, p.path.join('.')]),
    [
      [3, 'grub_dpkg.enabled'],
      [4, 'grub_dpkg.grub-pc/install_device'],
    ],
  );
});
