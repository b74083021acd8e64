// install_hotplug: `updates.network.when` read as cloud-init reads it. `boot` events
// are honoured by the network stage and report nothing here; hotplug is "not supported"
// (nimbus has no hotplug handler) and a rule left by cloud-init is removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { installHotplug, hotplugWanted, HOTPLUG_RULE } from '../../packages/core/src/modules/install-hotplug.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

test('install_hotplug: the documented updates example (when: [boot]) boots done, with no "not supported"', () => {
  const b = bootExample(installHotplug.examples[0] as string);
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
});

test('install_hotplug: when: [hotplug] is reported "not supported" with its line, and no udev rule is written', async () => {
  const k = makeKit();
  await k.run(installHotplug, 'updates:\n  network:\n    when: [boot, hotplug]\n');
  assert.ok(
    k.warnings().some((w) => /line 3 .*not supported: network hotplug/.test(w)),
    k.warnings().join('\n'),
  );
  assert.equal(k.exists(HOTPLUG_RULE.slice(1)), false);
});

test("install_hotplug removes cloud-init's hotplug rule and reloads udev; Ec2's default hotplug is an info line, not a warning", async () => {
  const k = makeKit();
  k.write(HOTPLUG_RULE.slice(1), '# Installed by cloud-init due to network hotplug userdata\n');
  k.write('usr/bin/udevadm', '', 0o755);
  await k.run(installHotplug, 'runcmd: []\n', { dsname: 'Ec2' });
  assert.equal(k.exists(HOTPLUG_RULE.slice(1)), false);
  assert.deepEqual(k.argvs(), [['udevadm', 'control', '--reload-rules']]);
  assert.deepEqual(k.warnings(), []);
  assert.ok(k.lines.some((l) => /Ec2 datasource enables network hotplug by default/.test(l)));
  assert.deepEqual(hotplugWanted({ updates: { network: { when: ['boot'] } } }, 'Ec2'), { wanted: false, byUser: false });
  assert.deepEqual(hotplugWanted({}, 'NoCloud'), { wanted: false, byUser: false });
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
