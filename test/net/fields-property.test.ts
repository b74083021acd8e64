// test-lane: full (property campaign: hundreds of configs rendered by all five renderers, ifcfg sourced by bash)
// Property: whatever a v1/v2 config says, including the keys cloud-init 25.x accepts
// (DHCP overrides, routes without a gateway, every bond option, dashed MACs, subnet MTU
// and control), it is either refused with the file and field named, or every rendered
// value stays in its field: INI files (networkd, NetworkManager) keep one key=value per
// line under sections, netplan stays YAML that reads back to the same values, ENI keeps
// its stanza shape, and ifcfg files sourced by bash define only what nimbus wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadYaml, NetConfigError, parseNetworkConfigDoc, render, RenderError, type NetworkState } from '../../packages/core/src/index.js';

/** The DHCPv4 host name override eth0 ended up with, if the parser kept one. */
function hostnameOf(state: NetworkState): string | undefined {
  for (const s of state.interfaces.find((i) => i.name === 'eth0')?.subnets ?? []) if (s.type === 'dhcp4') return s.overrides?.hostname;
  return undefined;
}
import { tempRoot } from './helpers.js';
import { assignments, bashVars } from './shell-vars.js';

const hostile = fc.constantFrom('$(touch PWNED)', '`touch PWNED`', 'a;touch PWNED', 'a b', '"', "'", 'a\ntouch PWNED', 'x\n[Network]\nDNS=6.6.6.6', '${IFS}', '', ' ', '\\', '#x', 'a=b', 'a,b;c');
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | string> {
  return fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: hostile, weight: 1 }, { arbitrary: fc.string({ maxLength: 16 }), weight: 1 });
}

const v2Config = fc.record({
  mac: mostly(fc.constantFrom('52:54:00:12:34:56', '52-54-00-AB-CD-EF')),
  hostname: mostly(fc.constantFrom('web-1', 'db.example.org')),
  metric: mostly(fc.constantFrom<number | string>(100, 0, '250')),
  flag: mostly(fc.boolean()),
  routeTo: mostly(fc.constantFrom('10.9.0.0/16', '10.8.0.0', '2001:db8:9::/48')),
  routeVia: fc.option(mostly(fc.constantFrom('10.0.0.1', '2001:db8::1')), { nil: undefined }),
  bondKey: mostly(fc.constantFrom('mode', 'arp-ip-targets', 'arp-validate', 'resend-igmp', 'learn-packet-interval', 'all-slaves-active')),
  bondValue: mostly(fc.oneof(fc.constantFrom<unknown>('active-backup', 'all', 3, 'true'), fc.constant(['10.0.0.1', '10.0.0.2']))),
  stp: mostly(fc.constantFrom<unknown>(0, 1, true, 'off')),
  mtu: mostly(fc.constantFrom<number | string>(1500, 9000)),
});

const RENDERERS = ['eni', 'netplan', 'networkd', 'sysconfig', 'network-manager'] as const;
const ENI_LINE = /^(#.*|auto [A-Za-z0-9_.-]+|iface [A-Za-z0-9_.-]+ inet6? (static|dhcp|auto|manual|loopback)| {4}[a-z][a-z0-9_-]*( \S+)+)$/;

function parse(doc: unknown): NetworkState | null {
  try {
    const c = parseNetworkConfigDoc({ source: 'prop.yaml' }, doc);
    return c.kind === 'state' ? c.state : null;
  } catch (e) {
    if (e instanceof NetConfigError) return null; // refused, naming the field: fine
    throw e;
  }
}

test('property: every v1/v2 value the parsers accept stays in its field in all five renderers', () => {
  const dir = tempRoot('nimbus-fields-prop-');
  let rendered = 0;
  fc.assert(
    fc.property(v2Config, (c) => {
      const route: Record<string, unknown> = { to: c.routeTo };
      if (c.routeVia !== undefined) route.via = c.routeVia;
      const doc = {
        network: {
          version: 2,
          ethernets: {
            eth0: {
              match: { macaddress: c.mac },
              'set-name': 'eth0',
              mtu: c.mtu,
              dhcp4: true,
              'dhcp4-overrides': { hostname: c.hostname, 'route-metric': c.metric, 'use-dns': c.flag, 'send-hostname': c.flag },
              dhcp6: true,
              'dhcp6-overrides': { 'use-domains': c.flag },
              addresses: ['10.0.0.5/24', '2001:db8::5/64'],
              routes: [route],
            },
            eth1: {},
            eth2: {},
          },
          bonds: { bond0: { interfaces: ['eth1'], parameters: { mode: 'active-backup', [String(c.bondKey)]: c.bondValue } } },
          bridges: { br0: { interfaces: ['eth2'], parameters: { stp: c.stp } } },
        },
      };
      const state = parse(doc);
      if (state === null) return;
      for (const renderer of RENDERERS) {
        let files: ReturnType<typeof render>;
        try {
          files = render(state, renderer);
        } catch (e) {
          if (e instanceof RenderError) continue;
          throw e;
        }
        rendered++;
        for (const [p, f] of files) {
          const lines = f.content.split('\n').filter((l) => l !== '');
          if (/\.(network|netdev|link|nmconnection|conf)$/.test(p)) {
            for (const l of lines) assert.match(l, /^(#.*|;.*|\[[A-Za-z0-9_.-]+\]|[A-Za-z][A-Za-z0-9_.-]*( = |=)[^\n]*)$/, `${p}: a line outside the INI shape:\n${f.content}`);
            // The host name override is the whole value of its own line.
            const h = hostnameOf(state);
            if (h !== undefined && p.endsWith('eth0.network')) assert.ok(lines.includes(`Hostname=${h}`), `${p}:\n${f.content}`);
            if (h !== undefined && p.endsWith('eth0.nmconnection')) assert.ok(lines.includes(`dhcp-hostname=${h}`), `${p}:\n${f.content}`);
          } else if (p.endsWith('.yaml')) {
            const y = loadYaml(f.content, p).value as { network: { ethernets: Record<string, Record<string, unknown>> } };
            const eth0 = y.network.ethernets.eth0!;
            const o = eth0['dhcp4-overrides'] as Record<string, unknown>;
            assert.equal(o.hostname, hostnameOf(state));
            assert.equal((eth0.match as Record<string, unknown>).macaddress, state.interfaces[0]!.mac);
          } else if (p.includes('/interfaces.d/')) {
            for (const l of lines) assert.match(l, ENI_LINE, `${p}: a line outside the stanza shape:\n${f.content}`);
          } else if (p.includes('/network-scripts/') && !path.basename(p).startsWith('route6-')) {
            fs.rmSync(path.join(dir, 'PWNED'), { force: true });
            const file = path.join(dir, 'f');
            fs.writeFileSync(file, f.content);
            const { vars, pwned } = bashVars(file, dir);
            assert.equal(pwned, false, `${p} ran a command:\n${f.content}`);
            assert.deepEqual(vars, assignments(f.content), `${p} defines other variables or values than written:\n${f.content}`);
          } else if (p.includes('/network-scripts/route6-')) {
            for (const l of lines.filter((x) => !x.startsWith('#'))) assert.match(l, /^[0-9a-f:]+\/\d+( via [0-9a-f:]+)? dev eth\d( metric \d+)?$/, `${p}:\n${f.content}`);
          }
        }
      }
    }),
    { numRuns: 150, seed: 20261203 },
  );
  assert.ok(rendered > 150, `only ${rendered} renders got through the parser`);
  fs.rmSync(dir, { recursive: true });
});
