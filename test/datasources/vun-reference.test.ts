// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same stand-ins (on 127.0.0.1; the chroot shares this machine's
// network) read by cloud-init's own functions in the Debian 12 and 13 chroots and by
// nimbus, with the same MACs on the machine. Vultr: read_metadata,
// refactor_metadata (25.1) and generate_network_config; UpCloud: read_metadata and
// convert_network_config; NWCS: read_metadata and its renaming by MAC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { vultrDatasource } from '../../packages/core/src/datasources/vultr.js';
import { upCloudDatasource } from '../../packages/core/src/datasources/upcloud.js';
import { nwcsDatasource } from '../../packages/core/src/datasources/nwcs.js';
import type { Datasource } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, testHost, testLogger } from './helpers.js';
import { VPRIVATE_MAC, VPUBLIC_MAC, vultr } from './vultr-fixtures.js';
import { UMACS, UUID, upcloud } from './upcloud-fixtures.js';
import { NMAC, nwcs } from './nwcs-fixtures.js';

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;
const MACS: Record<string, string> = { [VPUBLIC_MAC]: 'ens3', [VPRIVATE_MAC]: 'ens7', [UMACS[0]]: 'eth0', [UMACS[1]]: 'eth1', [UMACS[2]]: 'eth2', [NMAC]: 'ens9' };

const PY = `
import json, sys
from unittest import mock
vultr_url, uc_url, nwcs_url, macs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
out = {}
from cloudinit.sources.helpers import vultr as vh
md = json.loads(vh.read_metadata(vultr_url, 5, 0, 0, "cloud-init-reference"))
if hasattr(vh, "refactor_metadata"):
    vh.refactor_metadata(md)
    out["vultr-md"] = {"instance-id": md["instance-id"], "local-hostname": md["local-hostname"], "region": md["region"]}
with mock.patch.object(vh, "get_interface_map", return_value=macs):
    out["vultr"] = vh.generate_network_config(md["interfaces"])
from cloudinit.sources.helpers import upcloud as uh
umd = uh.read_metadata(uc_url, timeout=5, sec_between=0, retries=0)
with mock.patch.object(uh.cloudnet, "get_interfaces_by_mac", return_value=macs):
    out["upcloud"] = uh.convert_network_config(umd["network"])
out["upcloud-md"] = {"instance-id": umd["instance_id"], "zone": umd.get("region", "default"), "keys": umd["public_keys"]}
from cloudinit.sources import DataSourceNWCS as nw
nmd = nw.read_metadata(nwcs_url, timeout=5, sec_between=0, retries=0)
with mock.patch.object(nw.net, "get_interfaces_by_mac", return_value=macs):
    for i in nmd["network"]["config"]:
        name = nw.get_interface_name(i.get("mac_address"))
        if name:
            i["name"] = name
out["nwcs"] = nmd["network"]
out["nwcs-md"] = {"instance-id": nmd["instance-id"], "keys": nmd["public-keys"]}
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
  test(`cloud-init ${version} and nimbus read the same Vultr, UpCloud and NWCS metadata services alike`, { skip }, async () => {
    const v = await serve(vultr('ok'));
    const u = await serve(upcloud('ok'));
    const n = await serve(nwcs('ok'));
    try {
      const ref = await python(root, [v.url, `${u.url}/metadata/v1.json`, `${n.url}/api/v1/metadata`, JSON.stringify(MACS)]);
      assert.equal(ref.code, 0, ref.stderr);
      const py = JSON.parse(ref.stdout) as Record<string, Record<string, unknown>>;
      const vr = await nimbus(vultrDatasource, { sys_vendor: 'Vultr' }, { url: v.url });
      assert.deepEqual(vr.networkConfig?.config, py['vultr'], 'Vultr network config');
      if (py['vultr-md']) {
        assert.equal(vr.instanceId, py['vultr-md']['instance-id']);
        assert.equal(vr.localHostname, py['vultr-md']['local-hostname']);
        assert.equal(vr.region, py['vultr-md']['region']);
      }
      const ur = await nimbus(upCloudDatasource, { sys_vendor: 'UpCloud', product_uuid: UUID }, { metadata_url: `${u.url}/metadata/v1.json` });
      assert.deepEqual(ur.networkConfig?.config, py['upcloud'], 'UpCloud network config');
      assert.equal(ur.instanceId, py['upcloud-md']!['instance-id']);
      assert.equal(ur.availabilityZone, py['upcloud-md']!['zone']);
      assert.deepEqual(ur.publicKeys, py['upcloud-md']!['keys']);
      const nr = await nimbus(nwcsDatasource, { sys_vendor: 'NWCS' }, { metadata_url: `${n.url}/api/v1/metadata` });
      assert.deepEqual(nr.networkConfig?.config, py['nwcs'], 'NWCS network config');
      assert.equal(nr.instanceId, py['nwcs-md']!['instance-id']);
      assert.deepEqual(nr.publicKeys, py['nwcs-md']!['keys']);
    } finally {
      await v.close();
      await u.close();
      await n.close();
    }
  });
}
