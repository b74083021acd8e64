// The Oracle datasource against a stand-in of OCI's instance metadata service on
// 127.0.0.1: /opc/v2/ with `Authorization: Bearer Oracle`, /opc/v1/ when v2 is not there,
// instance id, availability domain, short hostname, SSH keys (text or list), base64
// user-data; and the service answering slowly, with 5xx, truncated, oversized and
// wrong-type answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleDatasource, oracleKeys } from '../../packages/core/src/datasources/oracle.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { OID, OK1, OK2, OUSER, oracle, type OracleMode } from './oracle-fixtures.js';
import { addNic } from '../helpers/boot.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

const facts = machineFacts;

test('detection table: Oracle by the DMI chassis asset tag OracleCloud.com, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['chassis asset tag OracleCloud.com', facts({ chassisAssetTag: 'OracleCloud.com', sysVendor: 'QEMU' }), 'found'],
    ['another asset tag', facts({ chassisAssetTag: 'OracleCloud.com.example' }), 'not-found'],
    ['a KVM machine', facts({ productName: 'Standard PC (Q35 + ICH9, 2009)', sysVendor: 'QEMU' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(oracleDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Ec2', 'Oracle', 'None']).datasources, ['Oracle', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { cmdline: 'ci.ds=Oracle' }), ['NoCloud', 'None']).datasources, ['Oracle', 'None']);
});

test('Oracle keys: the lines of a string, the items of a list, nothing else', () => {
  assert.deepEqual(oracleKeys(`${OK1}\n${OK2}\n`), [OK1, OK2]);
  assert.deepEqual(oracleKeys([OK2]), [OK2]);
  assert.deepEqual(oracleKeys(null), []);
});

async function read(mode: OracleMode, dmi: Record<string, string> = { chassis_asset_tag: 'OracleCloud.com' }, extra: Record<string, unknown> = {}) {
  const srv = await serve(oracle(mode));
  const { log, lines } = testLogger();
  try {
    const ctx = {
      host: testHost(rootWithDmi(dmi)),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_urls: [srv.url], timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => oracleDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('Oracle as documented: v2 with its header, id, availability domain, short hostname, keys, base64 user-data', async () => {
  const { value: r, error, seen } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'oracle');
  assert.equal(r.platform, 'oracle');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/opc\/v2\/\)$/);
  assert.equal(r.instanceId, OID);
  assert.equal(r.localHostname, 'web-1');
  assert.equal(r.availabilityZone, 'eu-frankfurt-1-ad-1');
  assert.equal(r.region, undefined, 'cloud-init 25.x sets no region for Oracle');
  assert.deepEqual(r.publicKeys, [OK1, OK2]);
  assert.equal(Buffer.from(r.userdata!).toString(), OUSER);
  assert.equal(r.networkConfig, null);
  assert.deepEqual(r.metadata, {
    'availability-zone': 'eu-frankfurt-1-ad-1',
    'instance-id': OID,
    'launch-index': 0,
    'local-hostname': 'web-1',
    name: 'web-1',
    public_keys: `${OK1}\n${OK2}\n`,
  });
  assert.deepEqual(seen, ['GET /opc/v2/instance/']);
});

test('Oracle without /opc/v2/ falls back to /opc/v1/, as cloud-init 25.x does', async () => {
  const { value: r, seen } = await read('v1-only');
  assert.ok(r);
  assert.match(r.subplatform, /\/opc\/v1\/\)$/);
  assert.equal(r.instanceId, OID);
  assert.deepEqual(seen, ['GET /opc/v2/instance/', 'GET /opc/v1/instance/']);
});

test('Oracle SSH keys given as a list are taken item by item', async () => {
  const { value: r } = await read('key-list');
  assert.deepEqual(r!.publicKeys, [OK2]);
  assert.equal(r!.userdata, null);
});

test('a machine that is not Oracle never asks the metadata service', async () => {
  const { value, seen } = await read('ok', { chassis_asset_tag: 'No Asset Tag' });
  assert.equal(value, null);
  assert.deepEqual(seen, []);
});

test('Oracle failures: truncated, oversized, non-object answers, a missing id and bad user-data are errors naming the URL; 5xx and slow are "not here" with a warning', async () => {
  const cases: [OracleMode, RegExp][] = [
    ['truncated', /\/opc\/v2\/instance\/: not valid JSON/],
    ['oversized', /\/opc\/v2\/instance\/: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['array', /\/opc\/v2\/instance\/: expected a JSON object, got an array/],
    ['no-id', /\/opc\/v2\/instance\/: key id: expected a non-empty string, got nothing/],
    ['bad-user-data', /\/opc\/v2\/instance\/: key metadata\.user_data: not base64/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const five = await read('500');
  assert.equal(five.value, null);
  assert.ok(five.lines.some((l) => /Oracle: no metadata service answered: .*\/opc\/v2\/instance\/: HTTP 500 .*\/opc\/v1\/instance\/: HTTP 500/.test(l)));
  assert.deepEqual(five.seen, ['GET /opc/v2/instance/', 'GET /opc/v2/instance/', 'GET /opc/v1/instance/', 'GET /opc/v1/instance/']);
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /Oracle: no metadata service answered: .*(no response within \d+ ms|time budget)/.test(l)));
});

/** Oracle's find on a machine with the primary's and the secondary's NICs, `configure_secondary_nics` as given. */
async function readVnics(mode: OracleMode, secondary: boolean, prep: (root: string) => void = () => {}) {
  const srv = await serve(oracle(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi({ chassis_asset_tag: 'OracleCloud.com' });
  addNic(root, 'ens3', '02:00:17:05:d1:db');
  addNic(root, 'ens5', '02:00:17:08:8c:51');
  prep(root);
  try {
    const dsCfg = { metadata_urls: [srv.url], timeout: 10, retries: 1, max_wait: 30, configure_secondary_nics: secondary };
    const r = await settle(() => oracleDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg, stage: 'net' }));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('configure_secondary_nics: the VNICs from /opc/v2/vnics/ (with the v2 header) are the network config: the primary by DHCP, the secondary static, MTU 9000', async () => {
  const { value: r, error, seen, lines } = await readVnics('ok', true);
  assert.equal(error, undefined);
  assert.deepEqual(seen, ['GET /opc/v2/instance/', 'GET /opc/v2/vnics/']);
  assert.equal(r?.networkConfig?.format, 'v1');
  assert.match(r!.networkConfig!.source, /\/opc\/v2\/vnics\/$/);
  assert.deepEqual(r?.networkConfig?.config, {
    version: 1,
    config: [
      { name: 'ens3', type: 'physical', mac_address: '02:00:17:05:d1:db', mtu: 9000, subnets: [{ type: 'dhcp' }] },
      {
        name: 'ens5',
        type: 'physical',
        mac_address: '02:00:17:08:8c:51',
        mtu: 9000,
        subnets: [
          { type: 'static', address: '10.0.4.5/24' },
          { type: 'static', address: '2603:c020:400d:5d7e:aacc:8e5f:3b1b:3a4a/64' },
        ],
      },
    ],
  });
  // The third VNIC's NIC is not on this machine: skipped with a warning.
  assert.ok(lines.some((l) => l.includes('Oracle: VNIC 2: no interface with MAC 02:00:17:0f:00:01 here; skipped')));
});

test('without configure_secondary_nics the VNICs are not asked and fallback networking applies; v1 is asked without the header', async () => {
  const off = await readVnics('ok', false);
  assert.equal(off.value?.networkConfig, null);
  assert.deepEqual(off.seen, ['GET /opc/v2/instance/']);
  const v1 = await readVnics('v1-only', true);
  assert.deepEqual(v1.seen.slice(-2), ['GET /opc/v1/instance/', 'GET /opc/v1/vnics/']);
  assert.equal((v1.value!.networkConfig!.config as { config: unknown[] }).config.length, 2);
});

test('VNICs that are not a list, or an iSCSI root, leave fallback networking with a warning saying why', async () => {
  const bad = await readVnics('bad-vnics', true);
  assert.equal(bad.error, undefined);
  assert.equal(bad.value?.networkConfig, null);
  assert.ok(bad.lines.some((l) => /Oracle: .*\/opc\/v2\/vnics\/: expected a non-empty list of VNICs; fallback networking applies/.test(l)));
  const iscsi = await readVnics('ok', true, (root) => {
    fs.mkdirSync(path.join(root, 'run'), { recursive: true });
    fs.writeFileSync(path.join(root, 'run/net-ens3.conf'), "DEVICE='ens3'\nPROTO='dhcp'\n");
  });
  assert.equal(iscsi.value?.networkConfig, null);
  assert.ok(!iscsi.seen.includes('GET /opc/v2/vnics/'));
  assert.ok(iscsi.lines.some((l) => l.includes("not supported: an iSCSI root's initramfs network config")));
});
