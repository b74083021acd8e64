// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same VNIC lists and MAC → name map through cloud-init's own
// _add_network_config_from_opc_imds (22.4's and 25.1's Python, this machine's python3 on
// the chroots' packages, with the primary set as on a machine without an iSCSI root) and
// through nimbus's oracleVnicConfig. IPv4 VNICs: the same config. A secondary with IPv6:
// 22.4 leaves the address out, 25.1 gives it the IPv4 subnet's prefix; nimbus gives it
// its own subnet's (docs/compat.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { oracleVnicConfig } from '../../packages/core/src/datasources/oracle-vnics.js';
import { VNICS } from './oracle-fixtures.js';

const PY = `
import json, sys
from unittest import mock
from cloudinit.sources import DataSourceOracle as O
vnics, macs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ds = O.DataSourceOracle.__new__(O.DataSourceOracle)
ds._vnics_data = vnics
ds._network_config = {"version": 1, "config": []}
with mock.patch.object(O, "get_interfaces_by_mac", return_value=macs):
    ds._add_network_config_from_opc_imds(set_primary=True)
print(json.dumps(ds._network_config))
`;

const MACS: Record<string, string> = { '02:00:17:05:d1:db': 'ens3', '02:00:17:08:8c:51': 'ens5' };
const ipv4Only = VNICS.map(({ ipv6SubnetCidrBlock: _a, ipv6Addresses: _b, ...v }: Record<string, unknown>) => v);

function reference(pkgs: string, vnics: unknown): unknown {
  const py = spawnSync(PYTHON3, ['-c', PY, JSON.stringify(vnics), JSON.stringify(MACS)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pkgs } });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout) as unknown;
}

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

for (const [version, suite] of Object.entries(SUITES)) {
  const pkgs = path.join(referenceRoot(suite), 'usr/lib/python3/dist-packages');
  const skip = fs.existsSync(path.join(pkgs, 'cloudinit/sources/DataSourceOracle.py')) ? false : `reference cloud-init not set up at ${referenceRoot(suite)}`;
  test(`cloud-init ${version} and nimbus make the same network config of Oracle's VNICs, but for a secondary's IPv6 prefix`, { skip }, () => {
    const names = new Map(Object.entries(MACS));
    assert.deepEqual(
      oracleVnicConfig(ipv4Only, names, () => {}),
      reference(pkgs, ipv4Only),
      'IPv4 VNICs',
    );
    const ours = oracleVnicConfig(VNICS, names, () => {});
    const ref = reference(pkgs, VNICS) as typeof ours;
    const v6 = (c: typeof ours) => ((c.config[1] ?? {})['subnets'] as { address: string }[]).filter((s) => s.address.includes(':')).map((s) => s.address);
    assert.deepEqual(v6(ours), ['2603:c020:400d:5d7e:aacc:8e5f:3b1b:3a4a/64']);
    assert.deepEqual(v6(ref), version === '22.4' ? [] : ['2603:c020:400d:5d7e:aacc:8e5f:3b1b:3a4a/24']);
    const withoutV6 = (c: typeof ours) => c.config.map((e) => ({ ...e, subnets: (e['subnets'] as { address?: string }[]).filter((s) => !s.address?.includes(':')) }));
    assert.deepEqual(withoutV6(ours), withoutV6(ref), 'everything else');
  });
}
