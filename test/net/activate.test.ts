// Bring-up commands per tool, in record mode on a temp root: every configured interface
// is taken down and flushed before anything is raised, with the tool the image has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyNetwork, chooseTool, createHost, parseV1, planRenames, type Nic } from '../../packages/core/src/index.js';
import { DEBIAN, fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';

const state = parseV1(
  { source: 't' },
  {
    version: 1,
    config: [
      { type: 'physical', name: 'eth0', mac_address: '52:54:00:00:00:01', subnets: [{ type: 'static', address: '10.0.0.5/24', gateway: '10.0.0.1' }] },
      { type: 'physical', name: 'eth1', mac_address: '52:54:00:00:00:02', subnets: [{ type: 'dhcp' }] },
    ],
  },
);

function recorded(root: string): string[] {
  const f = path.join(root, 'var/log/nimbus-commands.log');
  return fs.existsSync(f)
    ? fs
        .readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { argv: string[] }).argv.join(' '))
    : [];
}

for (const [cmd, renderer, tool] of [
  ['ifup', 'eni', 'ifupdown'],
  ['nmcli', 'network-manager', 'nmcli'],
  ['networkctl', 'networkd', 'networkctl'],
  ['netplan', 'netplan', 'netplan'],
] as const) {
  test(`bring-up with ${tool}: down and flush first, then up`, () => {
    const root = tempRoot();
    fakeSysfs(root, [
      { name: 'eth0', mac: '52:54:00:00:00:01' },
      { name: 'eth1', mac: '52:54:00:00:00:02' },
    ]);
    fakeCommand(root, cmd);
    const host = createHost({ root, exec: 'record' });
    assert.equal(chooseTool(host, renderer), tool);
    const { log } = testLogger();
    const r = applyNetwork(host, DEBIAN, state, log, { renderer });
    assert.equal(r.tool, tool);
    const cmds = recorded(root);
    const firstUp = cmds.findIndex((c) => /^(ifup|nmcli connection up|networkctl reconfigure|netplan apply)/.test(c));
    assert.ok(firstUp > 0, cmds.join('\n'));
    for (const n of ['eth0', 'eth1']) {
      assert.ok(cmds.indexOf(`ip link set dev ${n} down`) < firstUp);
      assert.ok(cmds.indexOf(`ip -4 addr flush dev ${n}`) >= 0 && cmds.indexOf(`ip -4 addr flush dev ${n}`) < firstUp);
    }
    fs.rmSync(root, { recursive: true });
  });
}

test('without any network tool the ip fallback is used', () => {
  const root = tempRoot();
  assert.equal(chooseTool(createHost({ root, exec: 'record' }), 'eni'), 'ip');
  fs.rmSync(root, { recursive: true });
});

const nic = (name: string, mac: string): Nic => ({ name, mac, driver: 'virtio_net', operstate: 'up', carrier: true, dormant: false, type: 1, master: null, virtual: null });

test('planRenames: swaps go through temporary names; conflicts and absent MACs are handled', () => {
  const nics = [nic('eth0', 'aa:00:00:00:00:01'), nic('eth1', 'aa:00:00:00:00:02'), nic('eth9', 'aa:00:00:00:00:09')];
  const swap = planRenames(
    [
      { mac: 'aa:00:00:00:00:01', name: 'eth1' },
      { mac: 'aa:00:00:00:00:02', name: 'eth0' },
    ],
    nics,
  );
  assert.deepEqual(swap, {
    moves: [
      { mac: 'aa:00:00:00:00:01', from: 'eth0', to: 'eth1', tmp: 'nimbustmp0' },
      { mac: 'aa:00:00:00:00:02', from: 'eth1', to: 'eth0', tmp: 'nimbustmp1' },
    ],
    refused: [],
  });
  const blocked = planRenames(
    [
      { mac: 'aa:00:00:00:00:01', name: 'eth9' },
      { mac: 'ff:00:00:00:00:00', name: 'eth5' },
    ],
    nics,
  );
  assert.deepEqual(blocked.moves, []);
  assert.match(blocked.refused[0]!, /eth0 \(aa:00:00:00:00:01\) -> eth9: the name is taken by eth9/);
  const twice = planRenames(
    [
      { mac: 'aa:00:00:00:00:01', name: 'eth5' },
      { mac: 'aa:00:00:00:00:02', name: 'eth5' },
    ],
    nics,
  );
  assert.match(twice.refused[0]!, /eth5: wanted for both/);
  assert.equal(planRenames([{ mac: 'aa:00:00:00:00:01', name: 'eth0' }], nics).moves.length, 0);
});
