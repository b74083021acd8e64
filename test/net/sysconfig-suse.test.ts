// The suse flavour of sysconfig (openSUSE, SLES): the files and keys cloud-init 25.1
// writes for that family, chosen by the distro as cloud-init chooses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost, detectDistro, loadYaml, parseNetworkConfigDoc, render, renderNetwork, sysconfigFlavor, type NetworkState } from '../../packages/core/src/index.js';
import { fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';

function state(text: string): NetworkState {
  const d = loadYaml(text, 'nc.yaml');
  const c = parseNetworkConfigDoc({ source: 'nc.yaml', positions: d.positions }, d.value);
  assert.equal(c.kind, 'state');
  return (c as { state: NetworkState }).state;
}

/** KEY=value lines of a shell file, comments dropped. */
const keys = (text: string | undefined) => (text ?? '').split('\n').filter((l) => /^[A-Z]/.test(l));

const V1 = `network:
  version: 1
  config:
    - type: physical
      name: eth0
      mac_address: "52:54:00:12:34:00"
      subnets:
        - type: static
          address: 192.168.1.10/24
          gateway: 192.168.1.1
          dns_nameservers: [192.168.1.2]
          routes: [{network: 10.0.0.0, prefix: 8, gateway: 192.168.1.254, metric: 50}]
        - type: static
          address: "2001:db8::10/64"
    - type: physical
      name: eth1
      subnets: [{type: dhcp4}, {type: dhcp6}]
    - type: physical
      name: eth2
      subnets: [{type: ipv6_slaac, control: manual}]
    - type: physical
      name: eth3
    - type: physical
      name: eth4
    - type: bond
      name: bond0
      bond_interfaces: [eth4, eth3]
      params: {bond-mode: active-backup, bond-miimon: 100}
    - type: vlan
      name: vlan7
      vlan_link: bond0
      vlan_id: 7
      subnets: [{type: dhcp4}]
`;

test('the suse family of distros gets the suse flavour, every other the rhel one', () => {
  for (const d of ['opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'sles', 'sle-micro']) assert.equal(sysconfigFlavor(d), 'suse', d);
  for (const d of ['centos', 'rhel', 'fedora', undefined]) assert.equal(sysconfigFlavor(d), 'rhel', String(d));
});

test('on openSUSE, ifcfg files go under /etc/sysconfig/network with BOOTPROTO and STARTMODE and no rhel-only keys', () => {
  const out = render(state(V1), 'sysconfig', 'opensuse');
  const f = (n: string) => out.get(`/etc/sysconfig/network/${n}`)?.content;
  assert.deepEqual(keys(f('ifcfg-eth0')), ['BOOTPROTO=static', 'IPADDR=192.168.1.10', 'IPADDR6=2001:db8::10/64', 'LLADDR=52:54:00:12:34:00', 'NETMASK=255.255.255.0', 'STARTMODE=auto']);
  assert.deepEqual(keys(f('ifcfg-eth1')), ['BOOTPROTO=dhcp', 'DHCLIENT6_MODE=managed', 'STARTMODE=auto']);
  assert.deepEqual(keys(f('ifcfg-eth2')), ['BOOTPROTO=dhcp6', 'DHCLIENT6_MODE=info', 'STARTMODE=manual']);
  assert.deepEqual(keys(f('ifcfg-eth3')), ['BOOTPROTO=none', 'STARTMODE=hotplug']);
  assert.deepEqual(keys(f('ifcfg-bond0')), [
    'BONDING_MASTER=yes',
    'BONDING_MODULE_OPTS="mode=active-backup miimon=100"',
    'BONDING_SLAVE_0=eth3',
    'BONDING_SLAVE_1=eth4',
    'BOOTPROTO=static',
    'STARTMODE=auto',
  ]);
  assert.deepEqual(keys(f('ifcfg-vlan7')), ['BOOTPROTO=dhcp4', 'ETHERDEVICE=bond0', 'STARTMODE=auto', 'VLAN_ID=7']);
  // The gateway and routes go to ifroute-NAME (wicked's routes file), not into ifcfg.
  assert.deepEqual(
    (f('ifroute-eth0') ?? '').split('\n').filter((l) => l && !l.startsWith('#')),
    ['default 192.168.1.1 - eth0', '10.0.0.0/8 192.168.1.254 - eth0 metric 50'],
  );
  // Interface DNS has no ifcfg key in this flavour: it goes to resolv.conf.
  assert.match(out.get('/etc/resolv.conf')?.content ?? '', /^nameserver 192\.168\.1\.2$/m);
  for (const p of out.keys()) assert.ok(!p.startsWith('/etc/sysconfig/network-scripts/') && p !== '/etc/sysconfig/network', `no rhel file ${p}`);
  for (const [p, file] of out) if (p.includes('/ifcfg-')) assert.doesNotMatch(file.content, /^(DEVICE|TYPE|ONBOOT|USERCTL|GATEWAY|DNS1|IPV6INIT|HWADDR)=/m, p);
  assert.ok(out.has('/etc/udev/rules.d/85-persistent-net-cloud-init.rules'));
});

test('the local stage on an openSUSE tree with wicked writes the suse flavour under /etc/sysconfig/network', () => {
  const root = tempRoot();
  fakeSysfs(root, [{ name: 'eth0', mac: '52:54:00:12:34:00' }]);
  fs.mkdirSync(path.join(root, 'etc/sysconfig/network'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n');
  fakeCommand(root, 'wicked');
  const host = createHost({ root, exec: 'record' });
  const distro = detectDistro(host.fs);
  assert.equal(distro.family, 'suse');
  const { log } = testLogger();
  const cfg = { network: { version: 1, config: [{ type: 'physical', name: 'eth0', mac_address: '52:54:00:12:34:00', subnets: [{ type: 'static', address: '192.0.2.5/24', gateway: '192.0.2.1' }] }] } };
  const r = renderNetwork(host, distro, cfg, null, log);
  assert.equal(r.disabled, false);
  if (r.disabled) return;
  assert.equal(r.renderer, 'sysconfig');
  assert.deepEqual(r.written.filter((p) => p.startsWith('/etc/sysconfig/')).sort(), ['/etc/sysconfig/network/ifcfg-eth0', '/etc/sysconfig/network/ifroute-eth0']);
  assert.match(fs.readFileSync(path.join(root, 'etc/sysconfig/network/ifcfg-eth0'), 'utf8'), /^BOOTPROTO=static$/m);
  assert.match(fs.readFileSync(path.join(root, 'etc/sysconfig/network/ifroute-eth0'), 'utf8'), /^default 192\.0\.2\.1 - eth0$/m);
  assert.ok(!fs.existsSync(path.join(root, 'etc/sysconfig/network-scripts')));
});
