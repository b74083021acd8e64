// test-lane: full (the reference chroot, 25.1)
// Differential of a whole Azure read: Debian 13's cloud-init (25.1) runs its own
// DataSourceAzure._get_data in the chroot — ephemeral DHCP stubbed out (nimbus has
// none), DMI and the IMDS and wireserver addresses pointed at the same stand-in on
// 127.0.0.1 — and nimbus reads the same stand-in. Both must give the same instance-data
// v1 values, hostname, keys, user-data, config and network config, and send the
// wireserver the same requests: the ready report byte for byte, and the failure report
// the same but for the agent name and the time. Scratch files go to a temp directory
// inside the chroot, removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { azureDatasource } from '../../packages/core/src/datasources/azure.js';
import { dsContext, put, rootWithDmi, serve, testHost, testLogger } from './helpers.js';
import { VM_UUID, ovfEnv, standIn, wireRequests, type ImdsMode, type Recorded } from './azure/fixtures.js';

const ROOT = referenceRoot('trixie');
const TAG = '7783-7084-3265-9085-8269-3286-77';

const PY = String.raw`
import base64, json, logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
from cloudinit import dmi, distros, helpers
from cloudinit.sources import DataSourceAzure as az
from cloudinit.sources.azure import imds, kvp
base, wire, work = sys.argv[1:4]
imds.IMDS_URL = base + "/metadata"
vals = {"chassis-asset-tag": "${TAG}", "system-uuid": "${VM_UUID}", "system-product-name": "Virtual Machine", "system-manufacturer": "Microsoft Corporation"}
dmi.read_dmi_data = lambda key: vals.get(key)
az.report_dmesg_to_kvp = lambda: None
# Debian 13 has neither crypt nor passlib for Python 3.13: cloud-init fails an ovf-env.xml with a password there.
az.blowfish_hash = lambda password: "HASH"
kvp.report_success_to_host = lambda: True
kvp.report_failure_to_host = lambda error: True
az.get_hv_netvsc_macs_normalized = lambda: []
az.determine_device_driver_for_mac = lambda mac: None
paths = helpers.Paths({"cloud_dir": work + "/cloud", "run_dir": work + "/run"})
distro = distros.fetch("debian")("debian", {}, paths)
ds = az.DataSourceAzure({"datasource": {"Azure": {"data_dir": work + "/waagent"}}}, distro, paths)
ds._wireserver_endpoint = wire
ds._route_configured_for_imds = True
ds._setup_ephemeral_networking = lambda *a, **k: None
ds._is_ephemeral_networking_up = lambda: True
ds._teardown_ephemeral_networking = lambda: None
ok = ds._get_data()
cfg = ds.get_config_obj()
for k in ("PreprovisionedVm", "PreprovisionedVMType", "ProvisionGuestProxyAgent", "_pubkeys", "disk_setup", "fs_setup"):
    cfg.pop(k, None)
du = cfg.get("system_info", {}).get("default_user", {})
if "hashed_passwd" in du:
    du["hashed_passwd"] = "HASH"
out = {"ok": ok}
if ok:
    out.update({
        "instanceId": ds.get_instance_id(),
        "localHostname": ds.metadata["local-hostname"],
        "publicKeys": ds.get_public_ssh_keys(),
        "userdata": base64.b64encode(ds.userdata_raw or b"").decode(),
        "region": ds.region,
        "availabilityZone": ds.availability_zone,
        "subplatform": ds._get_subplatform(),
        "cloudName": ds.cloud_name,
        "platform": ds.platform_type,
        "config": cfg,
        "network": ds.network_config,
    })
print(json.dumps(out))
`;

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/sbin/chroot',
      [ROOT, '/usr/bin/python3', '-c', PY, ...args],
      { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(ROOT, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${ROOT}`;

/** The wireserver requests as the platform sees them: method, URL, the headers that matter, the body. */
function wireView(reqs: Recorded[], normalize: (b: string) => string = (b) => b) {
  return reqs.map((r) => ({ method: r.method, url: r.url, agent: r.headers['x-ms-agent-name'], version: r.headers['x-ms-version'], type: r.headers['content-type'], body: normalize(r.body) }));
}

async function both(mode: ImdsMode) {
  const s = standIn(mode);
  const srv = await serve(s.handler);
  const work = fs.mkdtempSync(path.join(ROOT, 'tmp/nimbus-azure-'));
  try {
    const inChroot = `/tmp/${path.basename(work)}`;
    fs.mkdirSync(path.join(work, 'cloud/seed/azure'), { recursive: true });
    fs.writeFileSync(path.join(work, 'cloud/seed/azure/ovf-env.xml'), ovfEnv());
    const wire = new URL(srv.url).host;
    const ref = await python([srv.url, wire, inChroot]);
    assert.equal(ref.code, 0, ref.stderr);
    const refWire = wireRequests(s);
    s.requests.length = 0;
    const root = rootWithDmi({ chassis_asset_tag: TAG, product_uuid: VM_UUID, sys_vendor: 'Microsoft Corporation' });
    put(root, 'var/lib/cloud/seed/azure/ovf-env.xml', ovfEnv());
    const { log } = testLogger();
    const mine = await azureDatasource.find(dsContext(testHost(root), { metadata_urls: [srv.url], wireserver_endpoint: wire, timeout: 5, retries: 1, max_wait: 20 }, log, 'net'));
    return { ref: JSON.parse(ref.stdout) as Record<string, unknown>, refLog: ref.stderr, refWire, mine, mineWire: wireRequests(s) };
  } finally {
    await srv.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

test('cloud-init 25.1 and nimbus read the same Azure alike and send the wireserver the same ready report', { skip }, async () => {
  const { ref, refLog, refWire, mine, mineWire } = await both('ok');
  assert.equal(ref['ok'], true, refLog);
  assert.ok(mine);
  const config = JSON.parse(JSON.stringify(mine.config)) as { system_info: { default_user: Record<string, unknown> } };
  config.system_info.default_user['hashed_passwd'] = 'HASH';
  assert.deepEqual(
    {
      instanceId: mine.instanceId,
      localHostname: mine.localHostname,
      publicKeys: mine.publicKeys,
      userdata: Buffer.from(mine.userdata ?? new Uint8Array()).toString('base64'),
      region: mine.region,
      availabilityZone: mine.availabilityZone,
      subplatform: mine.subplatform.replace('/var/lib/cloud/seed/azure', 'SEED'),
      cloudName: mine.cloudName,
      platform: mine.platform,
      config,
      network: mine.networkConfig?.config,
    },
    { ...Object.fromEntries(Object.entries(ref).filter(([k]) => k !== 'ok')), subplatform: String(ref['subplatform']).replace(/\/tmp\/nimbus-azure-[^/]+\/cloud\/seed\/azure/, 'SEED') },
  );
  assert.deepEqual(wireView(mineWire), wireView(refWire));
});

test('cloud-init 25.1 and nimbus send the same failure report when IMDS answers with a truncated document', { skip }, async () => {
  const { ref, refLog, refWire, mine, mineWire } = await both('truncated');
  assert.equal(ref['ok'], true, refLog);
  assert.ok(mine);
  // The description differs only in the agent, the time and the words of the error (Python's repr, nimbus's message).
  const normalize = (b: string) =>
    b
      .replace(/agent=[^|]*/, 'agent=AGENT')
      .replace(/timestamp=[^|]*/, 'timestamp=TIME')
      .replace(/\|'?exception=.*?'?(?=\|vm_id=)/, '|exception=EXCEPTION');
  assert.deepEqual(wireView(mineWire, normalize), wireView(refWire, normalize));
});
