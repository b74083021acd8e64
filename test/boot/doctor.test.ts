// `nimbus doctor` on temp roots: systemd and SysV boot order, fstab and NetworkManager
// traps; each problem named with its fix, exit 1, and --fix putting it right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOOT_STAGES, STAGE_UNITS, createHost, addNofail, fstabTraps, runDoctor } from '../../packages/core/src/index.js';
import { REPO, link, ls, nimbus, rcLinks, sysvRoot, tempRoot, write } from './helpers.js';

const RUN = ['2', '3', '4', '5'];

/** A systemd root: /sbin/init -> systemd, nimbus's units in /lib/systemd/system, not enabled. */
function systemdRoot(): string {
  const root = tempRoot('doctor-systemd');
  write(root, 'lib/systemd/systemd', '', 0o755);
  link(root, 'sbin/init', '/lib/systemd/systemd');
  for (const u of fs.readdirSync(path.join(REPO, 'units'))) write(root, `lib/systemd/system/${u}`, fs.readFileSync(path.join(REPO, 'units', u), 'utf8'));
  return root;
}

test('systemd: units not enabled are named with `systemctl enable`, and --fix makes the links', () => {
  const root = systemdRoot();
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /problem \[systemd\]: nimbus-local\.service is not enabled: missing \/etc\/systemd\/system\/nimbus\.target\.wants\/nimbus-local\.service, \/etc\/systemd\/system\/cloud-init-local\.service\n {2}fix: systemctl enable nimbus-local\.service/,
  );
  assert.match(r.stdout, /nimbus\.target is not enabled: missing \/etc\/systemd\/system\/multi-user\.target\.wants\/nimbus\.target/);
  assert.match(r.stdout, /ok: nimbus-local\.service: ordering lines present/);
  const f = nimbus(root, 'doctor', '--fix');
  assert.equal(f.code, 0, f.stdout);
  assert.match(f.stdout, /all problems fixed/);
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/nimbus.target.wants/nimbus-init.service')), '/lib/systemd/system/nimbus-init.service');
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/cloud-final.service')), '/lib/systemd/system/nimbus-final.service');
  assert.equal(fs.readlinkSync(path.join(root, 'etc/systemd/system/multi-user.target.wants/nimbus.target')), '/lib/systemd/system/nimbus.target');
  const again = nimbus(root, 'doctor');
  assert.equal(again.code, 0, again.stdout);
  assert.match(again.stdout, /no problems found/);
  // No running systemd in this root: nothing to reload.
  assert.doesNotMatch(f.stdout, /daemon-reload/);
});

test('systemd running: --fix reloads it (recorded, as --root runs commands in record mode)', () => {
  const root = systemdRoot();
  fs.mkdirSync(path.join(root, 'run/systemd/system'), { recursive: true });
  fs.rmSync(path.join(root, 'sbin/init'));
  const f = nimbus(root, 'doctor', '--fix');
  assert.equal(f.code, 0, f.stdout);
  assert.match(f.stdout, /recorded: systemctl daemon-reload/);
  const rec = fs
    .readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { argv: string[] });
  assert.deepEqual(
    rec.map((r) => r.argv),
    [['systemctl', 'daemon-reload']],
  );
});

test('systemd: a drop-in that resets Before= is found; the fix is a later drop-in', () => {
  const root = systemdRoot();
  nimbus(root, 'doctor', '--fix');
  write(root, 'etc/systemd/system/nimbus-local.service.d/10-local.conf', '[Unit]\nBefore=\nBefore=network-pre.target\n');
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /nimbus-local\.service lacks Before=NetworkManager\.service systemd-networkd\.service networking\.service network\.service \(the local stage writes the network configuration each network manager reads when it starts\); read from \/lib\/systemd\/system\/nimbus-local\.service, \/etc\/systemd\/system\/nimbus-local\.service\.d\/10-local\.conf/,
  );
  assert.match(r.stdout, /fix: write \/etc\/systemd\/system\/nimbus-local\.service\.d\/99-nimbus-doctor\.conf with:\n\s+# Written by/);
  assert.equal(nimbus(root, 'doctor', '--fix').code, 0);
  assert.match(
    fs.readFileSync(path.join(root, 'etc/systemd/system/nimbus-local.service.d/99-nimbus-doctor.conf'), 'utf8'),
    /^Before=NetworkManager\.service systemd-networkd\.service networking\.service network\.service$/m,
  );
  assert.equal(nimbus(root, 'doctor').code, 0);
});

test('systemd: a masked unit, and a missing one that needs a person', () => {
  const root = systemdRoot();
  nimbus(root, 'doctor', '--fix');
  link(root, 'etc/systemd/system/nimbus-init.service', '/dev/null');
  fs.rmSync(path.join(root, 'lib/systemd/system/nimbus-config.service'));
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /nimbus-init\.service is masked \(\/etc\/systemd\/system\/nimbus-init\.service -> \/dev\/null\)/);
  assert.match(r.stdout, /nimbus-config\.service is not installed/);
  const f = nimbus(root, 'doctor', '--fix');
  assert.equal(f.code, 1);
  assert.match(f.stdout, /fixed \[systemd\]: nimbus-init\.service is masked/);
  assert.match(f.stdout, /nimbus-config\.service is not installed[\s\S]*needs a person: not applied/);
  assert.match(f.stdout, /1 problem\(s\) remain/);
  assert.equal(fs.existsSync(path.join(root, 'etc/systemd/system/nimbus-init.service')), false);
});

test('SysV rhel: NetworkManager at S23 and nimbus-local at S54 is reported with the exact mv, and --fix re-orders', () => {
  const root = sysvRoot('rhel');
  write(root, 'sbin/init', '', 0o755);
  rcLinks(root, 'rhel', RUN, 'S23NetworkManager', 'S55sshd');
  assert.equal(nimbus(root, 'sysvinit', 'install').code, 0);
  for (const d of RUN) fs.renameSync(path.join(root, `etc/rc.d/rc${d}.d/S22nimbus-local`), path.join(root, `etc/rc.d/rc${d}.d/S54nimbus-local`));
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /problem \[sysv\]: rc2\.d: NetworkManager \(S23\) starts before nimbus-local \(S54\); the local stage writes the network configuration the network manager reads when it starts/,
  );
  assert.match(r.stdout, /fix: mv \/etc\/rc\.d\/rc2\.d\/S54nimbus-local \/etc\/rc\.d\/rc2\.d\/S22nimbus-local\n\s+mv \/etc\/rc\.d\/rc3\.d\/S54nimbus-local \/etc\/rc\.d\/rc3\.d\/S22nimbus-local/);
  const f = nimbus(root, 'doctor', '--fix');
  assert.equal(f.code, 0, f.stdout);
  for (const d of RUN) assert.deepEqual(ls(root, `etc/rc.d/rc${d}.d`), ['S22nimbus-local', 'S23NetworkManager', 'S24nimbus-init', 'S25nimbus-config', 'S55sshd', 'S99nimbus-final']);
  assert.equal(nimbus(root, 'doctor').code, 0);
});

test('SysV debian: a local stage in rc2.d behind rcS networking moves to rcS.d; a missing script is restored', () => {
  const root = sysvRoot('debian');
  write(root, 'sbin/init', '', 0o755);
  rcLinks(root, 'debian', ['S'], 'S07mountall.sh', 'S12networking');
  rcLinks(root, 'debian', RUN, 'S03ssh');
  rcLinks(root, 'debian', RUN, 'S01nimbus-local', 'S01nimbus-init', 'S02nimbus-config', 'S99nimbus-final');
  for (const s of BOOT_STAGES) if (s !== 'final') write(root, `etc/init.d/nimbus-${s}`, '#!/bin/sh\n', 0o755);
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\/etc\/init\.d\/nimbus-final is missing\n {2}fix: nimbus sysvinit install/);
  assert.match(r.stdout, /rcS\.d: networking \(S12\) starts at boot, before every runlevel script, but nimbus-local starts from rc2\.d\/S01nimbus-local/);
  assert.match(r.stdout, /ln -s \.\.\/init\.d\/nimbus-local \/etc\/rcS\.d\/S11nimbus-local/);
  assert.match(r.stdout, /rm \/etc\/rc2\.d\/S01nimbus-local/);
  assert.equal(nimbus(root, 'doctor', '--fix').code, 0);
  assert.ok(ls(root, 'etc/rcS.d').includes('S11nimbus-local'));
  assert.ok(!ls(root, 'etc/rc3.d').includes('S01nimbus-local'));
  assert.match(fs.readFileSync(path.join(root, 'etc/init.d/nimbus-final'), 'utf8'), /BEGIN INIT INFO/);
});

test('fstab: mounts of disks that may be missing without nofail, found and fixed in place', () => {
  const fstab = [
    '# /etc/fstab',
    'UUID=0a1b / ext4 errors=remount-ro 0 1',
    '/dev/vda2\tnone\tswap\tsw\t0\t0',
    '/dev/vdb\t/mnt\tauto\tdefaults,comment=cloudconfig\t0\t2',
    '/dev/xvdc1 /data ext4 defaults 0 2',
    'LABEL=ephemeral0 /media/ephemeral0 ext4 defaults',
    '/dev/sdb1 /srv xfs defaults,nofail 0 0',
    '/mnt/swap.img none swap sw 0 0',
    '/dev/nvme1n1p1 /vol ext4 noauto 0 0',
    '',
  ].join('\n');
  const traps = fstabTraps(fstab);
  assert.deepEqual(
    traps.map((t) => t.entry.line),
    [4, 5, 6, 8],
  );
  const fixed = addNofail(fstab, traps);
  assert.equal(fixed.split('\n')[3], '/dev/vdb\t/mnt\tauto\tdefaults,comment=cloudconfig,nofail,x-systemd.device-timeout=10s\t0\t2');
  assert.equal(fixed.split('\n')[4], '/dev/xvdc1 /data ext4 defaults,nofail,x-systemd.device-timeout=10s 0 2');
  assert.equal(fixed.split('\n')[5], 'LABEL=ephemeral0 /media/ephemeral0 ext4 defaults,nofail,x-systemd.device-timeout=10s');
  assert.equal(fixed.split('\n')[1], 'UUID=0a1b / ext4 errors=remount-ro 0 1');
  assert.deepEqual(fstabTraps(fixed), []);

  const root = tempRoot('doctor-fstab');
  write(root, 'etc/fstab', fstab, 0o640);
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem \[fstab\]: \/etc\/fstab line 4: \/dev\/vdb on \/mnt \(auto\) has no nofail: written by cloud-init for a cloud-provided disk/);
  assert.match(r.stdout, /fix: in \/etc\/fstab line 5, change the options 'defaults' to 'defaults,nofail,x-systemd\.device-timeout=10s'/);
  const f = nimbus(root, 'doctor', '--fix');
  assert.match(f.stdout, /fixed \[fstab\]: \/etc\/fstab line 8/);
  assert.equal(fs.readFileSync(path.join(root, 'etc/fstab'), 'utf8'), fixed);
  assert.equal(fs.statSync(path.join(root, 'etc/fstab')).mode & 0o777, 0o640);
});

test('NetworkManager managing the hostname: default, set in conf.d, and none', () => {
  const root = tempRoot('doctor-nm');
  write(root, 'etc/NetworkManager/NetworkManager.conf', '[main]\nplugins=ifupdown,keyfile\n');
  const host = createHost({ root });
  const f1 = runDoctor(host).findings.filter((f) => f.check === 'networkmanager');
  assert.equal(f1.length, 1);
  assert.match(f1[0]!.problem, /hostname-mode=default; no hostname-mode set/);
  write(root, 'usr/lib/NetworkManager/conf.d/00-none.conf', '[main]\nhostname-mode=none\n');
  write(root, 'etc/NetworkManager/conf.d/50-dhcp.conf', '# ours\n[main]\nhostname-mode=dhcp\n');
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /NetworkManager manages the hostname \(hostname-mode=dhcp; \/etc\/NetworkManager\/conf\.d\/50-dhcp\.conf line 3\)/);
  assert.equal(nimbus(root, 'doctor', '--fix').code, 1, 'the root has no nimbus boot integration, which needs a person');
  assert.equal(fs.readFileSync(path.join(root, 'etc/NetworkManager/conf.d/99-nimbus-hostname.conf'), 'utf8').includes('hostname-mode=none'), true);
  assert.equal(runDoctor(createHost({ root })).findings.filter((f) => f.check === 'networkmanager').length, 0);
});

test('an empty root: nimbus not set up to run at boot, exit 1', () => {
  const r = nimbus(tempRoot('doctor-empty'), 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem \[install\]: nimbus is not set up to run at boot/);
  assert.match(r.stdout, /ok: \/etc\/fstab: none/);
  for (const s of BOOT_STAGES) assert.ok(STAGE_UNITS[s].unit.startsWith('nimbus-'));
});

test("Debian 12 with its own cloud-init on SysV: nimbus goes to rcS.d before networking; cloud-init's links are flagged", () => {
  // The links Debian's cloud-init 22.4 package gets from insserv on a SysV tree (seen in
  // the reference chroot): networking from rcS.d, cloud-init-local only in rc2-5 - after it.
  const root = sysvRoot('debian');
  write(root, 'sbin/init', '', 0o755);
  rcLinks(root, 'debian', ['S'], 'S01hwclock.sh', 'S01networking', 'S01procps');
  rcLinks(root, 'debian', RUN, 'S01cloud-config', 'S01cloud-final', 'S01cloud-init', 'S01cloud-init-local');
  rcLinks(root, 'debian', ['0', '6'], 'K01cloud-config', 'K01cloud-final', 'K01cloud-init', 'K01cloud-init-local', 'K01hwclock.sh', 'K01networking');
  const inst = nimbus(root, 'sysvinit', 'install');
  assert.equal(inst.code, 0, inst.stderr);
  // S01nimbus-local would sort after S01networking, so S00.
  assert.match(inst.stdout, /rcS\.d: S00nimbus-local -> S01networking/);
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem \[sysv\]: cloud-init's own scripts still start at boot beside nimbus's \(\/etc\/rc2\.d\/S01cloud-config, .*\/etc\/rc5\.d\/S01cloud-init-local\)/);
  assert.match(r.stdout, /fix: update-rc\.d <script> disable, for cloud-config, cloud-final, cloud-init, cloud-init-local; or rm /);
  assert.match(r.stdout, /ok: SysV \(debian layout\): nimbus rc links in order/);
  assert.equal(nimbus(root, 'doctor', '--fix').code, 0);
  assert.deepEqual(ls(root, 'etc/rc2.d'), ['S01nimbus-init', 'S02nimbus-config', 'S99nimbus-final']);
  assert.ok(ls(root, 'etc/rc0.d').includes('K01cloud-init-local'), 'stop links are harmless and kept');
});

test("systemd host with the package's files: shipped SysV scripts are not a SysV problem", () => {
  const root = systemdRoot();
  for (const s of BOOT_STAGES) write(root, `etc/init.d/nimbus-${s}`, fs.readFileSync(path.join(REPO, 'sysvinit/debian', `nimbus-${s}`), 'utf8'), 0o755);
  for (const d of ['S', '0', '1', '2', '3', '4', '5', '6']) fs.mkdirSync(path.join(root, `etc/rc${d}.d`), { recursive: true });
  nimbus(root, 'doctor', '--fix');
  const r = nimbus(root, 'doctor');
  assert.equal(r.code, 0, r.stdout);
  assert.doesNotMatch(r.stdout, /sysv|SysV/);
  // ...but rc links of nimbus on a systemd host are checked (someone ran sysvinit install).
  rcLinks(root, 'debian', ['3'], 'S54nimbus-local');
  const r2 = nimbus(root, 'doctor');
  assert.equal(r2.code, 1);
  assert.match(r2.stdout, /problem \[sysv\]: rc2\.d: nimbus-local has no start link/);
});

test('systemd host without nimbus: one problem, that needs a person', () => {
  const root = tempRoot('doctor-systemd-bare');
  write(root, 'lib/systemd/systemd', '', 0o755);
  link(root, 'sbin/init', '../lib/systemd/systemd');
  const r = nimbus(root, 'doctor', '--fix');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem \[systemd\]: nimbus's units are not installed \(none of nimbus-local\.service, .*nimbus\.target in \/etc\/systemd\/system, /);
  assert.match(r.stdout, /needs a person: not applied/);
  assert.equal((r.stdout.match(/problem \[/g) ?? []).length, 1);
});

test("an image tree with no /sbin/init and the package's files: checked for the init system nimbus is enabled for", () => {
  const root = sysvRoot('debian');
  for (const u of fs.readdirSync(path.join(REPO, 'units'))) write(root, `lib/systemd/system/${u}`, fs.readFileSync(path.join(REPO, 'units', u), 'utf8'));
  for (const s of BOOT_STAGES) write(root, `etc/init.d/nimbus-${s}`, fs.readFileSync(path.join(REPO, 'sysvinit/debian', `nimbus-${s}`), 'utf8'), 0o755);
  rcLinks(root, 'debian', ['S'], 'S01networking');
  // Neither enabled: both are reported.
  const none = nimbus(root, 'doctor');
  assert.match(none.stdout, /problem \[systemd\]: nimbus-local\.service is not enabled/);
  assert.match(none.stdout, /problem \[sysv\]: rcS\.d: networking \(S01\) starts at boot, before every runlevel script, but nimbus-local has no start link/);
  // Set up for SysV (what the package's postinst does there): no systemd problems.
  assert.equal(nimbus(root, 'sysvinit', 'install').code, 0);
  const sysv = nimbus(root, 'doctor');
  assert.equal(sysv.code, 0, sysv.stdout);
  assert.doesNotMatch(sysv.stdout, /\[systemd\]/);
  // Set up for systemd instead: no SysV problems (the shipped scripts are just files).
  assert.equal(nimbus(root, 'sysvinit', 'remove', '--keep-scripts').code, 0);
  link(root, 'etc/systemd/system/multi-user.target.wants/nimbus.target', '/lib/systemd/system/nimbus.target');
  const sd = nimbus(root, 'doctor');
  assert.doesNotMatch(sd.stdout, /\[sysv\]/);
  assert.match(sd.stdout, /problem \[systemd\]: nimbus-local\.service is not enabled/);
  assert.equal(nimbus(root, 'doctor', '--fix').code, 0);
});
