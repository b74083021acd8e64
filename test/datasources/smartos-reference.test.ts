// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: one SmartOS zone stand-in (a V2 server on a Unix socket in the test's
// temp root) read by cloud-init's own JoyentMetadataSocketClient and
// convert_smartos_network_data (22.4's and 25.1's Python, run by this machine's
// python3 on the chroots' packages) and by nimbus: the same value for every key it
// reads and the same network config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { SMARTOS_JSON_KEYS, SMARTOS_KEYS, smartOsDatasource } from '../../packages/core/src/datasources/smartos.js';
import { dsContext, put, tempDir, testHost, testLogger } from './helpers.js';
import { METADATA, smartosStandIn } from './smartos-standin.js';

const PY = `
import json, sys
from cloudinit.sources import DataSourceSmartOS as S
c = S.JoyentMetadataSocketClient(sys.argv[1])
c.open_transport()
md = {}
for name, (key, strip) in S.SMARTOS_ATTRIB_MAP.items():
    md[name] = c.get(key, strip=strip)
for name, key in S.SMARTOS_ATTRIB_JSON.items():
    md[name] = c.get_json(key)
c.close_transport()
nc = S.convert_smartos_network_data(network_data=md["network-data"], dns_servers=md["dns_servers"], dns_domain=md["dns_domain"], routes=md["routes"])
print(json.dumps({"md": md, "nc": nc}))
`;

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

for (const [version, suite] of Object.entries(SUITES)) {
  const pkgs = path.join(referenceRoot(suite), 'usr/lib/python3/dist-packages');
  const skip = fs.existsSync(path.join(pkgs, 'cloudinit/sources/DataSourceSmartOS.py')) ? false : `reference cloud-init not set up at ${referenceRoot(suite)}`;
  test(`cloud-init ${version} and nimbus read the same SmartOS zone socket alike: every key and the network config`, { skip }, async () => {
    const root = tempDir();
    put(root, 'proc/sys/kernel/version', 'BrandZ virtual linux\n');
    const sock = path.join(root, 'native/.zonecontrol/metadata.sock');
    fs.mkdirSync(path.dirname(sock), { recursive: true });
    // 22.4 does not know `addrconf` (it makes it a static address named "addrconf"); 25.x
    // makes it dhcp6, as nimbus does (docs/compat.md). 22.4 is compared without it.
    const nics = version === '22.4' ? METADATA['sdc:nics']!.replace(', "addrconf"', '').replace(',"addrconf"', '') : METADATA['sdc:nics']!;
    const standIn = await smartosStandIn(sock, { metadata: { ...METADATA, 'sdc:nics': nics, hostname: '  padded-name \n', 'sdc:vendor-data': '#cloud-config\n' } });
    try {
      const py = spawnSync(PYTHON3, ['-c', PY, sock], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pkgs } });
      assert.equal(py.status, 0, py.stderr);
      const ref = JSON.parse(py.stdout) as { md: Record<string, unknown>; nc: unknown };
      const { log, lines } = testLogger();
      const r = await smartOsDatasource.find(dsContext(testHost(root), { serial_timeout: 20 }, log, 'local'));
      assert.ok(r, lines.join('\n'));
      // local-hostname and vendor-data get cloud-init's fallbacks after the read; the read values are compared.
      for (const [name] of SMARTOS_KEYS.filter(([n]) => n !== 'local-hostname' && n !== 'vendor-data')) assert.deepEqual(r.metadata[name], ref.md[name], name);
      for (const [name] of SMARTOS_JSON_KEYS) assert.deepEqual(r.metadata[name], ref.md[name], name);
      assert.equal(r.localHostname, ref.md['local-hostname'], 'the hostname key, stripped');
      assert.deepEqual(r.networkConfig?.config, ref.nc, 'network config');
    } finally {
      standIn.stop();
    }
  });
}
