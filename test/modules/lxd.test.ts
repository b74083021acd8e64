// lxd: the documented examples booted on Ubuntu: lxd init with the init options, the
// bridge made with lxc network commands, the preseed given on stdin, the storage tools
// installed, and the preseed refused beside init or bridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { bridgeCommands, bridgeDebconf, lxd, lxdInitArgv } from '../../packages/core/src/modules/lxd.js';

const LXD_TOOLS = ['snap', 'lxd', 'lxc', 'zfs', 'mkfs.btrfs', 'lvcreate', 'dpkg-reconfigure', 'debconf-communicate'];

test('lxd: the documented init-and-bridge example on Ubuntu runs lxd init --auto and replaces the default lxdbr0 with the configured bridge', () => {
  const b = bootUbuntu(lxd.examples[0] as string, { tools: ['snap', 'lxd', 'zfs'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  const env = b.argvs.filter((a) => LXD_TOOLS.includes(a[0] as string));
  assert.deepEqual(env, [
    ['snap', 'wait', 'system', 'seed.loaded'],
    ['lxd', 'waitready', '--timeout=300'],
    ['lxd', 'init', '--auto', '--network-address=0.0.0.0', '--network-port=8443', '--storage-backend=zfs', '--storage-create-loop=10', '--storage-pool=datapool'],
    ['lxc', 'network', 'detach-profile', 'lxdbr0', 'default', '--force-local'],
    ['lxc', 'network', 'delete', 'lxdbr0', '--force-local'],
    ['lxc', 'profile', 'device', 'remove', 'default', 'eth0', '--force-local'],
    [
      'lxc',
      'network',
      'create',
      'lxdbr0',
      'ipv4.address=10.0.8.1/24',
      'ipv4.nat=true',
      'ipv4.dhcp.ranges=10.0.8.2-10.0.8.3',
      'ipv6.address=fd98:9e0:3744::1/64',
      'ipv6.nat=true',
      'dns.domain=lxd',
      'bridge.mtu=1500',
      '--force-local',
    ],
    ['lxc', 'network', 'attach-profile', 'lxdbr0', 'default', 'eth0', '--force-local'],
  ]);
});

test('lxd: on an image without lxd and btrfs tools, lxd comes from the snap store and btrfs-progs from apt before lxd init', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(lxd, lxd.examples[1] as string);
  const argvs = k.argvs();
  const at = (p: (a: string[]) => boolean) => argvs.findIndex(p);
  assert.ok(at((a) => a.join(' ') === 'snap install lxd') >= 0);
  const install = at((a) => a[0] === 'apt-get' && a.includes('install') && a.includes('btrfs-progs'));
  assert.ok(install > at((a) => a.join(' ') === 'snap install lxd'), JSON.stringify(argvs));
  assert.ok(at((a) => a.join(' ') === 'lxd waitready --timeout=300') > install);
  assert.deepEqual(argvs.at(-1), ['lxd', 'init', '--auto', '--storage-backend=btrfs']);
});

test('lxd: the documented preseed example goes to lxd init --preseed on stdin, with zfsutils-linux for its zfs pool', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/lxd', '', 0o755);
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(lxd, lxd.examples[2] as string);
  const cmds = k.commands();
  assert.ok(cmds.some((c) => c.argv[0] === 'apt-get' && c.argv.includes('zfsutils-linux')));
  const last = cmds.at(-1);
  assert.deepEqual(last?.argv, ['lxd', 'init', '--preseed']);
  assert.match(last?.stdin ?? '', /^\d+ bytes, not recorded$/);
});

test('lxd bridge commands: existing attaches only, none does nothing, an unset ipv4 NAT is on as in cloud-init, no address is none', () => {
  assert.deepEqual(bridgeCommands({ mode: 'existing', name: 'br9' }), { create: null, attach: ['network', 'attach-profile', 'br9', 'default', 'eth0'] });
  assert.deepEqual(bridgeCommands({ mode: 'none' }), { create: null, attach: null });
  assert.deepEqual(bridgeCommands({ mode: 'new' }).create, ['network', 'create', 'lxdbr0', 'ipv4.address=none', 'ipv6.address=none']);
  assert.deepEqual(bridgeCommands({ mode: 'new', ipv4_address: '10.1.1.1', ipv4_netmask: 24, ipv4_nat: false }).create, [
    'network',
    'create',
    'lxdbr0',
    'ipv4.address=10.1.1.1/24',
    'ipv6.address=none',
  ]);
  assert.deepEqual(bridgeCommands({ mode: 'new', ipv4_address: '10.1.1.1', ipv4_netmask: 24 }).create?.[4], 'ipv4.nat=true');
  assert.deepEqual(lxdInitArgv({ network_port: 0, storage_backend: 'dir' }), ['lxd', 'init', '--auto', '--storage-backend=dir']);
  assert.deepEqual(bridgeDebconf({ mode: 'existing', name: 'br0' }), [
    ['lxd/setup-bridge', 'false'],
    ['lxd/use-existing-bridge', 'true'],
    ['lxd/bridge-name', 'br0'],
  ]);
});

test('lxd: an image with the old lxd-bridge package gets the bridge through debconf and dpkg-reconfigure', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  for (const t of ['lxd', 'debconf-communicate']) k.write(`usr/bin/${t}`, '', 0o755);
  k.write('etc/default/lxd-bridge', 'USE_LXD_BRIDGE="true"\n');
  await k.run(lxd, 'lxd:\n  bridge:\n    mode: existing\n    name: br0\n');
  assert.deepEqual(k.argvs().slice(-2), [['debconf-communicate'], ['dpkg-reconfigure', 'lxd', '--frontend=noninteractive']]);
  assert.equal(k.exists('etc/default/lxd-bridge'), false);
});

test('lxd refuses a preseed beside init, and unknown keys, each with its line, and runs nothing', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  await assert.rejects(k.run(lxd, 'lxd:\n  init:\n    storage_backend: dir\n  preseed: "config: {}"\n  brige: {mode: new}\n'), /lxd was not set up/);
  assert.match(k.errors().join('\n'), /line 5 col \d+: lxd\.brige is not an lxd key/);
  assert.match(k.errors().join('\n'), /line 4 col \d+: lxd\.preseed cannot be given with lxd\.init/);
  assert.deepEqual(k.argvs(), []);
});

test('lxd: a boot with a bad lxd section reports it in status.json with its line and still runs the other modules', () => {
  const b = bootUbuntu('#cloud-config\nlxd:\n  init: {storage_backend: dir}\n  preseed: "config: {}"\nruncmd:\n  - echo after-lxd\n', { tools: ['lxd'] });
  assert.equal(b.status, 'error');
  assert.ok(
    b.errors.some((e) => /line 4 col \d+: lxd\.preseed cannot be given with lxd\.init/.test(e)),
    b.errors.join('\n'),
  );
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'lxd'),
    [],
  );
  assert.match(b.read(`${b.inst}/scripts/runcmd`), /echo after-lxd/);
});
