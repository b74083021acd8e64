// install_hotplug: `updates.network.when` read as cloud-init 25.x reads it. `boot` events
// are honoured by the network stage; `hotplug` (asked by the user, by Ec2's default or by
// `devel hotplug-hook enable`) installs the udev rule whose hook runs the handler, on a
// datasource that can refresh its network config; otherwise a rule left behind goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { installHotplug, HOTPLUG_RULE } from '../../packages/core/src/modules/install-hotplug.js';
import { hotplugPolicy, hotplugRule, HOTPLUG_HOOK, HOTPLUG_ENABLED_FILE } from '../../packages/core/src/net/hotplug-policy.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

test('install_hotplug: the documented updates examples boot done', () => {
  for (const ex of installHotplug.examples) {
    const b = bootExample(ex);
    assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  }
});

test('install_hotplug: when: [hotplug] writes the udev rule that runs the hook, and reloads udev', async () => {
  const k = makeKit();
  k.write('usr/bin/udevadm', '', 0o755);
  await k.run(installHotplug, 'updates:\n  network:\n    when: [boot, hotplug]\n');
  assert.equal(k.read(HOTPLUG_RULE.slice(1)), hotplugRule('ConfigDrive'));
  assert.match(k.read(HOTPLUG_RULE.slice(1)), new RegExp(`^SUBSYSTEM=="net", RUN\\+="${HOTPLUG_HOOK}"$`, 'm'));
  assert.deepEqual(k.argvs(), [['udevadm', 'control', '--reload-rules']]);
  assert.deepEqual(k.warnings(), []);
});

test('install_hotplug: Ec2 enables hotplug by default, with its NIC-driver filter; the user can turn it off', async () => {
  const k = makeKit();
  k.write('usr/bin/udevadm', '', 0o755);
  await k.run(installHotplug, 'runcmd: []\n', { dsname: 'Ec2' });
  assert.match(k.read(HOTPLUG_RULE.slice(1)), /^ENV\{ID_NET_DRIVER\}=="vif\|ena\|ixgbevf", GOTO="cloudinit_hook"$/m);
  const off = makeKit();
  off.write('usr/bin/udevadm', '', 0o755);
  off.write(HOTPLUG_RULE.slice(1), '# Installed by cloud-init due to network hotplug userdata\n');
  await off.run(installHotplug, 'updates:\n  network:\n    when: [boot]\n', { dsname: 'Ec2' });
  assert.equal(off.exists(HOTPLUG_RULE.slice(1)), false);
  assert.deepEqual(off.argvs(), [['udevadm', 'control', '--reload-rules']]);
  assert.deepEqual(hotplugPolicy({ updates: { network: { when: ['boot'] } } }, 'Ec2', []).enabled, false);
  assert.deepEqual(hotplugPolicy({}, 'NoCloud', []).enabled, false);
  assert.deepEqual(hotplugPolicy({ updates: { network: { when: ['boot'] } } }, 'NoCloud', ['network']).enabled, true);
});

test('install_hotplug: hotplug.enabled (hotplug-hook enable) turns it on without user-data', async () => {
  const k = makeKit();
  k.write('usr/bin/udevadm', '', 0o755);
  k.write(HOTPLUG_ENABLED_FILE.slice(1), '{"scopes": ["network"]}');
  await k.run(installHotplug, 'runcmd: []\n');
  assert.ok(k.exists(HOTPLUG_RULE.slice(1)));
});

test('install_hotplug: asked for on a datasource without network config, or without udevadm, it says why and writes no rule', async () => {
  const k = makeKit();
  await k.run(installHotplug, 'updates:\n  network:\n    when: [hotplug]\n', { dsname: 'None' });
  assert.ok(
    k.warnings().some((w) => /line 3 .*network hotplug is not supported here: the None datasource brings no network configuration/.test(w)),
    k.warnings().join('\n'),
  );
  assert.equal(k.exists(HOTPLUG_RULE.slice(1)), false);
  const noUdev = makeKit();
  await noUdev.run(installHotplug, 'updates:\n  network:\n    when: [hotplug]\n');
  assert.ok(noUdev.warnings().some((w) => /udevadm is not in this image/.test(w)));
  assert.equal(noUdev.exists(HOTPLUG_RULE.slice(1)), false);
});

test('install_hotplug refuses an unknown event with its line', async () => {
  const k = makeKit();
  await assert.rejects(k.run(installHotplug, 'updates:\n  network:\n    when: [reboot]\n'), /line 1 .*"reboot" not one of boot-new-instance/);
  const r = checkCloudConfigText('#cloud-config\nupdates:\n  network:\n    when: [reboot]\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.pos?.line, p.path.join('.')]),
    [[4, 'updates.network.when.0']],
  );
});
