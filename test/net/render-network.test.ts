// renderNetwork on temp roots: which config wins, which renderer is chosen, what is
// written and which stale files are removed (also when the new config is DHCP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, renderNetwork, selectRenderer } from '../../packages/core/src/index.js';
import { CENTOS, DEBIAN, fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';
import { recorded } from '../helpers/boot.js';

const MAC0 = '52:54:00:00:00:10';

function rhelRoot(): string {
  const root = tempRoot();
  fakeSysfs(root, [
    { name: 'eth0', mac: MAC0 },
    { name: 'eth1', mac: '52:54:00:00:00:11', carrier: false, operstate: 'down' },
  ]);
  fs.mkdirSync(path.join(root, 'etc/sysconfig/network-scripts'), { recursive: true });
  fakeCommand(root, 'ifup');
  return root;
}

const dsSource = {
  format: 'v1' as const,
  config: { config: [{ type: 'physical', name: 'eth0', mac_address: MAC0, subnets: [{ type: 'dhcp' }] }] },
  source: '/config-drive/network_data',
};

test('DHCP replacing static: stale generated files go, hand-written ones for other NICs stay', () => {
  const root = rhelRoot();
  const ns = path.join(root, 'etc/sysconfig/network-scripts');
  // The image was made from a VM that had eth0 static (hand-written) and eth1 from cloud-init.
  fs.writeFileSync(path.join(ns, 'ifcfg-eth0'), 'DEVICE=eth0\nBOOTPROTO=none\nIPADDR=192.0.2.99\nNETMASK=255.255.255.0\n');
  fs.writeFileSync(path.join(ns, 'route-eth0'), 'ADDRESS0=198.51.100.0\nNETMASK0=255.255.255.0\nGATEWAY0=192.0.2.1\n');
  fs.writeFileSync(path.join(ns, 'ifcfg-eth1'), '# Created by cloud-init on instance boot automatically, do not edit.\nDEVICE=eth1\nIPADDR=192.0.2.100\n');
  fs.writeFileSync(path.join(ns, 'ifcfg-eth5'), 'DEVICE=eth5\nBOOTPROTO=dhcp\n');
  fs.writeFileSync(path.join(ns, 'ifcfg-lo'), 'DEVICE=lo\n');
  fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/network/interfaces.d/50-cloud-init'), '# This file is generated from information provided by the datasource.\nauto eth0\niface eth0 inet static\n');
  const { log, lines } = testLogger();
  const r = renderNetwork(createHost({ root, exec: 'record' }), CENTOS, {}, dsSource, log);
  assert.equal(r.disabled, false);
  if (r.disabled) return;
  assert.equal(r.renderer, 'sysconfig');
  const eth0 = fs.readFileSync(path.join(ns, 'ifcfg-eth0'), 'utf8');
  assert.match(eth0, /^BOOTPROTO=dhcp$/m);
  assert.doesNotMatch(eth0, /IPADDR/);
  assert.deepEqual(r.removed.sort(), ['/etc/network/interfaces.d/50-cloud-init', '/etc/sysconfig/network-scripts/ifcfg-eth1', '/etc/sysconfig/network-scripts/route-eth0']);
  assert.deepEqual(fs.readdirSync(ns).sort(), ['ifcfg-eth0', 'ifcfg-eth5', 'ifcfg-lo']);
  assert.ok(lines.some((l) => l.includes('ifcfg-eth5 was not written by nimbus and is kept')));
  // A second run (a re-run after a killed stage, or every boot) writes the same and removes nothing.
  const snapshot = (d: string) =>
    fs
      .readdirSync(d)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]);
  const before = snapshot(ns);
  const again = renderNetwork(createHost({ root, exec: 'record' }), CENTOS, {}, dsSource, log);
  assert.deepEqual(again.disabled === false && again.removed, []);
  assert.deepEqual(snapshot(ns), before);
  fs.rmSync(root, { recursive: true });
});

test('precedence: kernel command line over cloud.cfg over datasource over fallback; disabled wins', () => {
  const root = rhelRoot();
  const host = createHost({ root, exec: 'record' });
  const { log } = testLogger();
  const cfgNet = { network: { version: 1, config: [{ type: 'physical', name: 'eth0', subnets: [{ type: 'static', address: '10.0.0.5/24' }] }] } };
  const pick = (cfg: Record<string, unknown>, src: typeof dsSource | null) => {
    const r = renderNetwork(host, CENTOS, cfg, src, log);
    return r.disabled ? `disabled:${r.by}` : r.source;
  };
  assert.match(pick({}, null), /^fallback/);
  assert.equal(pick({}, dsSource), '/config-drive/network_data');
  assert.equal(pick(cfgNet, dsSource), '/etc/cloud/cloud.cfg');
  assert.equal(pick({ network: { config: 'disabled' } }, dsSource), 'disabled:/etc/cloud/cloud.cfg');
  fs.mkdirSync(path.join(root, 'proc'));
  const v2 = Buffer.from('network: {version: 2, ethernets: {eth1: {dhcp6: true}}}').toString('base64');
  fs.writeFileSync(path.join(root, 'proc/cmdline'), `ro network-config=${v2}\n`);
  assert.match(pick(cfgNet, dsSource), /network-config=/);
  fs.writeFileSync(path.join(root, 'proc/cmdline'), 'ro network-config=disabled\n');
  assert.match(pick(cfgNet, dsSource), /^disabled:\/proc\/cmdline/);
  fs.rmSync(root, { recursive: true });
});

test('renderer: system_info.network.renderers in order, only what the image has', () => {
  const root = tempRoot();
  const host = createHost({ root, exec: 'record' });
  assert.throws(() => selectRenderer(host, DEBIAN, {}), /no network renderer available in this image: tried netplan \(needs the netplan command\), eni/);
  fakeCommand(root, 'NetworkManager');
  assert.equal(selectRenderer(host, DEBIAN, {}), 'network-manager');
  fakeCommand(root, 'netplan');
  assert.equal(selectRenderer(host, DEBIAN, {}), 'netplan');
  assert.equal(selectRenderer(host, DEBIAN, { system_info: { network: { renderers: ['network-manager', 'netplan'] } } }), 'network-manager');
  assert.throws(() => selectRenderer(host, DEBIAN, { system_info: { network: { renderers: ['wicked'] } } }), /expected names from eni, netplan/);
  fs.rmSync(root, { recursive: true });
});

test('keyfiles and netplan are written 0600; warnings from the source reach the log', () => {
  const root = tempRoot();
  fakeSysfs(root, [{ name: 'eth0', mac: MAC0 }]);
  fakeCommand(root, 'NetworkManager');
  const { log, lines } = testLogger();
  const src = { format: 'v2' as const, config: { ethernets: { eth0: { dhcp4: true, optional: true } } }, source: '/seed/network-config' };
  const v1 = {
    format: 'v1' as const,
    config: {
      config: [
        { type: 'physical', name: 'eth0', subnets: [{ type: 'static', address: '10.0.0.2/24' }] },
        { type: 'route', destination: '172.16.0.0/12', gateway: '192.168.9.1' },
      ],
    },
    source: '/seed/v1',
  };
  renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, v1, log);
  assert.ok(
    lines.some((l) => l.includes('[WARNING]: route to 172.16.0.0/12 via 192.168.9.1 not written: no interface has an address in the gateway')),
    lines.join(''),
  );
  const r = renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, src, log);
  assert.equal(r.disabled === false && r.renderer, 'network-manager');
  assert.equal(fs.statSync(path.join(root, 'etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection')).mode & 0o777, 0o600);
  assert.ok(
    lines.some((l) => l.includes('[WARNING]: /seed/network-config: ethernets.eth0.optional: not supported, ignored')),
    lines.join(''),
  );
  fakeCommand(root, 'netplan');
  const n = renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, src, log);
  assert.equal(n.disabled === false && n.renderer, 'netplan');
  assert.equal(fs.statSync(path.join(root, 'etc/netplan/50-cloud-init.yaml')).mode & 0o777, 0o600);
  // The keyfile from the first render is nimbus's and no longer rendered: it goes.
  assert.deepEqual(n.disabled === false && n.removed, ['/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection']);
  fs.rmSync(root, { recursive: true });
});

test('netplan: the local stage runs netplan generate after writing a changed YAML, so networkd finds its files when it starts; an unchanged YAML is left alone', () => {
  const root = tempRoot();
  fakeSysfs(root, [{ name: 'eth0', mac: MAC0 }]);
  fakeCommand(root, 'netplan');
  const src = { format: 'v2' as const, config: { ethernets: { eth0: { dhcp4: true } } }, source: '/seed/network-config' };
  const generates = () => recorded(root).filter((a) => a.join(' ') === 'netplan generate').length;
  const { log } = testLogger();
  renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, src, log);
  assert.equal(generates(), 1);
  renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, src, log);
  assert.equal(generates(), 1, 'the same YAML again: no second generate');
  renderNetwork(createHost({ root, exec: 'record' }), DEBIAN, {}, { ...src, config: { ethernets: { eth0: { dhcp4: false, addresses: ['192.0.2.5/24'] } } } }, log);
  assert.equal(generates(), 2);
});

test('an unreadable network config is an error in the log and the fallback keeps the instance reachable', () => {
  const root = rhelRoot();
  const { log } = testLogger();
  const bad = {
    format: 'network_data.json' as const,
    config: { links: [{ id: 'x', type: 'phy', ethernet_mac_address: 'fa:16:3e:99:99:99' }], networks: [] },
    source: '/config-drive/openstack/latest/network_data.json',
  };
  const r = renderNetwork(createHost({ root, exec: 'record' }), CENTOS, {}, bad, log);
  assert.equal(r.disabled === false && r.source, 'fallback (DHCP on the first connected NIC)');
  assert.deepEqual(log.report.errors, [
    "the datasource's network config not used: /config-drive/openstack/latest/network_data.json: links[0].ethernet_mac_address: expected a MAC of a NIC on this machine (none has fa:16:3e:99:99:99)",
  ]);
  assert.match(fs.readFileSync(path.join(root, 'etc/sysconfig/network-scripts/ifcfg-eth0'), 'utf8'), /^BOOTPROTO=dhcp$/m);
  fs.rmSync(root, { recursive: true });
});
