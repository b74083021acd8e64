// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same CloudSigma server contexts through cloud-init's own
// DataSourceCloudSigma (22.4's and 25.1's Python, run by this machine's python3 on the
// chroots' packages, its serial reader given the context) and through nimbus's
// cloudsigmaResult: instance-id, hostname, SSH key, user-data (base64 or not),
// vendor-data, dsmode and the metadata.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { cloudsigmaResult } from '../../packages/core/src/datasources/cloudsigma.js';

const PY = `
import json, sys
from unittest import mock
from cloudinit import helpers
from cloudinit.sources import DataSourceCloudSigma as C
out = []
for ctx in json.loads(sys.stdin.read()):
    ds = C.DataSourceCloudSigma({}, None, helpers.Paths({}))
    ds.cepko = mock.Mock()
    ds.cepko.all.return_value = mock.Mock(result=ctx)
    # 22.4 checks DMI inside _get_data (25.x in ds_detect): this is CloudSigma.
    ds.is_running_in_cloudsigma = lambda: True
    assert ds._get_data()
    ud = ds.userdata_raw
    out.append({
        "instance-id": ds.get_instance_id(),
        "hostname": ds.get_hostname().hostname,
        "keys": ds.get_public_ssh_keys(),
        "userdata": ud.decode() if isinstance(ud, bytes) else ud,
        "vendordata": ds.vendordata_raw,
        "dsmode": ds.dsmode,
        "metadata": ds.metadata,
    })
print(json.dumps(out))
`;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CONTEXTS = [
  {
    uuid: '65b2fb23-8c03-4187-a3ba-8b7c919e8890',
    name: 'test server_1.example',
    meta: { 'cloudinit-user-data': b64('#cloud-config\nruncmd: [echo sigma]\n'), base64_fields: 'cloudinit-user-data', ssh_public_key: 'ssh-rsa AAAAB3Nza sigma@cloud' },
    vendor_data: { location: 'zrh', cloudinit: '#cloud-config\npackages: [htop]\n' },
  },
  {
    uuid: 'a1b2c3d4-0000-4187-a3ba-8b7c919e8890',
    name: 'ünïcode (name)',
    meta: { 'cloudinit-user-data': '#cloud-config\nhostname: plain\n', 'cloudinit-dsmode': 'local', ssh_public_key: 'ssh-ed25519 AAAAC3Nz two@cloud' },
  },
  { uuid: 'f00dcafe-1111-2222-3333-444455556666', name: 'x'.repeat(70), meta: { 'cloudinit-dsmode': 'net', ssh_public_key: 'ssh-ed25519 AAAAC3Nz three@cloud' }, vendor_data: {} },
];

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

for (const [version, suite] of Object.entries(SUITES)) {
  const pkgs = path.join(referenceRoot(suite), 'usr/lib/python3/dist-packages');
  const skip = fs.existsSync(path.join(pkgs, 'cloudinit/sources/DataSourceCloudSigma.py')) ? false : `reference cloud-init not set up at ${referenceRoot(suite)}`;
  test(`cloud-init ${version} and nimbus map the same CloudSigma server contexts alike`, { skip }, () => {
    const py = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(CONTEXTS), encoding: 'utf8', env: { ...process.env, PYTHONPATH: pkgs } });
    assert.equal(py.status, 0, py.stderr);
    const refs = JSON.parse(py.stdout) as Record<string, unknown>[];
    CONTEXTS.forEach((ctx, i) => {
      const ref = refs[i] as Record<string, unknown>;
      const r = cloudsigmaResult(ctx, '/dev/ttyS1');
      const text = (b: Uint8Array | null) => (b === null ? '' : Buffer.from(b).toString());
      assert.equal(r.instanceId, ref['instance-id'], `${i}: instance-id`);
      assert.equal(r.localHostname, ref['hostname'], `${i}: hostname`);
      assert.deepEqual(r.publicKeys, ref['keys'], `${i}: keys`);
      // cloud-init keeps "" for no user-data; nimbus has none (null).
      assert.equal(text(r.userdata), ref['userdata'] ?? '', `${i}: user-data`);
      assert.equal(r.vendordata === null ? null : text(r.vendordata), ref['vendordata'] ?? null, `${i}: vendor-data`);
      assert.equal(r.dsmode, ref['dsmode'], `${i}: dsmode`);
      assert.deepEqual(r.metadata, ref['metadata'], `${i}: metadata`);
    });
  });
}
