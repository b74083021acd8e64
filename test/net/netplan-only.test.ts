// v2 sections only netplan understands (wifis, tunnels, vrfs, modems): cloud-init 25.1
// passes a v2 config through to netplan untouched; nimbus does the same, and every other
// renderer refuses the config naming where the section is, rather than dropping it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RENDERERS, loadYaml, NetConfigError, parseNetworkConfigDoc, render, RenderError, type NetworkState } from '../../packages/core/src/index.js';

function state(text: string): NetworkState {
  const d = loadYaml(text, 'nc.yaml');
  const c = parseNetworkConfigDoc({ source: 'nc.yaml', positions: d.positions }, d.value);
  assert.equal(c.kind, 'state');
  return (c as { state: NetworkState }).state;
}

const DOC = `network:
  version: 2
  ethernets:
    eth0:
      dhcp4: true
  wifis:
    wlan0:
      dhcp4: true
      access-points:
        "home net":
          password: "no:it's secret"
  tunnels:
    he-ipv6:
      mode: sit
      remote: 2.2.2.2
      local: 1.1.1.1
      addresses: ["2001:db8::1/64"]
  vrfs:
    blue:
      table: 100
      interfaces: [eth0]
  modems:
    wwan0:
      apn: internet
      dhcp4: true
`;

test('v2 wifis, tunnels, vrfs and modems are written into the netplan file as given', () => {
  const out = render(state(DOC), 'netplan').get('/etc/netplan/50-cloud-init.yaml')!.content;
  const back = loadYaml(out, 'out.yaml').value as { network: Record<string, unknown> };
  assert.deepEqual(back.network.wifis, { wlan0: { dhcp4: true, 'access-points': { 'home net': { password: "no:it's secret" } } } });
  assert.deepEqual(back.network.tunnels, { 'he-ipv6': { mode: 'sit', remote: '2.2.2.2', local: '1.1.1.1', addresses: ['2001:db8::1/64'] } });
  assert.deepEqual(back.network.vrfs, { blue: { table: 100, interfaces: ['eth0'] } });
  assert.deepEqual(back.network.modems, { wwan0: { apn: 'internet', dhcp4: true } });
});

for (const r of ALL_RENDERERS.filter((x) => x !== 'netplan')) {
  test(`a v2 config with wifis is refused by the ${r} renderer, naming the file, line and column`, () => {
    assert.throws(
      () => render(state(DOC), r),
      (e: unknown) => e instanceof RenderError && e.message === `nc.yaml:6:3: wifis: not supported: v2 wifis with the ${r} renderer (only the netplan renderer passes them through)`,
    );
  });
}

test('a passed-through value with a newline is refused where it is, so it cannot leave its field in the netplan file', () => {
  assert.throws(
    () => state('network:\n  version: 2\n  wifis:\n    wlan0:\n      access-points:\n        x:\n          password: "a\\n    evil: 1"\n'),
    (e: unknown) => e instanceof NetConfigError && /nc\.yaml:7:\d+: network\.wifis\.wlan0\.access-points\.x\.password: expected a value without control characters/.test(e.message),
  );
});

test('an unknown v2 section is still refused, naming the sections nimbus reads', () => {
  assert.throws(
    () => state('network:\n  version: 2\n  wired:\n    eth0: {}\n'),
    /nc\.yaml:3:3: network\.wired: expected version, renderer, ethernets, bonds, bridges, vlans, wifis, tunnels, vrfs or modems/,
  );
});
