// `devel hotplug-hook` (also `cloud-init devel hotplug-hook`): a NIC attached after boot
// gets the datasource's network configuration when the policy allows it, on temp roots
// booted from the example config drive with commands recorded; and the chain udev rule
// -> hook -> FIFO -> service hands the handler the arguments it takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { addNic, boot, cli, DIST, driveWith, instanceDir, makeRoot, read, recorded, REPO, setUserData } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { HOTPLUG_ENABLED_FILE, HOTPLUG_FIFO, HOTPLUG_HOOK, HOTPLUG_RULE } from '../../packages/core/src/net/hotplug-policy.js';

const ETH1_MAC = '52:54:00:ab:cd:ef';
const ETH1_DEVPATH = '/devices/pci0000:00/0000:00:04.0/virtio1/net/eth1';
const ENI = 'etc/network/interfaces.d/50-cloud-init';

const USER_DATA = '#cloud-config\nupdates:\n  network:\n    when: [boot-new-instance, hotplug]\n';

/** The example drive's network_data.json with a second NIC (eth1, static 198.51.100.7/24) attached or not. */
function setSecondNic(seed: string, attached: boolean): void {
  for (const v of fs.readdirSync(path.join(seed, 'openstack'))) {
    const p = path.join(seed, 'openstack', v, 'network_data.json');
    if (!fs.existsSync(p)) continue;
    const nd = JSON.parse(fs.readFileSync(p, 'utf8')) as { links: Record<string, unknown>[]; networks: Record<string, unknown>[] };
    nd.links = nd.links.filter((l) => l.id !== 'tap-eth1');
    nd.networks = nd.networks.filter((n) => n.id !== 'network1');
    if (attached) {
      nd.links.push({ id: 'tap-eth1', type: 'phy', ethernet_mac_address: ETH1_MAC, mtu: 1500 });
      nd.networks.push({ id: 'network1', type: 'ipv4', link: 'tap-eth1', ip_address: '198.51.100.7', netmask: '255.255.255.0', network_id: 'n1' });
    }
    fs.writeFileSync(p, JSON.stringify(nd));
  }
}

/** A Debian tree with udevadm, booted from the example drive with `userData`. */
function booted(userData: string | null): string {
  const drive = driveWith((d) => {
    if (userData !== null) setUserData(d, userData);
  });
  const root = makeRoot({ drive });
  fs.writeFileSync(path.join(root, 'usr/sbin/udevadm'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const runs = boot(root);
  assert.ok(
    runs.every((r) => r.code === 0),
    runs.map((r) => r.stderr).join(''),
  );
  fs.rmSync(path.join(root, 'var/log/nimbus-commands.log'), { force: true });
  return root;
}

const seedOf = (root: string) => path.join(root, 'var/lib/cloud/seed/config_drive');
const logOf = (root: string) => read(root, 'var/log/cloud-init.log');

test('hotplug: with updates.network.when [hotplug] the boot installs the udev rule that runs the hook, and query says enabled', () => {
  const root = booted(USER_DATA);
  const rule = read(root, HOTPLUG_RULE.slice(1));
  assert.match(rule, /^ACTION!="add\|remove", GOTO="cloudinit_end"$/m);
  assert.ok(rule.includes(`SUBSYSTEM=="net", RUN+="${HOTPLUG_HOOK}"`), rule);
  const q = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'query');
  assert.deepEqual([q.code, q.stdout], [0, 'enabled\n']);
});

test('hotplug handle add: a NIC attached after boot is read from the datasource again, rendered and brought up alone', () => {
  const root = booted(USER_DATA);
  addNic(root, 'eth1', ETH1_MAC);
  setSecondNic(seedOf(root), true);
  const r = cli(root, 'devel', 'hotplug-hook', '--subsystem=net', 'handle', `--devpath=${ETH1_DEVPATH}`, '--udevaction=add');
  assert.equal(r.code, 0, r.stderr);
  const eni = read(root, ENI);
  assert.match(eni, /^iface eth0 inet static$/m);
  assert.match(eni, /^iface eth1 inet static\n(\s+.*\n)*?\s+address 198\.51\.100\.7\/24$/m);
  const cmds = recorded(root);
  assert.ok(
    cmds.some((c) => c.join(' ') === 'ifup eth1'),
    JSON.stringify(cmds),
  );
  // The NIC that was there already keeps its addresses: nothing touches eth0.
  assert.ok(!cmds.some((c) => c.includes('eth0')), JSON.stringify(cmds));
  assert.match(read(root, `${instanceDir(root).slice(1)}/obj.json`), /tap-eth1/);
  assert.match(logOf(root), /hotplug add eth1 \(52:54:00:ab:cd:ef\): updates\.network\.when lists hotplug; reading the ConfigDrive datasource again/);

  // The NIC goes: its configuration goes with it, eth0's stays.
  fs.rmSync(path.join(root, 'sys/class/net/eth1'), { recursive: true });
  setSecondNic(seedOf(root), false);
  const rm = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'handle', '-d', ETH1_DEVPATH, '-u', 'remove');
  assert.equal(rm.code, 0, rm.stderr);
  assert.doesNotMatch(read(root, ENI), /eth1/);
  assert.match(read(root, ENI), /^iface eth0 inet static$/m);
  assert.ok(recorded(root).some((c) => c.join(' ') === 'ifdown --force eth1'));
});

test('hotplug handle fails, naming the NIC, when the datasource does not list it, and writes nothing', () => {
  const root = booted(USER_DATA);
  addNic(root, 'eth1', ETH1_MAC);
  const before = read(root, ENI);
  const r = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'handle', '-d', ETH1_DEVPATH, '-u', 'add');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /hotplug add \/devices\/.*\/eth1: eth1 is not in the network configuration from .*network_data\.json/);
  assert.equal(read(root, ENI), before);
  assert.deepEqual(recorded(root), []);
});

test('hotplug without the policy: query says disabled, handle says why and changes nothing, the boot writes no rule', () => {
  const root = booted(null);
  assert.equal(fs.existsSync(path.join(root, HOTPLUG_RULE)), false);
  assert.equal(cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'query').stdout, 'disabled\n');
  addNic(root, 'eth1', ETH1_MAC);
  setSecondNic(seedOf(root), true);
  const before = read(root, ENI);
  const r = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'handle', '-d', ETH1_DEVPATH, '-u', 'add');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /nothing done: hotplug is not enabled: updates\.network\.when does not list hotplug/);
  assert.equal(read(root, ENI), before);
  assert.deepEqual(recorded(root), []);
});

test('hotplug enable records the network scope as cloud-init 25.x does and installs the rule; then query says enabled and handle acts', () => {
  const root = booted(null);
  const e = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'enable');
  assert.deepEqual([e.code, e.stdout], [0, 'Enabled cloud-init hotplug for subsystem=net\n'], e.stderr);
  assert.equal(read(root, HOTPLUG_ENABLED_FILE.slice(1)), '{"scopes": ["network"]}');
  assert.equal(fs.statSync(path.join(root, HOTPLUG_ENABLED_FILE)).mode & 0o777, 0o640);
  assert.ok(read(root, HOTPLUG_RULE.slice(1)).includes(HOTPLUG_HOOK));
  assert.deepEqual(recorded(root), [['udevadm', 'control', '--reload-rules']]);
  const again = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'enable');
  assert.equal(again.code, 0);
  assert.match(again.stderr, /Reason: Already done/);
  assert.equal(cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'query').stdout, 'enabled\n');
  addNic(root, 'eth1', ETH1_MAC);
  setSecondNic(seedOf(root), true);
  assert.equal(cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'handle', '-d', ETH1_DEVPATH, '-u', 'add').code, 0);
  assert.match(read(root, ENI), /^iface eth1 inet static$/m);
});

test('hotplug query and enable on a machine that never booted: no datasource, exit 1', () => {
  const root = makeRoot({ drive: false });
  const q = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'query');
  assert.deepEqual([q.code, q.stdout], [1, 'Unable to determine hotplug state. No datasource detected\n']);
  assert.equal(cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'enable').code, 1);
  const bad = cli(root, 'devel', 'hotplug-hook', '-s', 'usb', 'query');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /subsystem/);
});

/** The hook with its absolute paths moved under `dir` (it writes to /run otherwise). */
function hookIn(dir: string, systemd: boolean): string {
  const text = fs
    .readFileSync(path.join(REPO, 'packaging/hotplug/hook-hotplug'), 'utf8')
    .replaceAll('/run/cloud-init', path.join(dir, 'run/cloud-init'))
    .replaceAll('/run/systemd/system', systemd ? dir : path.join(dir, 'absent'));
  const p = path.join(dir, 'hook-hotplug');
  fs.writeFileSync(p, text, { mode: 0o755 });
  return p;
}

test('the udev hook writes the event into the socket FIFO, and the service turns that line into a handle the command takes', () => {
  const root = booted(USER_DATA);
  addNic(root, 'eth1', ETH1_MAC);
  setSecondNic(seedOf(root), true);
  const dir = tempDir('nimbus-hook-');
  const fifo = path.join(dir, HOTPLUG_FIFO);
  fs.mkdirSync(path.dirname(fifo), { recursive: true });
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // The socket unit holds the FIFO open; here the shell does, so the line outlives the hook.
  const script = `exec 3<>${JSON.stringify(fifo)} && ${JSON.stringify(hookIn(dir, true))} && read -r line <&3 && printf '%s' "$line"`;
  const h = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, SUBSYSTEM: 'net', DEVPATH: ETH1_DEVPATH, ACTION: 'add' }, timeout: 20000 });
  assert.equal(h.status, 0, h.stderr);
  assert.equal(h.stdout, `--subsystem=net handle --devpath=${ETH1_DEVPATH} --udevaction=add`);

  // nimbus-hotplugd.service's ExecStart, with the line on fd 3 and nimbus run on the temp root.
  const unit = fs.readFileSync(path.join(REPO, 'units/nimbus-hotplugd.service'), 'utf8');
  const exec = /^ExecStart=\/bin\/sh -c '(.*)'$/m.exec(unit)?.[1];
  assert.ok(exec !== undefined, unit);
  const nimbus = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(DIST, 'nimbus.js'))} --root ${JSON.stringify(root)}`;
  const line = path.join(dir, 'line');
  fs.writeFileSync(line, `${h.stdout}\n`);
  const s = spawnSync('sh', ['-c', `exec 3<${JSON.stringify(line)}; ${exec.replace('/usr/bin/nimbus', nimbus)}`], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /^args=--subsystem=net handle/);
  assert.match(read(root, ENI), /^iface eth1 inet static$/m);
  // The socket listens where the hook writes, and both are installed where the rule and unit say.
  assert.match(fs.readFileSync(path.join(REPO, 'units/nimbus-hotplugd.socket'), 'utf8'), new RegExp(`^ListenFIFO=${HOTPLUG_FIFO}$`, 'm'));
});

test('the udev hook on a SysV host waits for the end of the boot and logs why', () => {
  const dir = tempDir('nimbus-hook-');
  fs.mkdirSync(path.join(dir, 'run/cloud-init'), { recursive: true });
  const h = spawnSync('sh', [hookIn(dir, false)], { encoding: 'utf8', env: { PATH: process.env.PATH, SUBSYSTEM: 'net', DEVPATH: ETH1_DEVPATH, ACTION: 'add' } });
  assert.equal(h.status, 0);
  assert.match(fs.readFileSync(path.join(dir, 'run/cloud-init/hook-hotplug.log'), 'utf8'), /not ready yet \(the boot is not done\): --subsystem=net handle/);
});

test('install.sh puts the hook where the rule runs it and the hotplug units beside the stages', () => {
  const d = tempDir('nimbus-inst-');
  const r = spawnSync('bash', [path.join(REPO, 'scripts/install.sh'), '--destdir', d, '--allow-missing-stages'], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.statSync(path.join(d, HOTPLUG_HOOK)).mode & 0o777, 0o755);
  for (const u of ['nimbus-hotplugd.socket', 'nimbus-hotplugd.service']) assert.ok(fs.existsSync(path.join(d, 'lib/systemd/system', u)), u);
});
