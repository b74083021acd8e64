// test-lane: full (network namespaces)
// Renames and bring-up on real veth NICs inside a network namespace the test creates
// and deletes: an eth0/eth1 swap and a three-way rotation finish with nothing left on a
// temporary name, a stale address is gone after bring-up, DHCP replaces a static
// address, and a rename onto a name held by a NIC outside the config is refused.
// Nothing here touches this machine's own interfaces: every `ip` runs with -n NS or
// inside `ip netns exec NS`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './helpers.js';
import { netnsUnavailable } from '../helpers/netns.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'netns-runner.js');

const skip = netnsUnavailable();

let seq = 0;
function withNs(fn: (ns: string, ipn: (...a: string[]) => string) => void): void {
  const ns = `nimbus-t${process.pid}-${seq++}`;
  const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ipn = (...a: string[]) => {
    const x = spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    assert.equal(x.status, 0, `ip -n ${ns} ${a.join(' ')}: ${x.stderr}`);
    return x.stdout;
  };
  try {
    fn(ns, ipn);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

function apply(ns: string, cfg: unknown): { result: { renamed: unknown[]; failed: string[]; tool: string }; log: string } {
  const root = tempRoot('nimbus-netns-root-');
  fs.mkdirSync(path.join(root, 'sys'));
  try {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'mount --bind /sys "$1/sys" && exec "$2" "$3" "$1" "$4"', 'sh', root, process.execPath, RUNNER, JSON.stringify(cfg)], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

interface Link {
  ifname: string;
  address: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[];
}
const links = (ipn: (...a: string[]) => string): Link[] => JSON.parse(ipn('-j', 'addr', 'show')) as Link[];
const byMac = (l: Link[], mac: string) => l.find((x) => x.address === mac);
const globals4 = (l: Link | undefined) => (l?.addr_info ?? []).filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);

const A = '02:00:00:5e:00:0a';
const B = '02:00:00:5e:00:0b';
const C = '02:00:00:5e:00:0c';

function veth(ipn: (...a: string[]) => string, name: string, mac: string, peer: string): void {
  ipn('link', 'add', name, 'address', mac, 'type', 'veth', 'peer', 'name', peer);
  ipn('link', 'set', peer, 'up');
}

test('eth0/eth1 swap by MAC finishes, with addresses, and nothing left on a temporary name', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    veth(ipn, 'eth1', B, 'p1');
    ipn('link', 'set', 'eth0', 'up');
    const out = apply(ns, {
      version: 1,
      config: [
        { type: 'physical', name: 'eth1', mac_address: A, subnets: [{ type: 'static', address: '10.61.0.1/24' }] },
        { type: 'physical', name: 'eth0', mac_address: B, subnets: [{ type: 'static', address: '10.62.0.1/24' }] },
      ],
    });
    assert.deepEqual(out.result.failed, [], out.log);
    const l = links(ipn);
    assert.equal(byMac(l, A)?.ifname, 'eth1');
    assert.equal(byMac(l, B)?.ifname, 'eth0');
    assert.deepEqual(globals4(byMac(l, A)), ['10.61.0.1/24']);
    assert.deepEqual(globals4(byMac(l, B)), ['10.62.0.1/24']);
    assert.deepEqual(
      l.filter((x) => /^(nimbustmp|cirename)/.test(x.ifname)),
      [],
    );
  });
});

test('a three-way rotation finishes; a name held by a NIC outside the config is refused', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    veth(ipn, 'eth1', B, 'p1');
    veth(ipn, 'eth2', C, 'p2');
    const out = apply(ns, {
      version: 1,
      config: [
        { type: 'physical', name: 'eth1', mac_address: A },
        { type: 'physical', name: 'eth2', mac_address: B },
        { type: 'physical', name: 'eth0', mac_address: C },
      ],
    });
    const l = links(ipn);
    assert.deepEqual(
      [A, B, C].map((m) => byMac(l, m)?.ifname),
      ['eth1', 'eth2', 'eth0'],
      out.log,
    );
    assert.deepEqual(
      l.filter((x) => x.ifname.startsWith('nimbustmp')),
      [],
    );
    // p0 is a NIC the config does not mention: eth1 cannot take its name.
    const out2 = apply(ns, { version: 1, config: [{ type: 'physical', name: 'p0', mac_address: A }] });
    assert.match(out2.log, /not renaming eth1 \(02:00:00:5e:00:0a\) -> p0: the name is taken by p0/);
    assert.equal(byMac(links(ipn), A)?.ifname, 'eth1');
  });
});

test('a stale address is flushed before the new one is set', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    ipn('addr', 'add', '192.0.2.99/24', 'dev', 'eth0');
    ipn('link', 'set', 'eth0', 'up');
    assert.deepEqual(globals4(byMac(links(ipn), A)), ['192.0.2.99/24']);
    const out = apply(ns, { version: 1, config: [{ type: 'physical', name: 'eth0', mac_address: A, subnets: [{ type: 'static', address: '10.63.0.5/24', gateway: '10.63.0.1' }] }] });
    assert.deepEqual(out.result.failed, [], out.log);
    assert.deepEqual(globals4(byMac(links(ipn), A)), ['10.63.0.5/24']);
    assert.match(ipn('-4', 'route', 'show', 'default'), /default via 10\.63\.0\.1 dev eth0/);
  });
});

test('DHCP replacing a static config leaves no old address behind', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    ipn('addr', 'add', '192.0.2.99/24', 'dev', 'eth0');
    ipn('link', 'set', 'eth0', 'up');
    const out = apply(ns, { version: 2, ethernets: { eth0: { match: { macaddress: A }, 'set-name': 'eth0', dhcp4: true } } });
    // No DHCP server answers in the namespace: what matters is the old address is gone
    // and the interface is up, waiting for a lease.
    const eth0 = byMac(links(ipn), A);
    assert.deepEqual(globals4(eth0), []);
    assert.match(ipn('link', 'show', 'eth0'), /[<,]UP[,>]/);
    assert.equal(out.result.tool, 'ip');
  });
});

test('with the ip tool a bridge is created, its port joins it, and the address goes on the bridge', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    ipn('addr', 'add', '192.0.2.99/24', 'dev', 'eth0');
    const out = apply(ns, {
      version: 1,
      config: [
        { type: 'physical', name: 'eth0', mac_address: A },
        { type: 'bridge', name: 'br0', bridge_interfaces: ['eth0'], subnets: [{ type: 'static', address: '10.64.0.2/24' }] },
      ],
    });
    assert.deepEqual(out.result.failed, [], out.log);
    const l = links(ipn);
    const br = l.find((x) => x.ifname === 'br0');
    assert.deepEqual(globals4(br), ['10.64.0.2/24']);
    assert.deepEqual(globals4(byMac(l, A)), [], 'the port keeps no address of its own');
    assert.match(ipn('link', 'show', 'eth0'), /master br0/);
  });
});

test('with the ip tool a second static address and routes without a gateway or netmask come up as written; an activation-mode: manual NIC stays down', { skip: skip ?? false }, () => {
  withNs((ns, ipn) => {
    veth(ipn, 'eth0', A, 'p0');
    veth(ipn, 'eth1', B, 'p1');
    ipn('link', 'set', 'eth1', 'up');
    const out = apply(ns, {
      network: {
        version: 2,
        ethernets: {
          eth0: {
            match: { macaddress: A },
            'set-name': 'eth0',
            addresses: ['10.65.0.2/24', '10.66.0.2/24'],
            routes: [{ to: '10.67.0.0/16' }, { to: '10.68.0.0', via: '10.65.0.1' }],
          },
          eth1: { match: { macaddress: B }, 'set-name': 'eth1', 'activation-mode': 'manual', addresses: ['10.69.0.2/24'] },
        },
      },
    });
    assert.deepEqual(out.result.failed, [], out.log);
    const l = links(ipn);
    assert.deepEqual(globals4(byMac(l, A)), ['10.65.0.2/24', '10.66.0.2/24']);
    const routes = ipn('-4', 'route', 'show', 'dev', 'eth0');
    assert.match(routes, /^10\.67\.0\.0\/16 scope link/m);
    assert.match(routes, /^10\.68\.0\.0\/24 via 10\.65\.0\.1/m);
    assert.doesNotMatch(ipn('link', 'show', 'eth1'), /[<,]UP[,>]/, 'eth1 stays down');
    assert.deepEqual(globals4(byMac(l, B)), []);
  });
});
