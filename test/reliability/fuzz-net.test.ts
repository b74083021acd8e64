// test-lane: full (fuzz campaign)
// Network configuration from outside (network_data.json, v1, v2, ENI): fuzzed text and
// structured documents with hostile values in names, addresses, DNS servers and routes.
// Parsing only throws NetConfigError (or YamlError) naming the source; rendering only
// RenderError; and no rendered file lets a value out of its field: sysconfig lines are
// KEY=value with nothing a shell expands, ENI/ini files gain no line from a value, netplan
// stays YAML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseText, render, ALL_RENDERERS, NetConfigError, RenderError, type NetworkConfig } from '../../packages/core/src/net/index.js';
import { loadYaml, YamlError } from '../../packages/core/src/yaml/load.js';
import { fuzz } from './fuzz.js';

const NOFILES = { read: () => null, list: () => [] };
const PAYLOADS = [
  'eth0',
  'ens3',
  '10.0.0.5',
  '10.0.0.0',
  '255.255.255.0',
  '24',
  'fe80::1',
  '2001:db8::5/64',
  '8.8.8.8',
  'example.com',
  'fa:16:3e:00:00:01',
  '1500',
  '0.0.0.0',
  'default',
  '$(touch /tmp/PWNED)',
  '`touch /tmp/PWNED`',
  'x; touch /tmp/PWNED',
  "x' ; touch /tmp/PWNED ; '",
  'x"; touch /tmp/PWNED; "',
  'x\nup touch /tmp/PWNED',
  'x\n[Service]\nExecStart=/tmp/PWNED',
  'x\r\nPWNED=1',
  '../../etc/PWNED',
  'a'.repeat(300),
  '',
  ' ',
  'eth0:1',
  'eth0.100',
  'lo',
  'x y',
  '-',
  '#PWNED',
  '\u0000PWNED',
  '1e3',
  '999999999999',
  '-1',
  'null',
];
const hostile = fc.constantFrom(...PAYLOADS);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const subnetV1 = fc.record(
  {
    type: fc.constantFrom('static', 'static6', 'dhcp', 'dhcp6', 'manual', 'PWNED'),
    address: maybe(hostile),
    netmask: maybe(hostile),
    gateway: maybe(hostile),
    dns_nameservers: maybe(fc.array(hostile, { maxLength: 3 })),
    dns_search: maybe(fc.array(hostile, { maxLength: 2 })),
    routes: maybe(fc.array(fc.record({ network: hostile, netmask: maybe(hostile), gateway: hostile }), { maxLength: 2 })),
  },
  { requiredKeys: ['type'] },
);
const v1 = fc.record({
  version: fc.constant(1),
  config: fc.array(
    fc.oneof(
      fc.record(
        { type: fc.constant('physical'), name: hostile, mac_address: maybe(hostile), mtu: maybe(fc.oneof(hostile, fc.integer())), subnets: maybe(fc.array(subnetV1, { maxLength: 3 })) },
        { requiredKeys: ['type', 'name'] },
      ),
      fc.record({ type: fc.constant('vlan'), name: hostile, vlan_link: hostile, vlan_id: fc.oneof(hostile, fc.integer()), subnets: maybe(fc.array(subnetV1, { maxLength: 2 })) }),
      fc.record({ type: fc.constant('nameserver'), address: fc.array(hostile, { maxLength: 3 }), search: maybe(fc.array(hostile, { maxLength: 2 })) }, { requiredKeys: ['type', 'address'] }),
      fc.record({ type: fc.constant('route'), destination: hostile, gateway: hostile }),
    ),
    { maxLength: 4 },
  ),
});
const v2 = fc.record({
  version: fc.constant(2),
  ethernets: fc.dictionary(
    hostile,
    fc.record(
      {
        match: maybe(fc.record({ macaddress: hostile })),
        'set-name': maybe(hostile),
        dhcp4: maybe(fc.boolean()),
        addresses: maybe(fc.array(hostile, { maxLength: 3 })),
        gateway4: maybe(hostile),
        mtu: maybe(fc.oneof(fc.integer(), hostile)),
        nameservers: maybe(fc.record({ addresses: fc.array(hostile, { maxLength: 3 }), search: maybe(fc.array(hostile, { maxLength: 2 })) })),
        routes: maybe(fc.array(fc.record({ to: hostile, via: hostile }), { maxLength: 2 })),
      },
      { requiredKeys: [] },
    ),
    { maxKeys: 3 },
  ),
});
const ndj = fc.record({
  links: fc.array(
    fc.record(
      { id: hostile, type: fc.constantFrom('phy', 'vif', 'ovs', 'bond', 'vlan', 'PWNED'), ethernet_mac_address: hostile, mtu: maybe(fc.oneof(fc.integer(), hostile)), name: maybe(hostile) },
      { requiredKeys: ['id', 'type', 'ethernet_mac_address'] },
    ),
    { maxLength: 3 },
  ),
  networks: fc.array(
    fc.record(
      {
        id: hostile,
        link: hostile,
        type: fc.constantFrom('ipv4', 'ipv6', 'ipv4_dhcp', 'ipv6_slaac', 'PWNED'),
        ip_address: maybe(hostile),
        netmask: maybe(hostile),
        routes: maybe(fc.array(fc.record({ network: hostile, netmask: hostile, gateway: hostile }), { maxLength: 2 })),
        services: maybe(fc.array(fc.record({ type: fc.constant('dns'), address: hostile }), { maxLength: 2 })),
      },
      { requiredKeys: ['id', 'link', 'type'] },
    ),
    { maxLength: 3 },
  ),
  services: fc.array(fc.record({ type: fc.constant('dns'), address: hostile }), { maxLength: 2 }),
});
const eniText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'auto ',
        'iface ',
        ' inet ',
        ' inet6 ',
        'static',
        'dhcp',
        'manual',
        '\n',
        '    address ',
        '    netmask ',
        '    gateway ',
        '    dns-nameservers ',
        '    up ',
        '    pre-up ',
        'source ',
        'source-directory ',
        'allow-hotplug ',
        'mapping ',
        '#',
        '\\\n',
      ),
      hostile,
    ),
    { maxLength: 30 },
  )
  .map((a) => a.join(''));

/** Whether the rendered files keep every value in its field. Returns the offending line or null. */
function leak(path: string, content: string): string | null {
  const lines = content.split('\n');
  if (path.includes('/network-scripts/') || path.includes('/sysconfig/')) {
    for (const l of lines) {
      if (l === '' || l.startsWith('#')) continue;
      // KEY=safe or KEY="safe with spaces"; nothing a shell would expand or split off.
      if (!/^[A-Z][A-Z0-9_]*=("[A-Za-z0-9_.:/+= -]*"|[A-Za-z0-9_.:/+-]*)$/.test(l)) return l;
    }
    return null;
  }
  if (path.endsWith('.yaml')) {
    try {
      loadYaml(content, path);
    } catch (e) {
      return `not YAML: ${(e as Error).message}`;
    }
  }
  for (const l of lines) if (/PWNED/.test(l) && /^\s*(up|down|pre-up|post-up|pre-down|post-down|ExecStart|\[|PWNED)/.test(l)) return l;
  return null;
}

function check(kind: 'yaml' | 'eni' | 'network_data.json', text: string, stats: { parsed: number; rendered: number; hostile: number }): void {
  let cfg: NetworkConfig;
  try {
    cfg = parseText(kind, text, 'network-config', new Map(), NOFILES);
  } catch (e) {
    if (!(e instanceof NetConfigError || e instanceof YamlError)) throw new Error(`not a NetConfigError: ${(e as Error).stack}`);
    assert.ok(e.message.startsWith('network-config'), e.message);
    assert.ok(!/\n\s+at /.test(e.message));
    return;
  }
  stats.parsed++;
  if (/PWNED|\$\(|`/.test(text)) stats.hostile++;
  if (cfg.kind !== 'state') return;
  for (const r of ALL_RENDERERS) {
    let files: ReturnType<typeof render>;
    try {
      files = render(cfg.state, r);
    } catch (e) {
      if (!(e instanceof RenderError || e instanceof NetConfigError)) throw new Error(`${r}: not a RenderError: ${(e as Error).stack}`);
      continue;
    }
    stats.rendered++;
    for (const [p, f] of files) {
      const bad = leak(p, f.content);
      assert.equal(bad, null, `${r} ${p}: a value left its field: ${JSON.stringify(bad)}\ninput: ${text.slice(0, 400)}`);
      assert.ok(!p.includes('..') && !p.includes('PWNED') && !p.includes('\n'), `${r}: a path from a value: ${JSON.stringify(p)}`);
    }
  }
}

test('network config v1/v2 (YAML), network_data.json and ENI: only named errors; hostile values never leave their field', () => {
  const stats = { parsed: 0, rendered: 0, hostile: 0 };
  fuzz(
    'net-v1',
    v1.map((d) => JSON.stringify({ network: d })),
    (t) => check('yaml', t, stats),
    1500,
  );
  fuzz(
    'net-v2',
    v2.map((d) => JSON.stringify({ network: d })),
    (t) => check('yaml', t, stats),
    1500,
  );
  fuzz(
    'net-network_data.json',
    ndj.map((d) => JSON.stringify(d)),
    (t) => check('network_data.json', t, stats),
    1500,
  );
  fuzz('net-eni', eniText, (t) => check('eni', t, stats), 1500);
  fuzz(
    'net-text',
    fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('version: 2', 'network: {version: 1, config: [', '{"links": [', 'auto lo\niface lo inet loopback\n')),
    (t) => {
      check('yaml', t, stats);
      check('network_data.json', t, stats);
      check('eni', t, stats);
    },
    1000,
  );
  process.stdout.write(`# net: ${stats.parsed} documents accepted (${stats.hostile} holding a hostile value somewhere), ${stats.rendered} renders checked\n`);
  assert.ok(stats.parsed > 100, 'the generators reach the renderers');
});
