// The NWCS datasource against a stand-in of NWCS's metadata service on 127.0.0.1:
// instance id, hostname, keys, user-data, network config v1 renamed by MAC; and the
// service answering slowly, with 5xx, truncated, oversized, deeply nested and
// wrong-type answers, and a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nwcsDatasource, nwcsNetworkConfig } from '../../packages/core/src/datasources/nwcs.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { NIID, NK1, NMAC, NUSER, nwcs, nwcsDoc, type NwcsMode } from './nwcs-fixtures.js';

const facts = machineFacts;
const DMI = { sys_vendor: 'NWCS' };

test('detection table: NWCS by DMI sys_vendor, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor NWCS', facts({ sysVendor: 'NWCS' }), 'found'],
    ['NWCS only as the product', facts({ sysVendor: 'QEMU', productName: 'NWCS' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(nwcsDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'NWCS', 'Ec2', 'None']).datasources, ['NWCS', 'None']);
  assert.deepEqual(decideDatasources(rows[1]![1], ['NoCloud', 'NWCS', 'Ec2', 'None']).datasources, ['None']);
});

test('NWCS network config is v1 as given, each interface renamed to the NIC with its MAC', () => {
  const net = nwcsNetworkConfig(nwcsDoc()['network'], new Map([[NMAC, 'ens3']])) as { config: { name?: string }[] };
  assert.deepEqual(
    net.config.map((c) => c.name),
    ['ens3', undefined],
  );
  const kept = nwcsNetworkConfig(nwcsDoc()['network'], new Map()) as { config: { name?: string }[] };
  assert.equal(kept.config[0]?.name, 'eth0', 'a MAC on no NIC here keeps its name, as cloud-init');
  assert.throws(() => nwcsNetworkConfig({ config: [] }, new Map()), /network\.config: expected a non-empty list/);
});

async function read(mode: NwcsMode, dmi: Record<string, string> = DMI, extra: Record<string, unknown> = {}) {
  const srv = await serve(nwcs(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  addNic(root, 'ens3', NMAC);
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: `${srv.url}/api/v1/metadata`, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => nwcsDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('NWCS as documented: instance id, short hostname, keys, user-data, network config by MAC', async () => {
  const { value: r, error, seen } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'nwcs');
  assert.equal(r.platform, 'nwcs');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/metadata\)$/);
  assert.equal(r.instanceId, NIID);
  assert.equal(r.localHostname, 'nwcs-vm');
  assert.deepEqual(r.publicKeys, [NK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), NUSER);
  assert.equal(r.vendordata, null);
  assert.deepEqual(Object.keys(r.metadata), ['instance-id', 'public-keys', 'network', 'local-hostname']);
  assert.equal((r.networkConfig!.config as { config: { name: string }[] }).config[0]?.name, 'ens3');
  assert.deepEqual(seen, ['GET /api/v1/metadata']);
});

test('a machine that is not NWCS never asks; no network config is fallback networking', async () => {
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const bare = await read('no-network');
  assert.equal(bare.value?.networkConfig, null);
  assert.ok(bare.lines.some((l) => /no network config from .*network\.config: expected a non-empty list/.test(l)));
});

test('NWCS failures: 5xx, truncated, oversized, deeply nested, wrong-type answers and a redirect elsewhere are errors naming the URL; slow ends on the budget', async () => {
  const cases: [NwcsMode, RegExp][] = [
    ['500', /\/api\/v1\/metadata: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/api\/v1\/metadata: not valid JSON \(100 bytes\) at line 1 col 101/],
    ['oversized', /\/api\/v1\/metadata: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/api\/v1\/metadata: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/api\/v1\/metadata: expected a JSON object, got an array/],
    ['no-hostname', /\/api\/v1\/metadata: key hostname: expected a string/],
    ['redirect', /\/api\/v1\/metadata: HTTP 302 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const slow = await read('slow', DMI, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /NWCS metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
