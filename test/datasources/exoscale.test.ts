// The Exoscale datasource against stand-ins of Exoscale's metadata service and password
// server on 127.0.0.1: instance id, hostname, zone, keys, user-data, the password given
// once and acknowledged (set_passwords runs again for it); and the services answering
// slowly, with 5xx, truncated, oversized and wrong answers, and a redirect elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exoscaleDatasource, passwordUrl } from '../../packages/core/src/datasources/exoscale.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { put, rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { EIID, EK1, EPASSWORD, EUSER, exoscale, passwordServer, type ExoscaleMode, type PasswordMode } from './exoscale-fixtures.js';

const facts = machineFacts;
const DMI = { product_name: 'Exoscale Compute Platform', sys_vendor: 'Exoscale' };

test('detection table: Exoscale by a DMI product name starting with Exoscale, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['product_name Exoscale Compute Platform', facts({ productName: 'Exoscale Compute Platform' }), 'found'],
    ['product_name Exoscale', facts({ productName: 'Exoscale' }), 'found'],
    ['Exoscale only as the vendor', facts({ sysVendor: 'Exoscale', productName: 'KVM' }), 'not-found'],
    ['a CloudStack machine', facts({ productName: 'CloudStack KVM Hypervisor' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(exoscaleDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Exoscale', 'Ec2', 'None']).datasources, ['Exoscale', 'None']);
  assert.deepEqual(decideDatasources(rows[3]![1], ['NoCloud', 'Exoscale', 'Ec2', 'None']).datasources, ['None']);
});

test('the password server is the metadata host on its own port', () => {
  assert.equal(passwordUrl('http://169.254.169.254', 8080, '1.0'), 'http://169.254.169.254:8080/1.0/');
  assert.equal(passwordUrl('http://127.0.0.1:4321', 9999, 'latest'), 'http://127.0.0.1:9999/latest/');
});

async function read(mode: ExoscaleMode, pwMode: PasswordMode = 'ok', dmi: Record<string, string> = DMI, extra: Record<string, unknown> = {}, prepare: (root: string) => void = () => {}) {
  const md = await serve(exoscale(mode));
  const asks: string[] = [];
  const pwHandler = passwordServer(pwMode);
  const pw = await serve((req, res) => {
    asks.push(String(req.headers['domu_request']));
    pwHandler(req, res);
  });
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  prepare(root);
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: md.url, password_server_port: Number(new URL(pw.url).port), timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => exoscaleDatasource.find(ctx));
    return { ...r, lines, seen: md.seen, asks, root };
  } finally {
    await md.close();
    await pw.close();
  }
}

test('Exoscale as documented: instance id, hostname, zone, keys, user-data, and the password given once and acknowledged', async () => {
  const { value: r, error, seen, asks, lines } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'exoscale');
  assert.equal(r.platform, 'exoscale');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(r.instanceId, EIID);
  assert.equal(r.localHostname, 'exo-vm-1');
  assert.equal(r.availabilityZone, 'ch-gva-2');
  assert.equal(r.region, undefined);
  assert.deepEqual(r.publicKeys, [EK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), EUSER);
  assert.equal(r.networkConfig, null);
  assert.equal(r.metadata['service-offering'], 'standard.small');
  assert.deepEqual(r.config, { ssh_pwauth: true, password: EPASSWORD, chpasswd: { expire: false } });
  assert.ok(!JSON.stringify(r.metadata).includes(EPASSWORD), 'the password is not metadata');
  assert.ok(!lines.some((l) => l.includes(EPASSWORD)), 'nor in the log');
  assert.deepEqual(asks, ['send_my_password', 'saved_password']);
  assert.deepEqual(seen.slice(0, 3), ['GET /1.0/meta-data/instance-id', 'GET /1.0/user-data', 'GET /1.0/meta-data/']);
});

test('a password already saved, or none, gives no password config; a password clears set_passwords’ semaphore so it applies', async () => {
  for (const m of ['saved', 'empty'] as const) {
    const { value: r, asks } = await read('ok', m);
    assert.equal(r?.config, undefined, m);
    assert.deepEqual(asks, ['send_my_password'], `${m}: nothing to acknowledge`);
  }
  const sem = `var/lib/cloud/instances/${EIID}/sem/config_set_passwords`;
  const { value: r, root } = await read('ok', 'ok', DMI, {}, (root) => put(root, sem, 'ran before'));
  assert.equal(r?.config?.['password'], EPASSWORD);
  assert.equal(fs.existsSync(path.join(root, sem)), false);
});

test('a password server that fails is an error in the log; the instance is read without a password', async () => {
  const { value: r, lines } = await read('ok', '500');
  assert.equal(r?.instanceId, EIID);
  assert.equal(r?.config, undefined);
  assert.ok(lines.some((l) => /Exoscale: failed to read the password server http:\/\/127\.0\.0\.1:\d+\/1\.0\/: .*HTTP 500/.test(l)));
});

test('a machine that is not Exoscale never asks; no user-data (404) is none', async () => {
  const other = await read('ok', 'ok', { product_name: 'KVM' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  assert.deepEqual(other.asks, []);
  const none = await read('no-user-data');
  assert.equal(none.value?.userdata, null);
});

test('Exoscale failures: 5xx, a listing without the instance id, oversized answers and a redirect elsewhere are errors naming the URL; slow ends on the budget', async () => {
  const cases: [ExoscaleMode, RegExp][] = [
    ['500', /\/1\.0\/meta-data\/instance-id: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated-listing', /\/1\.0\/meta-data\/instance-id: expected the instance id, got undefined/],
    ['no-iid', /\/1\.0\/meta-data\/instance-id: expected the instance id, got ""/],
    ['oversized', /\/1\.0\/meta-data\/: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['redirect', /\/1\.0\/meta-data\/instance-id: HTTP 301 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error, asks } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
    assert.deepEqual(asks, [], `${mode}: the password is not asked for a broken instance`);
  }
  const slow = await read('slow', 'ok', DMI, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /Exoscale metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
