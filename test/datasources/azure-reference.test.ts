// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the same Azure documents through nimbus's readers and through cloud-init's
// own functions (Python in the Debian 12 and 13 chroots): ovf-env.xml → meta-data,
// user-data and config; IMDS network metadata → network config v2; the goal state; the
// health report documents (ready and failure) byte for byte; the failure encoding; the
// gen1 VM id byte swap. Whole boots of cloud-init against the stand-in are not compared
// yet (docs/datasources.md says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { referenceRoot } from '../helpers/reference.js';
import { networkConfigFromImds } from '../../packages/core/src/datasources/azure/imds.js';
import { ovfConfig, parseOvfEnv } from '../../packages/core/src/datasources/azure/ovf.js';
import { encodeFailure, healthReport, parseGoalState } from '../../packages/core/src/datasources/azure/wireserver.js';
import { byteSwapUuid } from '../../packages/core/src/datasources/azure/identity.js';
import { GOAL_STATE, VM_UUID, imdsDoc, ovfEnv } from './azure/fixtures.js';

const SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;

// Runs cloud-init's functions on the inputs; prints their results as JSON.
const PY = String.raw`
import base64, json, sys
from cloudinit.sources import DataSourceAzure as az
from cloudinit.sources.helpers import azure as h
inp = json.load(sys.stdin)
out = {}
out["ovf"] = []
for text in inp["ovfs"]:
    md, ud, cfg = az.read_azure_ovf(text)
    for k in ("PreprovisionedVm", "PreprovisionedVMType", "ProvisionGuestProxyAgent"):
        cfg.pop(k, None)
    cfg.pop("_pubkeys", None)
    out["ovf"].append({"md": md, "ud": base64.b64encode(ud if isinstance(ud, bytes) else ud.encode()).decode(), "cfg": cfg})
az.determine_device_driver_for_mac = lambda mac: None
try:
    out["net"] = az.generate_network_config_from_instance_network_metadata(inp["network"], apply_network_config_for_secondary_ips=True)
except TypeError:  # 22.4: always with the secondary addresses
    out["net"] = az.generate_network_config_from_instance_network_metadata(inp["network"])
gs = h.GoalState(inp["goalstate"], None, need_certificate=False)
out["gs"] = {"incarnation": gs.incarnation, "containerId": gs.container_id, "instanceId": gs.instance_id}
rep = h.GoalStateHealthReporter(gs, None, "168.63.129.16")
text = lambda d: d.decode() if isinstance(d, bytes) else d  # 22.4 returns str
out["ready"] = text(rep.build_report(gs.incarnation, gs.container_id, gs.instance_id, "Ready"))
out["failed"] = text(rep.build_report(gs.incarnation, gs.container_id, gs.instance_id, "NotReady", substatus="ProvisioningFailed", description=inp["description"]))
try:
    from cloudinit.sources.azure import errors, identity
    out["encoded"] = errors.encode_report(inp["fields"])
    out["swapped"] = identity.byte_swap_system_uuid(inp["uuid"])
except ImportError:
    pass
print(json.dumps(out))
`;

function missing(root: string): string | false {
  if (process.getuid?.() !== 0) return 'the reference chroot needs root';
  return fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root} (bash scripts/reference/cloud-init-ref.sh setup)`;
}

for (const [version, suite] of Object.entries(SUITES)) {
  const root = referenceRoot(suite);
  test(`cloud-init ${version} reads ovf-env.xml, IMDS network metadata and the goal state as nimbus does, and builds the same health reports`, { skip: missing(root) }, () => {
    // Without a password (cloud-init hashes one with a random salt; the hash itself is checked against openssl in azure.test).
    const ovfs = [ovfEnv({ password: null }), ovfEnv({ password: 'REDACTED', disableSsh: 'false' }), ovfEnv({ password: null, disableSsh: '', customData: '' })];
    const description = "result=error|reason=a <b> & 'c'|" + 'x'.repeat(600);
    const fields: [string, string][] = [
      ['result', 'error'],
      ['reason', "a|b 'c'"],
      ['agent', 'x'],
    ];
    const input = { ovfs, network: imdsDoc()['network'], goalstate: GOAL_STATE, description, fields: fields.map(([k, v]) => `${k}=${v}`), uuid: VM_UUID };
    const r = spawnSync('/usr/sbin/chroot', [root, '/usr/bin/python3', '-c', PY], { input: JSON.stringify(input), encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, unknown> & { ovf: { md: unknown; ud: string; cfg: unknown }[] };
    ovfs.forEach((text, i) => {
      const ovf = parseOvfEnv(text, 'ovf-env.xml')!;
      const cfg = ovfConfig(ovf, () => 'unused');
      assert.deepEqual({ 'local-hostname': ovf.hostname }, ref.ovf[i]?.md, `ovf ${i} meta-data`);
      assert.equal(Buffer.from(ovf.customData ?? new Uint8Array()).toString('base64'), ref.ovf[i]?.ud, `ovf ${i} user-data`);
      assert.deepEqual(cfg, ref.ovf[i]?.cfg, `ovf ${i} config`);
    });
    const net = networkConfigFromImds(imdsDoc()['network'], true, []) as { ethernets: Record<string, Record<string, Record<string, unknown>>> };
    // 25.x turned DNS off on secondary NICs; 22.4 did not (docs/compat.md: nimbus follows 25.x).
    if (version === '22.4') for (const e of Object.values(net.ethernets)) for (const k of ['dhcp4-overrides', 'dhcp6-overrides']) delete e[k]?.['use-dns'];
    assert.deepEqual(net, ref['net']);
    const gs = parseGoalState(GOAL_STATE, 'goalstate');
    assert.deepEqual(gs, ref['gs']);
    assert.equal(healthReport(gs, 'Ready'), ref['ready']);
    assert.equal(healthReport(gs, 'NotReady', { substatus: 'ProvisioningFailed', description }), ref['failed']);
    if ('encoded' in ref) assert.equal(encodeFailure(fields), ref['encoded']);
    if ('swapped' in ref) assert.equal(byteSwapUuid(VM_UUID), ref['swapped']);
  });
}
