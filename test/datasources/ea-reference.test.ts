// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same stand-ins (on 127.0.0.1; the chroot shares this machine's
// network) read by cloud-init's own functions in the Debian 12 and 13 chroots and by
// nimbus. Exoscale: read_metadata's meta-data and user-data (its password URL cannot
// carry a test port, so the password server is compared in exoscale.test.ts only);
// AliYun (25.1 only: 22.4 reads ECS through the Ec2 datasource):
// convert_ecs_metadata_network_config on the stand-in's meta-data/all, the same MACs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { exoscaleDatasource } from '../../packages/core/src/datasources/exoscale.js';
import { aliYunDatasource } from '../../packages/core/src/datasources/aliyun.js';
import type { Datasource } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, testHost, testLogger } from './helpers.js';
import { exoscale } from './exoscale-fixtures.js';
import { AMACS, aliyun, metaAll } from './aliyun-fixtures.js';

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;
const MACS: Record<string, string> = { [AMACS[0]]: 'eth0', [AMACS[1]]: 'eth1' };

const PY = `
import base64, json, sys
from unittest import mock
exo_url, network, macs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
out = {}
from cloudinit.sources import DataSourceExoscale as ex
d = ex.read_metadata(metadata_url=exo_url, api_version="1.0", password_server_port=1, url_timeout=5, url_retries=0)
md = d["meta-data"]
out["exoscale"] = {"instance-id": md["instance-id"], "local-hostname": md["local-hostname"], "zone": md["availability-zone"],
    "public-keys": md["public-keys"], "user-data": base64.b64encode(d["user-data"]).decode()}
try:
    from cloudinit.sources.helpers import aliyun as ah
    out["aliyun"] = ah.convert_ecs_metadata_network_config(network, macs_to_nics=macs, fallback_nic="eth0", full_network_config=True)
except ImportError:
    pass
print(json.dumps(out))
`;

function python(root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/sbin/chroot', [root, '/usr/bin/python3', '-c', PY, ...args], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

async function nimbus(ds: Datasource, dmi: Record<string, string>, dsCfg: Record<string, unknown>) {
  const root = rootWithDmi(dmi);
  for (const [mac, name] of Object.entries(MACS)) addNic(root, name, mac);
  const { log } = testLogger();
  const r = await ds.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 10, retries: 1, max_wait: 30, ...dsCfg }, stage: ds.needs });
  assert.ok(r, ds.name);
  return r;
}

for (const [version, suite] of Object.entries(SUITES)) {
  const root = referenceRoot(suite);
  const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root}`;
  test(`cloud-init ${version} and nimbus read the same Exoscale metadata alike${version === '25.1' ? ', and convert the same ECS network metadata' : ''}`, { skip }, async () => {
    const e = await serve(exoscale('ok'));
    const a = await serve(aliyun('ok'));
    try {
      const ref = await python(root, [e.url, JSON.stringify(metaAll()['network']), JSON.stringify(MACS)]);
      assert.equal(ref.code, 0, ref.stderr);
      const py = JSON.parse(ref.stdout) as Record<string, Record<string, unknown>>;
      // Its password server: a port nothing listens on, so only the metadata is compared.
      const er = await nimbus(exoscaleDatasource, { product_name: 'Exoscale Compute Platform' }, { metadata_url: e.url, password_server_port: 1 });
      assert.equal(er.instanceId, py['exoscale']!['instance-id']);
      assert.equal(er.localHostname, py['exoscale']!['local-hostname']);
      assert.equal(er.availabilityZone, py['exoscale']!['zone']);
      assert.deepEqual(er.publicKeys, [py['exoscale']!['public-keys']]);
      assert.equal(Buffer.from(er.userdata!).toString('base64'), py['exoscale']!['user-data']);
      if (version === '25.1') {
        assert.ok(py['aliyun'], 'cloud-init 25.1 has the ECS network conversion');
        const ar = await nimbus(aliYunDatasource, { product_name: 'Alibaba Cloud ECS' }, { metadata_urls: [a.url] });
        assert.deepEqual(ar.networkConfig?.config, py['aliyun'], 'AliYun network config');
      }
    } finally {
      await e.close();
      await a.close();
    }
  });
}
