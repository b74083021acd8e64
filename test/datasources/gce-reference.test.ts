// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same stand-in of Google's metadata server (on 127.0.0.1; the chroot
// shares this machine's network) read by cloud-init's own read_md and key filter in the
// Debian 12 and 13 chroots and by nimbus: instance-id, zone, region, short hostname,
// the keys the default user gets, user-data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { gceDatasource } from '../../packages/core/src/datasources/gce.js';
import { rootWithDmi, serve, testHost, testLogger } from './helpers.js';
import { gce } from './gce-fixtures.js';

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

const PY = String.raw`
import base64, json, sys
from types import SimpleNamespace
from cloudinit.sources import DataSourceGCE as g
r = g.read_md(address=sys.argv[1], url_params=SimpleNamespace(num_retries=0, sec_between_retries=0), platform_check=False)
md = r["meta-data"]
out = {
    "success": r["success"],
    "instance-id": md["instance-id"],
    "zone": md["availability-zone"],
    "region": md["availability-zone"].rsplit("-", 1)[0],
    "hostname": md["local-hostname"].split(".")[0],
    "keys": g._parse_public_keys(md["public-keys-data"], "debian"),
    "user-data": base64.b64encode(r["user-data"]).decode() if r["user-data"] is not None else None,
}
print(json.dumps(out))
`;

function python(root: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/sbin/chroot', [root, '/usr/bin/python3', '-c', PY, url], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

for (const [version, suite] of Object.entries(SUITES)) {
  const root = referenceRoot(suite);
  const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root}`;
  test(`cloud-init ${version} and nimbus read the same GCE metadata server alike`, { skip }, async () => {
    const srv = await serve(gce('ok'));
    try {
      const url = `${srv.url}/computeMetadata/v1/`;
      const ref = await python(root, url);
      assert.equal(ref.code, 0, ref.stderr);
      const want = JSON.parse(ref.stdout) as Record<string, unknown>;
      const { log } = testLogger();
      const r = await gceDatasource.find({
        host: testHost(rootWithDmi({ product_name: 'Google Compute Engine' })),
        log,
        cfg: { system_info: { default_user: { name: 'debian' } } },
        dsCfg: { metadata_url: url },
        stage: 'net',
      });
      assert.ok(r);
      assert.equal(want['success'], true);
      assert.deepEqual(
        {
          'instance-id': r.instanceId,
          zone: r.availabilityZone,
          region: r.region,
          hostname: r.localHostname,
          keys: r.publicKeys,
          'user-data': r.userdata ? Buffer.from(r.userdata).toString('base64') : null,
        },
        { 'instance-id': want['instance-id'], zone: want['zone'], region: want['region'], hostname: want['hostname'], keys: want['keys'], 'user-data': want['user-data'] },
      );
    } finally {
      await srv.close();
    }
  });
}
