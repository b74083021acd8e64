// Parsers: each source into the network state, and errors that name file, field and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createHost,
  fallbackState,
  loadYaml,
  macToName,
  NetConfigError,
  parseCmdlineNetworkConfig,
  parseEni,
  parseNetworkConfigDoc,
  parseNetworkDataJson,
  readNics,
} from '../../packages/core/src/index.js';
import { fakeSysfs, tempRoot } from './helpers.js';

const none = new Map<string, string>();
const noFiles = { read: () => null, list: () => [] };

function yaml(text: string) {
  const d = loadYaml(text, 'nc.yaml');
  return parseNetworkConfigDoc({ source: 'nc.yaml', positions: d.positions }, d.value);
}

test('v2 `to: default` routes become default routes of the right family', () => {
  const c = yaml(
    'network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: [10.0.0.2/24, "fd00::2/64"]\n      routes:\n        - {to: default, via: 10.0.0.1}\n        - {to: default, via: "fd00::1"}\n',
  );
  assert.equal(c.kind, 'state');
  if (c.kind !== 'state') return;
  const routes = c.state.interfaces[0]!.subnets[0]!.routes;
  assert.deepEqual(
    routes.map((r) => `${r.to}/${r.prefix} ${r.via}`),
    ['0.0.0.0/0 10.0.0.1', '::/0 fd00::1'],
  );
});

test('config: disabled, bare or under network:', () => {
  assert.equal(yaml('network: {config: disabled}').kind, 'disabled');
  assert.equal(yaml('config: disabled').kind, 'disabled');
});

test('a bad v1 value names the file, line, column, field and what was expected', () => {
  assert.throws(
    () => yaml('network:\n  version: 1\n  config:\n    - type: physical\n      name: eth0\n      mtu: 99999\n'),
    (e: unknown) => e instanceof NetConfigError && e.message === 'nc.yaml:6:7: network.config[0].mtu: expected an MTU (integer 68-65535), got 99999',
  );
  assert.throws(() => yaml('version: 1\nconfig:\n  - type: physical\n    name: "eth0; reboot"\n'), /nc\.yaml:4:5: config\[0\]\.name: expected an interface name/);
  assert.throws(
    () => yaml('version: 1\nconfig:\n  - type: physical\n    name: eth0\n    subnets: [{type: static, address: "10.0.0.1$(id)"}]\n'),
    /config\[0\]\.subnets\[0\]\.address: expected an IPv4 or IPv6 address/,
  );
  assert.throws(() => yaml('version: 3\n'), /version: expected 1 or 2/);
  assert.throws(() => yaml('version: 2\nwired: {}\n'), /nc\.yaml:2:1: wired: expected version, renderer/);
});

test('network_data.json: names from the MAC map, bond and vlan names, dhcp and slaac networks, dns services', () => {
  const doc = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'test/net/corpus/nd-bond-vlan.json'), 'utf8'));
  const s = parseNetworkDataJson(
    { source: 'nd.json' },
    doc,
    new Map([
      ['52:54:00:aa:00:01', 'ens3'],
      ['52:54:00:aa:00:02', 'ens4'],
    ]),
  );
  assert.deepEqual(
    s.interfaces.map((i) => `${i.type}:${i.name}`),
    ['physical:ens3', 'physical:ens4', 'bond:bond0', 'vlan:bond0.101'],
  );
  assert.deepEqual(s.interfaces[2]!.bond, { members: ['ens3', 'ens4'], params: { mode: '802.3ad', miimon: '100', xmit_hash_policy: 'layer3+4' } });
  assert.equal(s.interfaces[0]!.bondMaster, 'bond0');
  assert.equal(s.interfaces[2]!.subnets[0]!.type, 'slaac');
  assert.deepEqual(s.dns.nameservers, ['1.1.1.1']);
  assert.throws(() => parseNetworkDataJson({ source: 'nd.json' }, doc, none), /nd\.json: links\[0\]\.ethernet_mac_address: expected a MAC of a NIC on this machine/);
  assert.throws(
    () =>
      parseNetworkDataJson({ source: 'nd.json' }, { links: [{ id: 'a', type: 'phy', name: 'eth0' }], networks: [{ type: 'ipv4', link: 'a', ip_address: '10.0.0.1', netmask: '255.0.255.0' }] }, none),
    /networks\[0\]\.netmask: expected a netmask/,
  );
});

test('ENI: source and source-directory are read through the reader, relative to the file', () => {
  const files: Record<string, string> = {
    '/etc/network/interfaces': 'source interfaces.d/*.cfg\nsource-directory /etc/network/more\n',
    '/etc/network/interfaces.d/a.cfg': 'auto eth0\niface eth0 inet dhcp\n',
    '/etc/network/interfaces.d/b.txt': 'iface ignored inet dhcp\n',
    '/etc/network/more/c': 'iface eth1 inet static\n  address 10.1.1.1/24\n  gateway 10.1.1.254\n',
    '/etc/network/more/skip.me': 'iface ignored2 inet dhcp\n',
  };
  const reader = {
    read: (p: string) => files[p] ?? null,
    list: (d: string) =>
      Object.keys(files)
        .filter((f) => path.posix.dirname(f) === d)
        .map((f) => path.posix.basename(f))
        .sort(),
  };
  const s = parseEni('/etc/network/interfaces', files['/etc/network/interfaces']!, reader);
  assert.deepEqual(
    s.interfaces.map((i) => i.name),
    ['eth0', 'eth1'],
  );
  assert.deepEqual(s.interfaces[1]!.subnets[0], { type: 'static', family: 4, address: '10.1.1.1', prefix: 24, gateway: '10.1.1.254', dns: { nameservers: [], search: [] }, routes: [] });
  assert.throws(() => parseEni('/x', 'iface eth0 inet static\n  address 300.1.1.1\n', noFiles), /\/x:2: address: expected an IPv4 or IPv6 address/);
});

test('network-config= on the kernel command line: base64, gzip+base64, disabled', () => {
  const v1 = 'version: 1\nconfig:\n  - {type: physical, name: eth7, subnets: [{type: dhcp}]}\n';
  const plain = parseCmdlineNetworkConfig(`ro quiet network-config=${Buffer.from(v1).toString('base64')}`);
  const gz = parseCmdlineNetworkConfig(`network-config=${gzipSync(v1).toString('base64')} ro`);
  for (const c of [plain, gz]) assert.equal(c?.kind === 'state' && c.state.interfaces[0]!.name, 'eth7');
  assert.equal(parseCmdlineNetworkConfig('network-config=disabled')?.kind, 'disabled');
  assert.equal(parseCmdlineNetworkConfig('ro quiet'), null);
  assert.throws(() => parseCmdlineNetworkConfig('network-config=$(reboot)'), /expected base64/);
});

test('fallback: first connected physical NIC by MAC; lo, veth, bridge, bond, vlan, tun never', () => {
  const root = tempRoot();
  fakeSysfs(root, [
    { name: 'lo', mac: '00:00:00:00:00:00', kind: 'lo' },
    { name: 'br0', mac: '02:00:00:00:00:01', kind: 'bridge' },
    { name: 'bond0', mac: '02:00:00:00:00:02', kind: 'bond' },
    { name: 'ens3.5', mac: '02:00:00:00:00:03', kind: 'vlan' },
    { name: 'tun0', mac: '02:00:00:00:00:04', kind: 'tun' },
    { name: 'veth0', mac: '02:00:00:00:00:05', kind: 'veth' },
    { name: 'ens3', mac: '52:54:00:00:00:03', carrier: false, operstate: 'down' },
    { name: 'ens10', mac: '52:54:00:00:00:10' },
    { name: 'ens4', mac: '52:54:00:00:00:04' },
  ]);
  const nics = readNics(createHost({ root, exec: 'record' }).sysfs);
  assert.deepEqual(
    nics.filter((n) => n.virtual === null).map((n) => n.name),
    ['ens10', 'ens3', 'ens4'],
  );
  const s = fallbackState(nics);
  assert.deepEqual(s?.interfaces, [{ name: 'ens4', type: 'physical', mac: '52:54:00:00:00:04', subnets: [{ type: 'dhcp4', dns: { nameservers: [], search: [] }, routes: [] }] }]);
  fs.rmSync(root, { recursive: true });
});

test('duplicate MACs: refused unless one NIC is the hv_netvsc one', () => {
  const nic = (name: string, mac: string, driver: string) => ({ name, mac, driver, operstate: 'up', carrier: true, dormant: false, type: 1, master: null, virtual: null });
  assert.deepEqual([...macToName([nic('eth0', '00:15:5d:00:00:01', 'hv_netvsc'), nic('enP1', '00:15:5d:00:00:01', 'mlx5_core')])], [['00:15:5d:00:00:01', 'eth0']]);
  assert.throws(() => macToName([nic('eth0', '52:54:00:00:00:01', 'virtio_net'), nic('eth1', '52:54:00:00:00:01', 'virtio_net')]), /duplicate MAC 52:54:00:00:00:01 on eth0 and eth1/);
});

test('settings nimbus does not carry over are reported, not silently dropped', () => {
  const c = yaml('network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      optional: true\n      wakeonlan: true\n      link-local: [ipv4]\n');
  assert.equal(c.kind, 'state');
  if (c.kind !== 'state') return;
  assert.deepEqual(c.state.warnings, ['nc.yaml: network.ethernets.eth0.optional: not supported, ignored', 'nc.yaml: network.ethernets.eth0.link-local: not supported, ignored']);
  const v1 = yaml('version: 1\nconfig:\n  - {type: physical, name: eth0, foo: 1, subnets: [{type: dhcp, bar: 2}]}\n');
  assert.deepEqual(v1.kind === 'state' && v1.state.warnings, ['nc.yaml: config.0.foo: not supported, ignored', 'nc.yaml: config.0.subnets.0.bar: not supported, ignored']);
});
