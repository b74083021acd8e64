// Network configs cloud-init 25.x accepts and how it renders them (issue 17): inputs
// nimbus used to refuse, settings it used to drop, and the rendering changes distros
// ship since cloud-init 22.4. Each test names what a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyNetwork, createHost, loadYaml, NetConfigError, parseNetworkConfigDoc, parseNetworkDataJson, render, type NetRenderer, type NetworkState } from '../../packages/core/src/index.js';
import { DEBIAN, fakeCommand, fakeSysfs, tempRoot, testLogger } from './helpers.js';

function state(text: string): NetworkState {
  const d = loadYaml(text, 'nc.yaml');
  const c = parseNetworkConfigDoc({ source: 'nc.yaml', positions: d.positions }, d.value);
  assert.equal(c.kind, 'state');
  return (c as { state: NetworkState }).state;
}

/** One rendered file's text, found by the end of its path. */
function file(s: NetworkState, renderer: NetRenderer, suffix: string): string {
  const hit = [...render(s, renderer)].find(([p]) => p.endsWith(suffix));
  assert.ok(hit, `${renderer} writes a file ending in ${suffix}`);
  return hit[1].content;
}

const v1 = (body: string) => `network:\n  version: 1\n  config:\n${body}`;

// --- inputs cloud-init accepts ---------------------------------------------------

test('a route without a gateway is a route onto the link in every renderer', () => {
  const s = state(
    v1(`    - type: physical
      name: eth0
      subnets:
        - type: static
          address: 10.0.0.5/24
          routes:
            - {network: 10.9.0.0, netmask: 255.255.0.0}
            - {network: "2001:db8:9::", prefix: 48}
`),
  );
  assert.deepEqual(s.interfaces[0]!.subnets[0]!.routes, [
    { to: '10.9.0.0', prefix: 16 },
    { to: '2001:db8:9::', prefix: 48 },
  ]);
  assert.match(file(s, 'networkd', 'eth0.network'), /\[Route\]\nDestination=10\.9\.0\.0\/16\n\n/);
  assert.match(file(s, 'eni', '50-cloud-init'), /post-up ip route add 10\.9\.0\.0\/16 dev eth0 \|\| true/);
  assert.match(file(s, 'eni', '50-cloud-init'), /post-up ip -6 route add 2001:db8:9::\/48 dev eth0 \|\| true/);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /- to: '10\.9\.0\.0\/16'\n\s+scope: link\n/);
  assert.match(file(s, 'network-manager', 'cloud-init-eth0.nmconnection'), /^route1=10\.9\.0\.0\/16$/m);
  const route = file(s, 'sysconfig', 'route-eth0');
  assert.match(route, /^ADDRESS0=10\.9\.0\.0$/m);
  assert.doesNotMatch(route, /GATEWAY0/);
  assert.match(file(s, 'sysconfig', 'route6-eth0'), /^2001:db8:9::\/48 dev eth0$/m);
});

test('a route without a netmask is a /24 (IPv4) or /64 (IPv6), not a host route', () => {
  const s = state(
    v1(`    - type: physical
      name: eth0
      subnets:
        - type: static
          address: 10.0.0.5/24
          routes:
            - {network: 10.9.0.0, gateway: 10.0.0.1}
            - {destination: "2001:db8:9::", gateway: "2001:db8::1"}
        - type: static6
          address: 2001:db8::5/64
`),
  );
  assert.deepEqual(
    s.interfaces[0]!.subnets[0]!.routes.map((r) => `${r.to}/${r.prefix}`),
    ['10.9.0.0/24', '2001:db8:9::/64'],
  );
});

test('an OpenStack link of type "physical" is a NIC, and an empty IPv6 netmask means /64', () => {
  const s = parseNetworkDataJson(
    { source: 'network_data.json' },
    {
      links: [{ id: 'tap1', type: 'physical', ethernet_mac_address: 'fa:16:3e:00:00:01' }],
      networks: [{ id: 'n6', type: 'ipv6', link: 'tap1', ip_address: '2001:db8::5', netmask: '' }],
    },
    new Map([['fa:16:3e:00:00:01', 'eth0']]),
  );
  assert.equal(s.interfaces[0]!.name, 'eth0');
  assert.equal(s.interfaces[0]!.type, 'physical');
  assert.deepEqual(s.interfaces[0]!.subnets[0], { type: 'static', family: 6, address: '2001:db8::5', prefix: 64, dns: { nameservers: [], search: [] }, routes: [] });
});

test('an empty v1 IPv6 netmask means /64', () => {
  const s = state(v1(`    - {type: physical, name: eth0, subnets: [{type: static6, address: "2001:db8::5", netmask: ""}]}\n`));
  assert.equal((s.interfaces[0]!.subnets[0] as { prefix: number }).prefix, 64);
});

test('bond members and bridge ports that are only named become NICs in the bond or bridge', () => {
  const s = state(
    v1(`    - {type: bond, name: bond0, bond_interfaces: [eth0, eth1], params: {bond-mode: active-backup}}
    - {type: bridge, name: br0, bridge_interfaces: [eth2], subnets: [{type: dhcp4}]}
`),
  );
  const by = (n: string) => s.interfaces.find((i) => i.name === n)!;
  assert.equal(by('eth0').bondMaster, 'bond0');
  assert.equal(by('eth1').bondMaster, 'bond0');
  assert.equal(by('eth2').bridgeMaster, 'br0');
  assert.equal(by('eth2').type, 'physical');
  assert.match(file(s, 'sysconfig', 'ifcfg-eth1'), /^MASTER=bond0$/m);
  assert.match(file(s, 'networkd', '10-cloud-init-eth2.network'), /^Bridge=br0$/m);
});

test('bridge_stp 0 and 1 (and stp: 0 in v2) are off and on', () => {
  const off = state(v1(`    - {type: bridge, name: br0, bridge_interfaces: [], params: {bridge_stp: 0}}\n`));
  assert.equal(off.interfaces[0]!.bridge!.stp, false);
  const on = state(v1(`    - {type: bridge, name: br0, bridge_interfaces: [], params: {bridge_stp: "1"}}\n`));
  assert.equal(on.interfaces[0]!.bridge!.stp, true);
  const v2 = state('network:\n  version: 2\n  bridges:\n    br0:\n      interfaces: []\n      parameters: {stp: 0}\n');
  assert.equal(v2.interfaces[0]!.bridge!.stp, false);
});

test('a MAC address written with dashes is read and written with colons', () => {
  const s = state(v1(`    - {type: physical, name: eth0, mac_address: "52-54-00-AB-CD-EF", subnets: [{type: dhcp}]}\n`));
  assert.equal(s.interfaces[0]!.mac, '52:54:00:ab:cd:ef');
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /macaddress: '52:54:00:ab:cd:ef'/);
});

test('every kernel bonding option is kept; an option the kernel does not have is reported, not fatal', () => {
  const s = state(
    v1(`    - type: bond
      name: bond0
      bond_interfaces: []
      params:
        bond-mode: active-backup
        bond-use-carrier: 1
        bond_arp_validate: all
        bond-arp-ip-target: [10.0.0.1, 10.0.0.2]
        bond-no-such-thing: 5
`),
  );
  assert.deepEqual(s.interfaces[0]!.bond!.params, { mode: 'active-backup', use_carrier: '1', arp_validate: 'all', arp_ip_target: '10.0.0.1,10.0.0.2' });
  assert.deepEqual(s.warnings, ['nc.yaml: network.config.0.params.bond-no-such-thing: not a kernel bonding option, ignored']);
  assert.match(file(s, 'sysconfig', 'ifcfg-bond0'), /^BONDING_OPTS="mode=active-backup arp_ip_target=10\.0\.0\.1,10\.0\.0\.2 arp_validate=all use_carrier=1"$/m);
  assert.match(file(s, 'networkd', 'bond0.netdev'), /^ARPIPTargets=10\.0\.0\.1 10\.0\.0\.2$/m);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /arp-ip-targets:\n\s+- '10\.0\.0\.1'\n\s+- '10\.0\.0\.2'/);
  assert.match(file(s, 'network-manager', 'bond0.nmconnection'), /^use_carrier=1$/m);
});

// --- settings that were lost -------------------------------------------------------

const OVERRIDES = `network:
  version: 2
  ethernets:
    eth0:
      dhcp4: true
      dhcp4-overrides: {route-metric: 200, use-dns: false, use-routes: false, use-domains: false, send-hostname: false}
      dhcp6: true
      dhcp6-overrides: {use-dns: false, use-ntp: false}
`;

test('v2 dhcp4-overrides and dhcp6-overrides reach networkd, netplan, NetworkManager and ifcfg', () => {
  const s = state(OVERRIDES);
  assert.deepEqual(s.warnings, []);
  const nd = file(s, 'networkd', 'eth0.network');
  assert.match(nd, /\[DHCPv4\]\nUseDNS=no\nUseDomains=no\nUseHostname=no\nSendHostname=no\nRouteMetric=200\nUseRoutes=no\n/);
  assert.match(nd, /\[DHCPv6\]\nUseDNS=no\nUseNTP=no\n/);
  const np = file(s, 'netplan', '50-cloud-init.yaml');
  assert.match(np, /dhcp4-overrides:\n\s+use-dns: false\n\s+use-domains: false\n\s+use-hostname: false\n\s+use-routes: false\n\s+send-hostname: false\n\s+route-metric: 200\n/);
  assert.match(np, /dhcp6-overrides:\n\s+use-dns: false\n\s+use-hostname: false\n\s+use-ntp: false\n/);
  const nm = file(s, 'network-manager', 'eth0.nmconnection');
  assert.match(nm, /\[ipv4\][^[]*route-metric=200\nignore-auto-dns=true\nignore-auto-routes=true\ndhcp-send-hostname=false\n/);
  assert.match(nm, /\[ipv6\][^[]*ignore-auto-dns=true\n/);
  const ifcfg = file(s, 'sysconfig', 'ifcfg-eth0');
  for (const l of ['IPV4_ROUTE_METRIC=200', 'PEERDNS=no', 'PEERROUTES=no', 'IPV6_PEERDNS=no']) assert.match(ifcfg, new RegExp(`^${l}$`, 'm'));
});

test('v2 keys nimbus does not carry over are reported as warnings (and logged by the local stage)', () => {
  const s = state('network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      dhcp4-overrides: {use-foo: true}\n      optional: true\n');
  assert.deepEqual(s.warnings, ['nc.yaml: network.ethernets.eth0.optional: not supported, ignored', 'nc.yaml: network.ethernets.eth0.dhcp4-overrides.use-foo: not supported, ignored']);
});

test('accept-ra: false keeps router advertisements off with DHCPv6, in networkd and ENI', () => {
  const s = state('network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp6: true\n      accept-ra: false\n');
  assert.match(file(s, 'networkd', 'eth0.network'), /^IPv6AcceptRA=no$/m);
  assert.doesNotMatch(file(s, 'networkd', 'eth0.network'), /IPv6AcceptRA=yes/);
  assert.match(file(s, 'eni', '50-cloud-init'), /iface eth0 inet6 dhcp\n\s+accept_ra 0\n/);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /accept-ra: false/);
});

test('a second IPv4 or IPv6 default gateway on one interface is refused with file:line:col', () => {
  assert.throws(
    () =>
      state(
        v1(`    - type: physical
      name: eth0
      subnets:
        - {type: static, address: 10.0.0.5/24, gateway: 10.0.0.1}
        - {type: static, address: 10.0.1.5/24, gateway: 10.0.1.1}
`),
      ),
    (e: unknown) => e instanceof NetConfigError && /^nc\.yaml:4:7: /.test(e.message) && /one IPv4 default gateway per interface.*10\.0\.0\.1 and 10\.0\.1\.1/.test(e.message),
  );
  assert.throws(
    () =>
      state(
        'network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: ["2001:db8::5/64"]\n      routes:\n        - {to: "::/0", via: "2001:db8::1"}\n        - {to: default, via: "2001:db8::2"}\n',
      ),
    /one IPv6 default gateway per interface/,
  );
  // Told apart by their metrics, two defaults are a fail-over pair and are both written.
  const s = state(
    'network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: [10.0.0.5/24]\n      routes:\n        - {to: default, via: 10.0.0.1, metric: 100}\n        - {to: default, via: 10.0.0.2, metric: 200}\n',
  );
  assert.match(file(s, 'sysconfig', 'ifcfg-eth0'), /^GATEWAY=10\.0\.0\.1$/m);
  assert.match(file(s, 'sysconfig', 'route-eth0'), /^GATEWAY0=10\.0\.0\.2$/m);
});

test('an IPv6 default route and IPv6 DNS stay in ENI and NetworkManager when the interface has no static IPv6 address', () => {
  const s = state(`network:
  version: 2
  ethernets:
    eth0:
      accept-ra: true
      addresses: [10.0.0.5/24]
      routes: [{to: "::/0", via: "fe80::1"}]
      nameservers: {addresses: [10.0.0.2, "2001:db8::53"]}
`);
  assert.match(file(s, 'eni', '50-cloud-init'), /post-up ip -6 route add default via fe80::1 dev eth0 \|\| true/);
  const nm = file(s, 'network-manager', 'eth0.nmconnection');
  assert.match(nm, /\[ipv6\]\nmethod=auto\nmay-fail=false\nroute1=::\/0,fe80::1\ndns=2001:db8::53;\n/);
});

test('a SLAAC-only NetworkManager keyfile has IPv4 disabled, so NetworkManager runs no DHCPv4', () => {
  const s = state(v1(`    - {type: physical, name: eth0, subnets: [{type: ipv6_slaac}]}\n`));
  assert.match(file(s, 'network-manager', 'eth0.nmconnection'), /\[ipv4\]\nmethod=disabled\n\n\[ipv6\]\nmethod=auto\n/);
});

test("a subnet's mtu is used: an IPv4 subnet's for the link, an IPv6 subnet's for IPv6", () => {
  const s = state(
    v1(`    - type: physical
      name: eth0
      mtu: 1500
      subnets:
        - {type: static, address: 10.0.0.5/24, mtu: 9000}
        - {type: static6, address: "2001:db8::5/64", mtu: 1400}
`),
  );
  assert.equal(s.interfaces[0]!.mtu, 9000);
  assert.equal(s.interfaces[0]!.ipv6Mtu, 1400);
  assert.deepEqual(s.warnings, ["nc.yaml: network.config.0.subnets.0.mtu: the subnet's MTU 9000 is used, not the interface's 1500"]);
  assert.match(file(s, 'sysconfig', 'ifcfg-eth0'), /^MTU=9000$/m);
  assert.match(file(s, 'sysconfig', 'ifcfg-eth0'), /^IPV6_MTU=1400$/m);
  assert.match(file(s, 'networkd', 'eth0.network'), /^MTUBytes=9000$/m);
  assert.match(file(s, 'networkd', 'eth0.network'), /^IPv6MTUBytes=1400$/m);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /mtu: 9000\n[\s\S]*ipv6-mtu: 1400\n/);
});

const MANUAL = v1(`    - {type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5/24}]}
    - {type: physical, name: eth1, subnets: [{type: static, address: 10.0.1.5/24, control: manual}]}
`);

test('control: manual writes an interface that stays down at boot, in every renderer', () => {
  const s = state(MANUAL);
  const eni = file(s, 'eni', '50-cloud-init');
  assert.match(eni, /^auto eth0$/m);
  assert.doesNotMatch(eni, /^auto eth1$/m);
  assert.match(eni, /^# control-manual eth1\niface eth1 inet static$/m);
  assert.match(file(s, 'sysconfig', 'ifcfg-eth1'), /^ONBOOT=no$/m);
  assert.match(file(s, 'sysconfig', 'ifcfg-eth0'), /^ONBOOT=yes$/m);
  assert.match(file(s, 'networkd', 'eth1.network'), /^ActivationPolicy=manual$/m);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /eth1:\n[\s\S]*activation-mode: manual/);
  assert.match(file(s, 'network-manager', 'eth1.nmconnection'), /^autoconnect=false$/m);
  assert.doesNotMatch(file(s, 'network-manager', 'eth0.nmconnection'), /autoconnect=false/);
});

test('control: manual: the init stage takes the interface down and does not bring it up', () => {
  for (const [cmd, renderer, up] of [
    ['ifup', 'eni', 'ifup'],
    ['nmcli', 'network-manager', 'nmcli connection up'],
  ] as const) {
    const root = tempRoot();
    fakeSysfs(root, [
      { name: 'eth0', mac: '52:54:00:00:00:01' },
      { name: 'eth1', mac: '52:54:00:00:00:02' },
    ]);
    fakeCommand(root, cmd);
    const host = createHost({ root, exec: 'record' });
    applyNetwork(host, DEBIAN, state(MANUAL), testLogger().log, { renderer });
    const cmds = fs
      .readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { argv: string[] }).argv.join(' '));
    assert.ok(cmds.includes('ip link set dev eth1 down'), `${cmd}: eth1 taken down`);
    assert.ok(
      cmds.some((c) => c.startsWith(up) && c.endsWith('eth0')),
      `${cmd}: eth0 brought up`,
    );
    assert.ok(!cmds.some((c) => c.startsWith(up) && c.endsWith('eth1')), `${cmd}: eth1 not brought up: ${cmds.join('; ')}`);
  }
  const root = tempRoot();
  fakeSysfs(root, [
    { name: 'eth0', mac: '52:54:00:00:00:01' },
    { name: 'eth1', mac: '52:54:00:00:00:02' },
  ]);
  const host = createHost({ root, exec: 'record' });
  applyNetwork(host, DEBIAN, state(MANUAL), testLogger().log, { tool: 'ip' });
  const cmds = fs.readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8');
  assert.match(cmds, /"ip","link","set","dev","eth0","up"/);
  assert.doesNotMatch(cmds, /"ip","link","set","dev","eth1","up"/);
});

// --- rendering as cloud-init 25.x renders it -------------------------------------------

const BASIC = v1(`    - {type: physical, name: eth0, mac_address: "52:54:00:00:00:01", subnets: [{type: static, address: 10.0.0.5/24, gateway: 10.0.0.1}]}\n`);

test('ifcfg files no longer say NM_CONTROLLED=no (NetworkManager may manage them, as with cloud-init 23.x on)', () => {
  assert.doesNotMatch(file(state(BASIC), 'sysconfig', 'ifcfg-eth0'), /NM_CONTROLLED/);
});

test('NetworkManager keyfiles carry autoconnect-priority=120, with the ip6 addr-gen-mode snippet beside them', () => {
  const s = state(BASIC);
  assert.match(file(s, 'network-manager', 'eth0.nmconnection'), /\[connection\]\nid=cloud-init eth0\nuuid=[0-9a-f-]+\nautoconnect-priority=120\n/);
  const out = render(s, 'network-manager').get('/etc/NetworkManager/conf.d/30-cloud-init-ip6-addr-gen-mode.conf');
  assert.ok(out);
  assert.equal(out.mode, 0o600);
  assert.match(out.content, /^\[\.config\]\nenable=nm-version-min:1\.40\n\n\[connection\.30-cloud-init-ip6-addr-gen-mode\]\n(#.*\n)?ipv6\.addr-gen-mode=0\n$/m);
});

test('ENI: v2 DNS goes on the static stanza and routes on the first stanza, as cloud-init writes them', () => {
  const s = state(`network:
  version: 2
  ethernets:
    eth0:
      dhcp4: true
      addresses: [10.0.0.5/24, "2001:db8::5/64"]
      routes: [{to: 10.9.0.0/16, via: 10.0.0.1}, {to: "2001:db8:9::/48", via: "2001:db8::1"}]
      nameservers: {addresses: [10.0.0.2], search: [example.org]}
`);
  const eni = file(s, 'eni', '50-cloud-init');
  assert.match(
    eni,
    /iface eth0 inet dhcp\n {4}post-up ip route add 10\.9\.0\.0\/16 via 10\.0\.0\.1 dev eth0 \|\| true\n.*\n {4}post-up ip -6 route add 2001:db8:9::\/48 via 2001:db8::1 dev eth0 \|\| true\n/,
  );
  assert.match(eni, /iface eth0 inet static\n {4}address 10\.0\.0\.5\/24\n {4}dns-nameservers 10\.0\.0\.2\n {4}dns-search example\.org\n/);
});

// --- corpus growth (cloud-init's test-suite inputs) --------------------------------

test('wakeonlan: true wakes the NIC on a magic packet in every renderer that has a place for it', () => {
  const s = state('network:\n  version: 2\n  ethernets:\n    eth0:\n      match: {macaddress: "52:54:00:12:34:56"}\n      set-name: eth0\n      dhcp4: true\n      wakeonlan: true\n');
  assert.match(file(s, 'eni', '50-cloud-init'), /^ {4}ethernet-wol g$/m);
  assert.match(file(s, 'sysconfig', 'ifcfg-eth0'), /^ETHTOOL_OPTS="wol g"$/m);
  assert.match(file(s, 'netplan', '50-cloud-init.yaml'), /^ {12}wakeonlan: true$/m);
  assert.match(file(s, 'network-manager', 'cloud-init-eth0.nmconnection'), /^wake-on-lan=64$/m);
  assert.match(file(s, 'networkd', '10-cloud-init-eth0.link'), /^WakeOnLan=magic$/m);
  const off = state('network:\n  version: 2\n  ethernets:\n    eth0: {dhcp4: true, wakeonlan: false}\n');
  assert.match(file(off, 'netplan', '50-cloud-init.yaml'), /^ {12}wakeonlan: false$/m);
  assert.doesNotMatch(file(off, 'sysconfig', 'ifcfg-eth0'), /ETHTOOL_OPTS/);
});

test('a v1 nameserver entry with interface: gives DNS to that interface, not to the whole machine', () => {
  const s = state(
    v1(`    - type: physical
      name: interface0
      subnets:
        - {type: static, address: 192.168.1.20/16, gateway: 192.168.1.1, dns_nameservers: [3.3.3.3], dns_search: [cccc]}
    - {type: nameserver, interface: interface0, address: [1.1.1.1], search: [aaaa]}
    - {type: nameserver, address: [2.2.2.2], search: [bbbb]}
`),
  );
  assert.deepEqual(s.dns, { nameservers: ['2.2.2.2'], search: ['bbbb'] });
  const eni = file(s, 'eni', '50-cloud-init');
  assert.match(eni, /^ {4}dns-nameservers 1\.1\.1\.1 3\.3\.3\.3$/m);
  assert.match(eni, /^ {4}dns-search aaaa cccc$/m);
  assert.match(file(s, 'sysconfig', 'ifcfg-interface0'), /^DNS1=1\.1\.1\.1\nDNS2=3\.3\.3\.3$/m);
  assert.throws(
    () => state(v1('    - {type: physical, name: eth0}\n    - {type: nameserver, interface: eth9, address: [1.1.1.1]}\n')),
    /nc\.yaml:\d+:\d+: .*interface: expected the name of an interface defined in config/,
  );
});

test('a v1 infiniband entry is reported as not supported and the rest of the config is still written', () => {
  const s = state(v1('    - {type: physical, name: eth0, subnets: [{type: dhcp}]}\n    - {type: infiniband, name: ib0, subnets: [{type: static, address: 192.168.200.7/24}]}\n'));
  assert.deepEqual(
    s.interfaces.map((i) => i.name),
    ['eth0'],
  );
  assert.deepEqual(s.warnings, ['nc.yaml: network.config.1: type infiniband is not supported, ignored']);
});

test('v2 bridge ports and bond members may name a device by an id that set-name renames (even one too long for an interface name)', () => {
  const s = state(
    'network:\n  version: 2\n  ethernets:\n    provisioningport:\n      match: {macaddress: "52:54:00:25:ae:12"}\n      set-name: provisioning0\n  bridges:\n    provisioning:\n      addresses: ["fc00:1:2::2/64"]\n      interfaces: [provisioningport]\n',
  );
  assert.deepEqual(s.interfaces.find((i) => i.name === 'provisioning')?.bridge?.ports, ['provisioning0']);
  assert.match(file(s, 'eni', '50-cloud-init'), /bridge_ports provisioning0/);
});

test('v2 nameservers on a device with no addresses and no DHCP are reported, not fatal (cloud-init drops them too)', () => {
  const s = state('network:\n  version: 2\n  ethernets:\n    eth0:\n      nameservers: {addresses: [8.8.8.8]}\n');
  assert.deepEqual(s.warnings, ['nc.yaml: network.ethernets.eth0.nameservers: no addresses, dhcp4 or dhcp6 to apply them to, ignored']);
});

test('ENI: an address-less bond is raised at boot (auto bond0), as ifenslave needs; NetworkManager gives it no IP at all', () => {
  const s = state(
    v1(
      '    - {type: physical, name: eth0}\n    - {type: physical, name: eth1}\n    - {type: bond, name: bond0, bond_interfaces: [eth0, eth1], params: {bond-mode: active-backup}}\n    - {type: vlan, name: bond0.10, vlan_link: bond0, vlan_id: 10, subnets: [{type: dhcp}]}\n',
    ),
  );
  assert.match(file(s, 'eni', '50-cloud-init'), /^auto bond0\niface bond0 inet manual$/m);
  const nm = file(s, 'network-manager', 'cloud-init-bond0.nmconnection');
  assert.match(nm, /^\[ipv4\]\nmethod=disabled$/m);
  assert.match(nm, /^\[ipv6\]\nmethod=disabled$/m);
});

test('ifcfg: the metric of a default route is the IPv4 route metric of its interface', () => {
  const s = state(
    v1(
      '    - type: physical\n      name: eth0\n      subnets:\n        - type: static\n          address: 192.168.21.3/24\n          routes: [{gateway: 192.168.21.1, netmask: 0.0.0.0, network: 0.0.0.0, metric: 10000}]\n',
    ),
  );
  const f = file(s, 'sysconfig', 'ifcfg-eth0');
  assert.match(f, /^GATEWAY=192\.168\.21\.1$/m);
  assert.match(f, /^IPV4_ROUTE_METRIC=10000$/m);
});

test("v2 macaddress on an ethernet (which sets the NIC's MAC) is reported, not taken as the MAC the NIC is matched by", () => {
  const s = state('network:\n  version: 2\n  ethernets:\n    eth0: {dhcp4: true, macaddress: "52:54:00:aa:bb:cc"}\n');
  assert.equal(s.interfaces[0]?.mac, undefined);
  assert.deepEqual(s.warnings, ["nc.yaml: network.ethernets.eth0.macaddress: setting a NIC's MAC is not supported, ignored"]);
});
