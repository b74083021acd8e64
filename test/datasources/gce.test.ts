// The GCE datasource against a stand-in of Google's metadata server on 127.0.0.1
// (every request must carry Metadata-Flavor: Google): instance id, zone, hostname,
// instance and project SSH keys (the default user's and cloudinit's, unexpired,
// project keys blocked on request), user-data (base64 or not); and the server
// answering slowly, with 5xx, truncated, oversized and wrong-type answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gceDatasource, gceKeyLines, keyExpired, parseGceKeys } from '../../packages/core/src/datasources/gce.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { K1, K2, KEXP, KLIVE, KPROJ, NOW, gce, type Mode } from './gce-fixtures.js';

test('GCE keys: the default user’s and cloudinit’s, unexpired, ASCII only', () => {
  const lines = [`debian:${K1}`, `cloudinit:${K2}`, `bob:${KPROJ}`, `debian:${KEXP}`, `debian:${KLIVE}`, 'no-colon', `debian:ssh-rsa AAAA é`];
  assert.deepEqual(parseGceKeys(lines, 'debian', NOW), [K1, K2, KLIVE]);
  assert.deepEqual(parseGceKeys(lines, null, NOW), [K2]);
  assert.equal(keyExpired(KEXP, NOW), true);
  assert.equal(keyExpired(KLIVE, NOW), false);
  assert.equal(keyExpired('ssh-rsa AAAA google-ssh {"expireOn":"tomorrow"}', NOW), false);
  assert.equal(keyExpired('ssh-rsa AAAA google-ssh {"expireOn":"2020-01-01T00:00:00"}', NOW), false, 'no offset: not parsed, never expires (as strptime %z)');
});

test('GCE key lines: instance keys, plus the project’s unless blocked or the legacy sshKeys is set', () => {
  assert.deepEqual(gceKeyLines({ 'ssh-keys': 'a:1' }, { 'ssh-keys': 'b:2', sshKeys: 'c:3' }), ['a:1', 'b:2', 'c:3']);
  assert.deepEqual(gceKeyLines({ 'ssh-keys': 'a:1', 'block-project-ssh-keys': 'TRUE' }, { 'ssh-keys': 'b:2' }), ['a:1']);
  assert.deepEqual(gceKeyLines({ sshKeys: 'l:0', 'ssh-keys': 'a:1' }, { 'ssh-keys': 'b:2' }), ['l:0', 'a:1']);
});

const facts = machineFacts;

test('detection table: GCE by DMI product name or serial, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['product name Google Compute Engine', facts({ productName: 'Google Compute Engine', sysVendor: 'Google' }), 'found'],
    ['product name Google', facts({ productName: 'Google' }), 'found'],
    ['serial GoogleCloud-', facts({ productSerial: 'GoogleCloud-1234ABCD' }), 'found'],
    ['a KVM machine', facts({ productName: 'Standard PC (Q35 + ICH9, 2009)', sysVendor: 'QEMU' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(gceDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Azure', 'GCE', 'Ec2', 'None']).datasources, ['GCE', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { cmdline: 'ci.ds=GCE' }), ['NoCloud', 'None']).datasources, ['GCE', 'None']);
});

async function read(mode: Mode, dmi: Record<string, string> = { product_name: 'Google Compute Engine' }, extra: Record<string, unknown> = {}) {
  const srv = await serve(gce(mode));
  const { log, lines } = testLogger();
  try {
    const ctx = {
      host: testHost(rootWithDmi(dmi)),
      log,
      cfg: { system_info: { default_user: { name: 'debian' } } },
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: `${srv.url}/computeMetadata/v1/`, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => gceDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('GCE as documented: id, short hostname, zone and region, keys of the default user and cloudinit, base64 user-data', async () => {
  const { value: r, error, seen } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'gce');
  assert.equal(r.platform, 'gce');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/computeMetadata\/v1\/\)$/);
  assert.equal(r.instanceId, '8812345678901234567');
  assert.equal(r.localHostname, 'vm-1');
  assert.equal(r.availabilityZone, 'europe-west1-b');
  assert.equal(r.region, 'europe-west1');
  assert.deepEqual(r.publicKeys, [K1, K2]);
  assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo gce]\n');
  assert.deepEqual(seen, [
    'GET /computeMetadata/v1/instance/id',
    'GET /computeMetadata/v1/instance/zone',
    'GET /computeMetadata/v1/instance/hostname',
    'GET /computeMetadata/v1/instance/attributes/?recursive=True',
    'GET /computeMetadata/v1/project/attributes/?recursive=True',
  ]);
  assert.equal((r.metadata['instance-data'] as Record<string, unknown>)['user-data'], undefined);
});

test('GCE user-data with an unknown encoding is taken as is, with a warning', async () => {
  const { value: r, lines } = await read('plain-user-data');
  assert.equal(Buffer.from(r!.userdata!).toString(), '#cloud-config\n{}\n');
  assert.ok(lines.some((l) => /unknown user-data-encoding: "rot13"/.test(l)));
});

test('a machine that is not GCE never asks the metadata server', async () => {
  const { value, seen } = await read('ok', { product_name: 'KVM' });
  assert.equal(value, null);
  assert.deepEqual(seen, []);
});

test('GCE failures: a missing required key is "not GCE"; 5xx, truncated, oversized or non-object attributes are errors naming the URL; slow ends on the budget', async () => {
  const noZone = await read('no-zone');
  assert.equal(noZone.value, null);
  assert.ok(noZone.lines.some((l) => /required key availability-zone .*instance\/zone\) returned nothing/.test(l)));
  const cases: [Mode, RegExp][] = [
    ['500', /instance\/id: HTTP 503 \(gave up after 2 attempts\)/],
    ['truncated', /instance\/attributes\/\?recursive=True: not valid JSON/],
    ['oversized', /larger than the \d+ allowed/],
    ['array', /instance\/attributes\/\?recursive=True: expected a JSON object of attributes/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /GCE metadata server not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
