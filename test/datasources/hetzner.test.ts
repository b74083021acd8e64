// The Hetzner datasource against a stand-in of Hetzner Cloud's metadata service on
// 127.0.0.1: instance-id checked against the DMI serial, hostname, keys, vendor-data,
// user-data (plain or base64), network config v1 from its YAML; and the service
// answering slowly, with 5xx, truncated, oversized and wrong-type answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hetznerDatasource, maybeBase64 } from '../../packages/core/src/datasources/hetzner.js';
import { normalizeKeys } from '../../packages/core/src/datasources/cloud-meta.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { HK1, HMAC, HSERIAL, HUSER, HVENDOR, hetzner, type HetznerMode } from './hetzner-fixtures.js';

const facts = machineFacts;

test('detection table: Hetzner by DMI sys_vendor, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor Hetzner', facts({ sysVendor: 'Hetzner', productName: 'vServer', productSerial: HSERIAL }), 'found'],
    ['sys_vendor Hetzner Online (a dedicated server is not Hetzner Cloud)', facts({ sysVendor: 'Hetzner Online GmbH' }), 'not-found'],
    ['a KVM machine', facts({ productName: 'Standard PC (Q35 + ICH9, 2009)', sysVendor: 'QEMU' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(hetznerDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Hetzner', 'Ec2', 'None']).datasources, ['Hetzner', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { cmdline: 'ci.ds=Hetzner' }), ['NoCloud', 'None']).datasources, ['Hetzner', 'None']);
});

test('Hetzner user-data is base64-decoded only when it is strictly base64; keys from a string, list or mapping', () => {
  const enc = (s: string) => new Uint8Array(Buffer.from(s));
  assert.equal(Buffer.from(maybeBase64(enc(Buffer.from(HUSER).toString('base64')))).toString(), HUSER);
  assert.equal(Buffer.from(maybeBase64(enc(HUSER))).toString(), HUSER);
  assert.equal(Buffer.from(maybeBase64(enc('YWJj\n'))).toString(), 'YWJj\n', 'a newline is not strict base64');
  assert.deepEqual(normalizeKeys([HK1]), [HK1]);
  assert.deepEqual(normalizeKeys(`${HK1}\n`), [HK1]);
  assert.deepEqual(normalizeKeys({ a: HK1, b: ['k2', ''] }), [HK1, 'k2']);
});

async function read(mode: HetznerMode, dmi: Record<string, string> = { sys_vendor: 'Hetzner', product_serial: HSERIAL }, extra: Record<string, unknown> = {}) {
  const srv = await serve(hetzner(mode));
  const { log, lines } = testLogger();
  try {
    const ctx = {
      host: testHost(rootWithDmi(dmi)),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: `${srv.url}/hetzner/v1/metadata`, userdata_url: `${srv.url}/hetzner/v1/userdata`, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => hetznerDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('Hetzner as documented: instance-id matching the DMI serial, hostname, keys, vendor- and user-data, network config v1', async () => {
  const { value: r, error, seen } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'hetzner');
  assert.equal(r.platform, 'hetzner');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/hetzner\/v1\/metadata\)$/);
  assert.equal(r.instanceId, HSERIAL);
  assert.equal(r.localHostname, 'my-server');
  assert.equal(r.availabilityZone, undefined, 'cloud-init 25.x does not take availability-zone or region from Hetzner');
  assert.equal(r.region, undefined);
  assert.deepEqual(r.publicKeys, [HK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), HUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), HVENDOR);
  assert.equal(r.networkConfig?.format, 'v1');
  const net = r.networkConfig?.config as { version: number; config: { mac_address: string; subnets: unknown[] }[] };
  assert.equal(net.version, 1);
  assert.equal(net.config[0]?.mac_address, HMAC);
  assert.equal(net.config[0]?.subnets.length, 2);
  assert.deepEqual(Object.keys(r.metadata), ['instance-id', 'local-hostname', 'network-config', 'public-keys']);
  assert.equal(r.metadata['instance-id'], Number(HSERIAL));
  assert.deepEqual(seen, ['GET /hetzner/v1/metadata', 'GET /hetzner/v1/userdata']);
});

test('Hetzner base64 user-data is decoded, as cloud-init’s maybe_b64decode', async () => {
  const { value: r } = await read('b64-user-data');
  assert.equal(Buffer.from(r!.userdata!).toString(), HUSER);
});

test('a machine that is not Hetzner never asks the metadata service; a Hetzner one without a serial is an error', async () => {
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const noSerial = await read('ok', { sys_vendor: 'Hetzner' });
  assert.match(noSerial.error?.message ?? '', /Hetzner Cloud detected, but no serial found/);
  assert.deepEqual(noSerial.seen, []);
});

test('Hetzner failures: 5xx, truncated, oversized, non-mapping YAML, a serial mismatch and non-string vendor-data are errors naming the URL; no network-config is fallback networking; slow ends on the budget', async () => {
  const cases: [HetznerMode, RegExp][] = [
    ['500', /\/hetzner\/v1\/metadata: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/hetzner\/v1\/metadata:\d+:\d+: unexpected end of the stream/],
    ['oversized', /\/hetzner\/v1\/metadata: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['list', /\/hetzner\/v1\/metadata: expected a YAML mapping, got a list/],
    ['serial-mismatch', /\/hetzner\/v1\/metadata: SMBIOS serial "12345678" does not match instance-id "999" from metadata/],
    ['vendor-list', /\/hetzner\/v1\/metadata: key vendor_data: expected a string/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const bare = await read('no-network');
  assert.equal(bare.value?.networkConfig, null);
  assert.ok(bare.lines.some((l) => /has no network-config; fallback networking applies/.test(l)));
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /Hetzner metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
