// The systemd units in units/: the ordering DESIGN.md asks for, the switches cloud-init
// users rely on, and `systemd-analyze verify` (run on copies in a temp directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BOOT_STAGES, STAGE_UNITS, listSetting, missingUnitLines, parseUnitFile, scalarSetting, type UnitFile } from '../../packages/core/src/index.js';
import { ensureCommand } from '../helpers/apt.js';
import { REPO, tempRoot } from './helpers.js';

const UNITS = [...BOOT_STAGES.map((s) => STAGE_UNITS[s].unit), 'nimbus.target'];
const load = (name: string): UnitFile => parseUnitFile(name, fs.readFileSync(path.join(REPO, 'units', name), 'utf8'));

test('units/ holds the four services, the target and the hotplug socket and service, nothing else', () => {
  assert.deepEqual(fs.readdirSync(path.join(REPO, 'units')).sort(), [...UNITS, 'nimbus-hotplugd.service', 'nimbus-hotplugd.socket'].sort());
});

test('the hotplug socket listens after the config stage, honours both disable switches and aliases cloud-init-hotplugd', () => {
  const sock = [load('nimbus-hotplugd.socket')];
  assert.deepEqual(listSetting(sock, 'Socket', 'ListenFIFO'), ['/run/cloud-init/share/hook-hotplug-cmd']);
  assert.ok(listSetting(sock, 'Unit', 'After').includes('nimbus-config.service'));
  assert.equal(scalarSetting(sock, 'Unit', 'ConditionPathExists'), '!/etc/cloud/cloud-init.disabled');
  assert.equal(scalarSetting(sock, 'Unit', 'ConditionKernelCommandLine'), '!cloud-init=disabled');
  assert.deepEqual(listSetting(sock, 'Install', 'Alias'), ['cloud-init-hotplugd.socket']);
  assert.deepEqual(listSetting(sock, 'Install', 'WantedBy'), ['nimbus.target']);
  const svc = [load('nimbus-hotplugd.service')];
  assert.equal(scalarSetting(svc, 'Service', 'Type'), 'oneshot');
  assert.deepEqual(listSetting(svc, 'Unit', 'Requires'), ['nimbus-hotplugd.socket']);
  assert.match(scalarSetting(svc, 'Service', 'ExecStart') ?? '', /exec \/usr\/bin\/nimbus devel hotplug-hook \$args'$/);
});

test('every stage unit has the ordering lines of DESIGN.md', () => {
  for (const s of BOOT_STAGES) assert.deepEqual(missingUnitLines(s, [load(STAGE_UNITS[s].unit)]), [], STAGE_UNITS[s].unit);
  // Spelled out, so a change to the rules themselves is seen here too.
  const local = [load('nimbus-local.service')];
  assert.equal(scalarSetting(local, 'Unit', 'DefaultDependencies'), 'no');
  assert.deepEqual(listSetting(local, 'Unit', 'Wants'), ['network-pre.target']);
  for (const b of ['network-pre.target', 'NetworkManager.service', 'systemd-networkd.service', 'networking.service', 'network.service']) assert.ok(listSetting(local, 'Unit', 'Before').includes(b), b);
  const init = [load('nimbus-init.service')];
  for (const a of ['nimbus-local.service', 'NetworkManager.service', 'systemd-networkd.service', 'networking.service', 'network.service']) assert.ok(listSetting(init, 'Unit', 'After').includes(a), a);
  for (const b of ['network-online.target', 'sshd.service']) assert.ok(listSetting(init, 'Unit', 'Before').includes(b), b);
  const config = [load('nimbus-config.service')];
  for (const a of ['network-online.target', 'nimbus-init.service']) assert.ok(listSetting(config, 'Unit', 'After').includes(a), a);
  const final = [load('nimbus-final.service')];
  for (const a of ['multi-user.target', 'nimbus-config.service']) assert.ok(listSetting(final, 'Unit', 'After').includes(a), a);
  // The rules catch a unit that lacks a line.
  const broken = parseUnitFile('x', '[Unit]\nBefore=network-pre.target\n');
  assert.deepEqual(
    missingUnitLines('local', [broken]).map((m) => m.key),
    ['DefaultDependencies', 'Wants', 'Before'],
  );
});

test('each service is a journal-logging oneshot that honours both disable switches and aliases its cloud-init unit', () => {
  for (const s of BOOT_STAGES) {
    const u = [load(STAGE_UNITS[s].unit)];
    assert.equal(scalarSetting(u, 'Service', 'Type'), 'oneshot');
    assert.equal(scalarSetting(u, 'Service', 'RemainAfterExit'), 'yes');
    assert.equal(scalarSetting(u, 'Service', 'StandardOutput'), 'journal+console');
    assert.equal(scalarSetting(u, 'Service', 'ExecStart'), `/usr/bin/node /usr/lib/nimbus/nimbus-${s}.js`);
    assert.equal(scalarSetting(u, 'Unit', 'ConditionPathExists'), '!/etc/cloud/cloud-init.disabled');
    assert.equal(scalarSetting(u, 'Unit', 'ConditionKernelCommandLine'), '!cloud-init=disabled');
    assert.deepEqual(listSetting(u, 'Install', 'Alias'), [STAGE_UNITS[s].cloudInitUnit]);
    assert.deepEqual(listSetting(u, 'Install', 'WantedBy'), ['nimbus.target']);
  }
  const t = [load('nimbus.target')];
  assert.deepEqual(listSetting(t, 'Install', 'Alias'), ['cloud-init.target']);
  assert.deepEqual(listSetting(t, 'Install', 'WantedBy'), ['multi-user.target']);
});

// Stand-ins for the network services and sshd of Debian and Fedora, with their real
// ordering lines, so the boot transaction verify builds has every unit nimbus orders against.
const STUBS: Record<string, string> = {
  'NetworkManager.service':
    '[Unit]\nWants=network.target\nAfter=network-pre.target dbus.service\nBefore=network.target\n[Service]\nExecStart=/usr/sbin/NetworkManager --no-daemon\n[Install]\nWantedBy=multi-user.target\n',
  'networking.service':
    '[Unit]\nDefaultDependencies=no\nWants=network.target\nAfter=local-fs.target network-pre.target systemd-sysctl.service systemd-modules-load.service\nBefore=network.target shutdown.target network-online.target\nConflicts=shutdown.target\n[Service]\nType=oneshot\nExecStart=/usr/sbin/ifup -a --read-environment\nRemainAfterExit=true\n[Install]\nWantedBy=multi-user.target network-online.target\n',
  'ssh.service': '[Unit]\nAfter=network.target auditd.service\n[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n',
};

/**
 * A temp root holding this machine's system units (copied), the stand-ins, nimbus's
 * units enabled as the package enables them, and executables for every ExecStart.
 */
function bootRoot(tag: string): string {
  const root = tempRoot(tag);
  const sys = fs.existsSync('/usr/lib/systemd/system/sysinit.target') ? '/usr/lib/systemd/system' : '/lib/systemd/system';
  fs.cpSync(sys, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  fs.symlinkSync('usr/lib', path.join(root, 'lib'));
  const vendor = path.join(root, 'usr/lib/systemd/system');
  const admin = path.join(root, 'etc/systemd/system');
  fs.mkdirSync(path.join(admin, 'multi-user.target.wants'), { recursive: true });
  fs.mkdirSync(path.join(admin, 'nimbus.target.wants'), { recursive: true });
  for (const [name, text] of Object.entries(STUBS)) {
    fs.writeFileSync(path.join(vendor, name), text);
    fs.symlinkSync(`/usr/lib/systemd/system/${name}`, path.join(admin, 'multi-user.target.wants', name));
  }
  fs.symlinkSync('/usr/lib/systemd/system/ssh.service', path.join(admin, 'sshd.service'));
  for (const u of UNITS) fs.copyFileSync(path.join(REPO, 'units', u), path.join(vendor, u));
  fs.symlinkSync('/usr/lib/systemd/system/nimbus.target', path.join(admin, 'multi-user.target.wants', 'nimbus.target'));
  for (const s of BOOT_STAGES) fs.symlinkSync(`/usr/lib/systemd/system/${STAGE_UNITS[s].unit}`, path.join(admin, 'nimbus.target.wants', STAGE_UNITS[s].unit));
  for (const exe of ['usr/bin/node', 'usr/sbin/NetworkManager', 'usr/sbin/ifup', 'usr/sbin/sshd']) {
    fs.mkdirSync(path.dirname(path.join(root, exe)), { recursive: true });
    fs.writeFileSync(path.join(root, exe), '#!/bin/sh\n', { mode: 0o755 });
  }
  return root;
}

function verify(root: string, names: readonly string[]): { code: number; stderr: string } {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...names], { encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

test('systemd-analyze verify accepts the units and the boot they join has no ordering cycle', (t) => {
  assert.ok(ensureCommand('systemd-analyze', 'systemd'), 'systemd-analyze is needed (Debian package systemd)');
  const root = bootRoot('units');
  const r = verify(root, UNITS);
  t.diagnostic(`systemd-analyze verify ${UNITS.join(' ')}: exit ${r.code}${r.stderr ? `; stderr: ${r.stderr.trim()}` : ''}`);
  assert.equal(r.code, 0, r.stderr);
  // Warnings (unknown keys, bad values) do not change the exit code: any output is a failure.
  assert.equal(r.stderr.trim(), '');
  // The whole boot: multi-user.target with NetworkManager, networking, ssh and nimbus.
  const boot = verify(root, ['multi-user.target']);
  t.diagnostic(`systemd-analyze verify multi-user.target: exit ${boot.code}`);
  assert.equal(boot.code, 0, boot.stderr);
  assert.doesNotMatch(boot.stderr, /cycle|nimbus/i);
});

test('systemd-analyze verify accepts the hotplug socket and service in the same boot', (t) => {
  assert.ok(ensureCommand('systemd-analyze', 'systemd'), 'systemd-analyze is needed (Debian package systemd)');
  const root = bootRoot('units-hotplug');
  const vendor = path.join(root, 'usr/lib/systemd/system');
  for (const u of ['nimbus-hotplugd.socket', 'nimbus-hotplugd.service']) fs.copyFileSync(path.join(REPO, 'units', u), path.join(vendor, u));
  fs.symlinkSync('/usr/lib/systemd/system/nimbus-hotplugd.socket', path.join(root, 'etc/systemd/system/nimbus.target.wants/nimbus-hotplugd.socket'));
  for (const exe of ['bin/sh', 'usr/bin/nimbus']) {
    fs.mkdirSync(path.dirname(path.join(root, exe)), { recursive: true });
    fs.writeFileSync(path.join(root, exe), '#!/bin/sh\n', { mode: 0o755 });
  }
  const r = verify(root, ['nimbus-hotplugd.socket', 'nimbus-hotplugd.service']);
  t.diagnostic(`systemd-analyze verify nimbus-hotplugd.socket nimbus-hotplugd.service: exit ${r.code}${r.stderr ? `; stderr: ${r.stderr.trim()}` : ''}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.trim(), '');
});

test('verify can fail: an ExecStart that does not exist, and a network manager ordered after nimbus-init', () => {
  const root = bootRoot('units-bad');
  fs.rmSync(path.join(root, 'usr/bin/node'));
  const noNode = verify(root, ['nimbus-local.service']);
  assert.notEqual(noNode.code, 0);
  assert.match(noNode.stderr, /\/usr\/bin\/node is not executable/);
  fs.writeFileSync(path.join(root, 'usr/bin/node'), '#!/bin/sh\n', { mode: 0o755 });
  // A drop-in that puts NetworkManager after the init stage: a cycle through nimbus.
  fs.mkdirSync(path.join(root, 'etc/systemd/system/NetworkManager.service.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/systemd/system/NetworkManager.service.d/late.conf'), '[Unit]\nAfter=nimbus-init.service\n');
  const cyc = verify(root, ['multi-user.target']);
  // systemd may start the report from either end of the cycle.
  assert.match(cyc.stderr, /(nimbus-init|NetworkManager)\.service: Found ordering cycle on (NetworkManager|nimbus-init)\.service\/start/);
  assert.match(cyc.stderr, /nimbus-init/);
  assert.match(cyc.stderr, /NetworkManager/);
});
