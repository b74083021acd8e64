// What a renderer cannot write is said: every setting of the network config that the
// chosen stack has no place for comes back as a warning naming the interface and the
// key, is logged by the local stage and printed by net-convert, instead of vanishing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, loadYaml, parseNetworkConfigDoc, renderNetwork, renderWithWarnings, type NetRenderer, type NetworkState } from '../../packages/core/src/index.js';
import { command } from '../helpers/boot.js';
import { DEBIAN, fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';

function state(text: string): NetworkState {
  const d = loadYaml(text, 'nc.yaml');
  const c = parseNetworkConfigDoc({ source: 'nc.yaml', positions: d.positions }, d.value);
  assert.equal(c.kind, 'state');
  return (c as { state: NetworkState }).state;
}

// Every DHCP override, IPv6 settings and four DNS servers on one NIC.
const OVERRIDES = `network:
  version: 2
  ethernets:
    eth0:
      dhcp4: true
      dhcp6: true
      accept-ra: false
      dhcp4-overrides: {use-dns: false, use-domains: false, use-ntp: false, use-mtu: false, use-routes: false, use-hostname: true, send-hostname: false, hostname: vm1, route-metric: 200}
      dhcp6-overrides: {use-dns: false, use-domains: true, use-routes: false, route-metric: 300}
      nameservers: {addresses: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]}
`;

// Bond options some stacks have no key for.
const BOND = `network:
  version: 1
  config:
    - {type: physical, name: eth1, mac_address: "52:54:00:00:00:01"}
    - {type: physical, name: eth2, mac_address: "52:54:00:00:00:02"}
    - type: bond
      name: bond0
      bond_interfaces: [eth1, eth2]
      params: {bond-mode: 802.3ad, bond-miimon: 100, bond-use-carrier: 1, bond-ad-actor-system: "00:11:22:33:44:55", bond-num-unsol-na: 2}
      subnets: [{type: static, address: 192.0.2.10/24}]
`;

const lost = (text: string, renderer: NetRenderer, distro?: string) =>
  renderWithWarnings(state(text), renderer, distro)
    .warnings.map((w) => `${w.iface} ${w.key}`)
    .sort();

test('NetworkManager says which DHCP overrides a keyfile has no setting for (use-domains, use-ntp, use-mtu, use-hostname: true)', () => {
  assert.deepEqual(lost(OVERRIDES, 'network-manager'), [
    'eth0 dhcp4-overrides.use-domains',
    'eth0 dhcp4-overrides.use-hostname',
    'eth0 dhcp4-overrides.use-mtu',
    'eth0 dhcp4-overrides.use-ntp',
    'eth0 dhcp6-overrides.use-domains',
  ]);
  assert.deepEqual(lost(BOND, 'network-manager'), []);
});

test('networkd says which DHCPv6 overrides and bond options it has no key for', () => {
  assert.deepEqual(lost(OVERRIDES, 'networkd'), ['eth0 dhcp6-overrides.route-metric', 'eth0 dhcp6-overrides.use-routes']);
  assert.deepEqual(lost(BOND, 'networkd'), ['bond0 bond parameter num_unsol_na', 'bond0 bond parameter use_carrier']);
});

test('netplan writes every DHCP override and says which bond options it has no key for', () => {
  assert.deepEqual(lost(OVERRIDES, 'netplan'), []);
  assert.deepEqual(lost(BOND, 'netplan'), ['bond0 bond parameter ad_actor_system', 'bond0 bond parameter num_unsol_na', 'bond0 bond parameter use_carrier']);
});

test('ENI writes the DHCPv4 route metric and says every other DHCP override is lost', () => {
  assert.deepEqual(lost(OVERRIDES, 'eni'), [
    'eth0 dhcp4-overrides.hostname',
    'eth0 dhcp4-overrides.send-hostname',
    'eth0 dhcp4-overrides.use-dns',
    'eth0 dhcp4-overrides.use-domains',
    'eth0 dhcp4-overrides.use-hostname',
    'eth0 dhcp4-overrides.use-mtu',
    'eth0 dhcp4-overrides.use-ntp',
    'eth0 dhcp4-overrides.use-routes',
    'eth0 dhcp6-overrides.route-metric',
    'eth0 dhcp6-overrides.use-dns',
    'eth0 dhcp6-overrides.use-domains',
    'eth0 dhcp6-overrides.use-routes',
  ]);
  assert.deepEqual(lost(BOND, 'eni'), []);
});

test('ENI says accept-ra is lost on an interface with no inet6 dhcp or static stanza', () => {
  assert.deepEqual(lost('network: {version: 2, ethernets: {eth0: {dhcp4: true, accept-ra: false}}}\n', 'eni'), ['eth0 accept-ra']);
});

test('rhel ifcfg says which DHCP overrides have no key and that a fourth DNS server is left out', () => {
  assert.deepEqual(lost(OVERRIDES, 'sysconfig', 'centos'), [
    'eth0 dhcp4-overrides.hostname',
    'eth0 dhcp4-overrides.send-hostname',
    'eth0 dhcp4-overrides.use-domains',
    'eth0 dhcp4-overrides.use-hostname',
    'eth0 dhcp4-overrides.use-mtu',
    'eth0 dhcp4-overrides.use-ntp',
    'eth0 dhcp6-overrides.use-domains',
    'eth0 nameservers',
  ]);
  const w = renderWithWarnings(state(OVERRIDES), 'sysconfig', 'centos').messages.find((m) => m.includes('nameservers'));
  assert.equal(w, 'sysconfig: eth0: nameservers: not written (ifcfg takes 3 (DNS1-DNS3); 10.0.0.4 left out)');
});

test('suse ifcfg says every DHCP override, accept-ra and the fourth resolv.conf server are lost', () => {
  const got = lost(OVERRIDES, 'sysconfig', 'opensuse-leap');
  assert.deepEqual(got, [
    '(global) nameservers',
    'eth0 accept-ra',
    'eth0 dhcp4-overrides.hostname',
    'eth0 dhcp4-overrides.route-metric',
    'eth0 dhcp4-overrides.send-hostname',
    'eth0 dhcp4-overrides.use-dns',
    'eth0 dhcp4-overrides.use-domains',
    'eth0 dhcp4-overrides.use-hostname',
    'eth0 dhcp4-overrides.use-mtu',
    'eth0 dhcp4-overrides.use-ntp',
    'eth0 dhcp4-overrides.use-routes',
    'eth0 dhcp6-overrides.route-metric',
    'eth0 dhcp6-overrides.use-dns',
    'eth0 dhcp6-overrides.use-domains',
    'eth0 dhcp6-overrides.use-routes',
  ]);
});

test('suse ifcfg says a bond member loses its own addresses', () => {
  const text = BOND.replace(
    '{type: physical, name: eth1, mac_address: "52:54:00:00:00:01"}',
    '{type: physical, name: eth1, mac_address: "52:54:00:00:00:01", subnets: [{type: static, address: 198.51.100.5/24}]}',
  );
  assert.deepEqual(lost(text, 'sysconfig', 'sles'), ['eth1 subnets']);
  assert.deepEqual(lost(text, 'network-manager'), ['eth1 subnets']);
});

test('use-hostname: false is honoured by every renderer and never reported', () => {
  const text = 'network: {version: 2, ethernets: {eth0: {dhcp4: true, dhcp4-overrides: {use-hostname: false}}}}\n';
  for (const r of ['eni', 'netplan', 'networkd', 'network-manager'] as const) assert.deepEqual(lost(text, r), [], r);
  assert.deepEqual(lost(text, 'sysconfig', 'centos'), []);
});

test('the local stage logs what the renderer could not write, naming the renderer, interface and key', () => {
  const root = tempRoot();
  fakeSysfs(root, [{ name: 'eth0', mac: '52:54:00:00:00:10' }]);
  fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/network/interfaces'), 'source /etc/network/interfaces.d/*\n');
  fakeCommand(root, 'ifup');
  const { log, lines } = testLogger();
  const cfg = { network: { version: 2, ethernets: { eth0: { dhcp4: true, 'dhcp4-overrides': { 'use-dns': false } } } } };
  const r = renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, cfg, null, log);
  assert.equal(r.disabled, false);
  assert.ok(
    lines.some((l) => l.includes("eni: eth0: dhcp4-overrides.use-dns: not written (ifupdown's dhcp method has no option for it)")),
    lines.join('\n'),
  );
});

test('net-convert prints what the renderer could not write as warnings and still writes the files', () => {
  const dir = tempRoot();
  const input = path.join(dir, 'nc.yaml');
  fs.writeFileSync(input, OVERRIDES);
  const out = path.join(dir, 'out');
  const r = command('devel', 'net-convert', '-p', input, '-k', 'yaml', '-D', 'ubuntu', '-O', 'network-manager', '-d', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: network-manager: eth0: dhcp4-overrides\.use-domains: not written \(NetworkManager has no per-connection setting for it\)$/m);
  assert.ok(fs.existsSync(path.join(out, 'etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection')));
});
