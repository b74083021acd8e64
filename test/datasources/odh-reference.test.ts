// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same stand-ins (on 127.0.0.1; the chroot shares this machine's
// network) read by cloud-init's own functions in the Debian 12 and 13 chroots and by
// nimbus. Oracle: read_opc_metadata (25.1 only: 22.4's has its address built in) and
// the metadata _get_data keeps; DigitalOcean: read_metadata and
// convert_network_configuration (the machine's MACs given to both); Hetzner:
// read_metadata, read_userdata and maybe_b64decode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { oracleDatasource } from '../../packages/core/src/datasources/oracle.js';
import { digitalOceanDatasource } from '../../packages/core/src/datasources/digitalocean.js';
import { hetznerDatasource } from '../../packages/core/src/datasources/hetzner.js';
import type { Datasource } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, testHost, testLogger } from './helpers.js';
import { oracle } from './oracle-fixtures.js';
import { PRIVATE_MAC, PUBLIC_MAC, digitalOcean } from './digitalocean-fixtures.js';
import { HSERIAL, hetzner } from './hetzner-fixtures.js';

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

const PY = String.raw`
import base64, json, sys
from unittest import mock
from cloudinit import sources
oracle_url, do_url, hz_url, macs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
out = {}
from cloudinit.sources import DataSourceOracle as o
if "metadata_patterns" in o.read_opc_metadata.__code__.co_varnames:
    r = o.read_opc_metadata(max_wait=10, timeout=5, metadata_patterns=[oracle_url + "/opc/v{version}/{path}/"])
    d = r.instance_data
    ud = d["metadata"].get("user_data")
    out["oracle"] = {
        "url": r.imds_url_used,
        "instance-id": d["id"], "zone": d["ociAdName"], "hostname": d["hostname"], "name": d["displayName"],
        "keys": sources.normalize_pubkey_data(d["metadata"].get("ssh_authorized_keys")),
        "user-data": base64.b64encode(base64.b64decode(ud)).decode() if ud else None,
    }
from cloudinit.sources.helpers import digitalocean as dh
md = dh.read_metadata(do_url, timeout=5, sec_between=0, retries=0)
with mock.patch.object(dh.cloudnet, "get_interfaces_by_mac", return_value=macs):
    net = dh.convert_network_configuration(md["interfaces"], md["dns"]["nameservers"])
out["do"] = {"instance-id": str(md["droplet_id"]), "hostname": md["hostname"], "zone": md.get("region", "default"),
    "keys": sources.normalize_pubkey_data(md.get("public_keys")), "user-data": md.get("user_data"), "vendor-data": md.get("vendor_data"), "net": net}
from cloudinit.sources.helpers import hetzner as hh
from cloudinit import util
b64 = getattr(util, "maybe_b64decode", None) or hh.maybe_b64decode
hmd = hh.read_metadata(hz_url + "/metadata", timeout=5, sec_between=0, retries=0)
hud = hh.read_userdata(hz_url + "/userdata", timeout=5, sec_between=0, retries=0)
out["hetzner"] = {"instance-id": str(hmd["instance-id"]), "hostname": hmd["hostname"], "keys": sources.normalize_pubkey_data(hmd.get("public-keys")),
    "vendor-data": hmd.get("vendor_data"), "user-data": base64.b64encode(b64(hud)).decode(), "net": hmd.get("network-config")}
print(json.dumps(out))
`;

function python(root: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/sbin/chroot', [root, '/usr/bin/python3', '-c', PY, ...args], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

async function nimbus(ds: Datasource, dmi: Record<string, string>, dsCfg: Record<string, unknown>, prepare: (root: string) => void = () => {}) {
  const root = rootWithDmi(dmi);
  prepare(root);
  const { log } = testLogger();
  const r = await ds.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 10, retries: 1, max_wait: 30, ...dsCfg }, stage: ds.needs });
  assert.ok(r, ds.name);
  const text = (b: Uint8Array | null) => (b ? Buffer.from(b).toString() : null);
  return { r, text };
}

for (const [version, suite] of Object.entries(SUITES)) {
  const root = referenceRoot(suite);
  const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root}`;
  test(`cloud-init ${version} and nimbus read the same Oracle, DigitalOcean and Hetzner metadata services alike`, { skip }, async () => {
    const [os, ds, hs] = await Promise.all([serve(oracle('ok')), serve(digitalOcean('ok')), serve(hetzner('b64-user-data'))]);
    try {
      const doUrl = `${ds.url}/metadata/v1.json`;
      const ref = await python(root, [os.url, doUrl, `${hs.url}/hetzner/v1`, JSON.stringify({ [PUBLIC_MAC]: 'ens3', [PRIVATE_MAC]: 'ens4' })]);
      assert.equal(ref.code, 0, ref.stderr);
      const want = JSON.parse(ref.stdout) as Record<string, Record<string, unknown>>;

      if (want['oracle']) {
        const { r } = await nimbus(oracleDatasource, { chassis_asset_tag: 'OracleCloud.com' }, { metadata_urls: [os.url] });
        const w = want['oracle'];
        assert.equal(r.subplatform, `metadata (${(w['url'] as string).replace(/instance\/$/, '')})`);
        assert.deepEqual(
          {
            id: r.instanceId,
            zone: r.availabilityZone,
            hostname: r.metadata['local-hostname'],
            name: r.metadata['name'],
            keys: r.publicKeys,
            ud: r.userdata && Buffer.from(r.userdata).toString('base64'),
          },
          { id: w['instance-id'], zone: w['zone'], hostname: w['hostname'], name: w['name'], keys: w['keys'], ud: w['user-data'] },
        );
      } else assert.equal(version, '22.4', 'only 22.4 lacks metadata_patterns');

      const d = await nimbus(digitalOceanDatasource, { sys_vendor: 'DigitalOcean', product_serial: '2756294' }, { metadata_url: doUrl }, (rt) => {
        addNic(rt, 'ens3', PUBLIC_MAC);
        addNic(rt, 'ens4', PRIVATE_MAC);
      });
      const wd = want['do']!;
      assert.deepEqual(
        { id: d.r.instanceId, hostname: d.r.localHostname, zone: d.r.availabilityZone, keys: d.r.publicKeys, ud: d.text(d.r.userdata), vd: d.text(d.r.vendordata), net: d.r.networkConfig?.config },
        { id: wd['instance-id'], hostname: wd['hostname'], zone: wd['zone'], keys: wd['keys'], ud: wd['user-data'], vd: wd['vendor-data'], net: wd['net'] },
      );

      const h = await nimbus(hetznerDatasource, { sys_vendor: 'Hetzner', product_serial: HSERIAL }, { metadata_url: `${hs.url}/hetzner/v1/metadata`, userdata_url: `${hs.url}/hetzner/v1/userdata` });
      const wh = want['hetzner']!;
      assert.deepEqual(
        {
          id: h.r.instanceId,
          hostname: h.r.localHostname,
          keys: h.r.publicKeys,
          vd: h.text(h.r.vendordata),
          ud: h.r.userdata && Buffer.from(h.r.userdata).toString('base64'),
          net: h.r.networkConfig?.config,
        },
        { id: wh['instance-id'], hostname: wh['hostname'], keys: wh['keys'], vd: wh['vendor-data'], ud: wh['user-data'], net: wh['net'] },
      );
    } finally {
      await Promise.all([os.close(), ds.close(), hs.close()]);
    }
  });
}
