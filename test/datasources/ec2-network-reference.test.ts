// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: cloud-init's own convert_ec2_metadata_network_config (Debian 12's 22.4
// and Debian 13's 25.1, in the reference chroots) and nimbus's ec2NetworkConfig on the
// same IMDS network tree and the same MAC → name map, without netplan (where 25.x adds
// policy routing, which nimbus does not yet: docs/compat.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ec2NetworkConfig } from '../../packages/core/src/datasources/ec2-network.js';
import { referenceRoot } from '../helpers/reference.js';

const PY = `
import inspect, json, sys, types
from cloudinit.sources import DataSourceEc2 as e
net, macs, fallback, full = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4] == "true"
f = e.convert_ec2_metadata_network_config
if "distro" in inspect.signature(f).parameters:
    out = f(net, types.SimpleNamespace(network_renderer=None), macs_to_nics=macs, fallback_nic=fallback, full_network_config=full)
else:
    out = f(net, macs_to_nics=macs, fallback_nic=fallback, full_network_config=full)
print(json.dumps(out))
`;

const M0 = '0e:49:61:0f:c3:11';
const M1 = '0e:01:02:03:04:05';
const M2 = '0e:aa:bb:cc:dd:ee';
// `only25`: 22.4 takes the route metric from device-number itself ((n+1) × 100), 25.x from the
// NIC's place in the order; nimbus follows 25.x (docs/compat.md).
const CASES: { what: string; network: unknown; nics: Record<string, string>; fallback: string; full: boolean; only25?: true }[] = [
  {
    what: 'two NICs, secondary IPv4 and IPv6 on the primary',
    network: {
      interfaces: {
        macs: {
          [M0]: { 'device-number': '0', 'local-ipv4s': ['10.0.0.5', '10.0.0.6'], 'subnet-ipv4-cidr-block': '10.0.0.0/20', ipv6s: ['2600:1f18::5', '2600:1f18::6'] },
          [M1]: { 'device-number': '1', 'local-ipv4s': '10.0.16.9', 'subnet-ipv4-cidr-block': '10.0.16.0/20' },
        },
      },
    },
    nics: { [M0]: 'ens5', [M1]: 'ens6' },
    fallback: 'ens5',
    full: true,
  },
  {
    what: 'device-number against MAC order, a NIC the machine lacks, one the tree lacks',
    network: {
      interfaces: { macs: { [M0]: { 'device-number': '2', 'local-ipv4s': '10.0.0.5' }, [M1]: { 'device-number': '0', 'local-ipv4s': '10.0.1.5', ipv6s: '2600::1' }, [M2]: { 'device-number': '1' } } },
    },
    nics: { [M0]: 'eth0', [M1]: 'eth1', '52:54:00:00:00:09': 'eth9' },
    fallback: 'eth0',
    full: true,
    only25: true,
  },
  {
    what: 'one NIC alone',
    network: { interfaces: { macs: { [M0]: { 'device-number': '0', 'local-ipv4s': ['10.0.0.5', '10.0.0.6', '10.0.0.7'], 'subnet-ipv4-cidr-block': '10.0.0.0/24' } } } },
    nics: { [M0]: 'eth0' },
    fallback: 'eth0',
    full: true,
  },
  {
    what: 'apply_full_imds_network_config false',
    network: { interfaces: { macs: { [M0]: { 'device-number': '0', ipv6s: '2600::5' }, [M1]: { 'device-number': '1' } } } },
    nics: { [M0]: 'eth0', [M1]: 'eth1' },
    fallback: 'eth0',
    full: false,
  },
];

for (const suite of ['bookworm', 'trixie'] as const) {
  const root = referenceRoot(suite);
  const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root}`;
  test(`cloud-init (${suite}) and nimbus build the same Ec2 network config from the same IMDS tree`, { skip }, () => {
    for (const c of CASES.filter((k) => suite === 'trixie' || !k.only25)) {
      const theirs = JSON.parse(
        execFileSync('/usr/sbin/chroot', [root, '/usr/bin/python3', '-c', PY, JSON.stringify(c.network), JSON.stringify(c.nics), c.fallback, String(c.full)], {
          encoding: 'utf8',
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
        }),
      ) as unknown;
      const ours = ec2NetworkConfig({ network: c.network, nics: new Map(Object.entries(c.nics)), full: c.full, fallbackNic: c.fallback, source: 'test' }).config;
      assert.deepEqual(ours, theirs, c.what);
    }
  });
}
