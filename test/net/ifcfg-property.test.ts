// test-lane: full (property campaign: hundreds of rendered files sourced by bash)
// Property: whatever a config says, a rendered ifcfg/route file sourced by bash
// defines only the variables nimbus meant to write, with the values it wrote, and runs
// nothing. Inputs mix valid values with shell syntax; the parser or the renderer must
// refuse the hostile ones, and whatever gets through must be inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { NetConfigError, parseV1, render, RenderError, shellAssign } from '../../packages/core/src/index.js';
import { tempRoot } from './helpers.js';
import { assignments, bashVars } from './shell-vars.js';

const hostile = fc.constantFrom('$(touch PWNED)', '`touch PWNED`', 'a;touch PWNED', 'a b', '"', "'", 'a\ntouch PWNED', '${IFS}', 'x&&touch PWNED', '', ' ', '\\', 'eth0$', '10.0.0.1;id');
// Mostly valid values (so most configs reach the renderer), sometimes hostile or random.
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | string> {
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: hostile, weight: 1 }, { arbitrary: fc.string({ maxLength: 16 }), weight: 1 });
}
const name = mostly(fc.constantFrom('eth0', 'ens3', 'br-x', 'eth0.10', 'enp0s31f6'));
const addr = mostly(fc.constantFrom('10.0.0.5', '10.0.0.6/24', '10.0.0.7/16'));
const word = mostly(fc.constantFrom('802.3ad', 'active-backup', 'balance-rr'));

const config = fc.record({
  name,
  mac: mostly(fc.constantFrom('52:54:00:12:34:56', 'AA:BB:CC:DD:EE:FF')),
  mtu: mostly(fc.constantFrom<number | string>(1500, 9000, '1400')),
  address: addr,
  gateway: mostly(fc.constantFrom('10.0.0.1')),
  dns: fc.array(mostly(fc.constantFrom('10.0.0.2', '2001:db8::53')), { maxLength: 3 }),
  search: fc.array(mostly(fc.constantFrom('example.com', 'corp.example')), { maxLength: 2 }),
  bondMode: word,
  routeTo: mostly(fc.constantFrom('192.168.0.0/16', '172.16.0.0/12')),
});

test('property: rendered ifcfg files define only the expected variables and run nothing', () => {
  const dir = tempRoot('nimbus-ifcfg-prop-');
  let rendered = 0;
  fc.assert(
    fc.property(config, (c) => {
      const doc = {
        version: 1,
        config: [
          {
            type: 'physical',
            name: c.name,
            mac_address: c.mac,
            mtu: c.mtu,
            subnets: [{ type: 'static', address: c.address, gateway: c.gateway, dns_nameservers: c.dns, dns_search: c.search, routes: [{ network: c.routeTo, gateway: c.gateway }] }],
          },
          { type: 'bond', name: 'bond0', bond_interfaces: [], params: { 'bond-mode': c.bondMode } },
        ],
      };
      let files: ReturnType<typeof render>;
      try {
        files = render(parseV1({ source: 'prop.yaml' }, doc), 'sysconfig');
      } catch (e) {
        if (e instanceof NetConfigError || e instanceof RenderError) return; // refused, naming the field: fine
        throw e;
      }
      rendered++;
      for (const [p, f] of files) {
        if (!p.includes('/network-scripts/') && p !== '/etc/sysconfig/network') continue;
        if (path.basename(p).startsWith('route6-')) continue; // read by `ip -6 route add`, not sourced
        fs.rmSync(path.join(dir, 'PWNED'), { force: true });
        const file = path.join(dir, 'f');
        fs.writeFileSync(file, f.content);
        const { vars, pwned } = bashVars(file, dir);
        assert.equal(pwned, false, `${p} ran a command:\n${f.content}`);
        assert.deepEqual(vars, assignments(f.content), `${p} defines other variables or values than written:\n${f.content}`);
      }
    }),
    { numRuns: 300, seed: 20261122 },
  );
  // The generator must reach the renderer often enough for the property to mean something.
  assert.ok(rendered > 20, `only ${rendered} configs got through the parser`);
  fs.rmSync(dir, { recursive: true });
});

// The renderer's own checks, without the parser in front: a state built directly with
// arbitrary strings must render inert files or be refused with a RenderError.
test('property: the sysconfig renderer alone refuses or neutralises hostile state values', () => {
  const dir = tempRoot('nimbus-ifcfg-prop2-');
  const any = fc.oneof(hostile, fc.string({ maxLength: 12 }), fc.constantFrom('eth0', '10.0.0.5', '52:54:00:12:34:56', 'example.com'));
  fc.assert(
    fc.property(any, any, any, any, any, (nm, address, mac, search, mode) => {
      const state = {
        interfaces: [
          {
            name: nm,
            type: 'physical' as const,
            mac,
            mtu: 1500,
            subnets: [{ type: 'static' as const, family: 4 as const, address, prefix: 24, gateway: address, dns: { nameservers: [address], search: [search] }, routes: [] }],
          },
          { name: 'bond0', type: 'bond' as const, subnets: [], bond: { members: [], params: { mode } } },
        ],
        routes: [],
        dns: { nameservers: [], search: [] },
      };
      let files: ReturnType<typeof render>;
      try {
        files = render(state, 'sysconfig');
      } catch (e) {
        if (e instanceof RenderError) return;
        throw e;
      }
      for (const [p, f] of files) {
        if (!p.includes('/network-scripts/ifcfg-')) continue;
        fs.rmSync(path.join(dir, 'PWNED'), { force: true });
        const file = path.join(dir, 'f');
        fs.writeFileSync(file, f.content);
        const { vars, pwned } = bashVars(file, dir);
        assert.equal(pwned, false, `${p} ran a command:\n${f.content}`);
        assert.deepEqual(vars, assignments(f.content), `${p}:\n${f.content}`);
      }
    }),
    { numRuns: 200, seed: 7 },
  );
  fs.rmSync(dir, { recursive: true });
});

test('shellAssign refuses what its kind does not allow, and quotes spaces', () => {
  assert.equal(shellAssign('f', 'DOMAIN', 'a.example b.example', 'dns'), 'DOMAIN="a.example b.example"\n');
  assert.throws(() => shellAssign('f', 'DEVICE', 'eth0;id', 'ifname'), /f: DEVICE: refused "eth0;id"/);
  assert.throws(() => shellAssign('f', 'IPADDR', '$(id)', 'ipv4'), RenderError);
  assert.throws(() => shellAssign('f', 'bad key', 'x', 'word'), /not a variable name/);
});
