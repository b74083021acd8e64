// The AliYun datasource against a stand-in of Alibaba Cloud ECS's metadata service on
// 127.0.0.1: the token, instance id, hostname, keys, user- and vendor-data, network
// config v2 for the NICs by MAC; and the service refusing tokens, answering slowly,
// with 5xx, truncated, oversized, deeply nested and wrong-type answers, and a redirect
// to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliYunDatasource, aliyunKeys, aliyunNetworkConfig } from '../../packages/core/src/datasources/aliyun.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { AIID, AK1, AMACS, AUSER, AVENDOR, aliyun, metaAll, type AliYunMode } from './aliyun-fixtures.js';

const facts = machineFacts;
const DMI = { product_name: 'Alibaba Cloud ECS', sys_vendor: 'Alibaba Cloud' };
const MACS = new Map([
  [AMACS[0], 'eth0'],
  [AMACS[1], 'eth1'],
]);

test('detection table: AliYun by the DMI product name Alibaba Cloud ECS, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['product_name Alibaba Cloud ECS', facts({ productName: 'Alibaba Cloud ECS', sysVendor: 'Alibaba Cloud' }), 'found'],
    ['Alibaba only as the vendor', facts({ sysVendor: 'Alibaba Cloud', productName: 'KVM' }), 'not-found'],
    ['a KVM machine', facts({ sysVendor: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(aliYunDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'AliYun', 'Ec2', 'None']).datasources, ['AliYun', 'None']);
  assert.deepEqual(decideDatasources(rows[2]![1], ['NoCloud', 'AliYun', 'Ec2', 'None']).datasources, ['None']);
});

test('ECS network metadata becomes v2 as cloud-init builds it: DHCP on each listed NIC by MAC, route metrics, DHCPv6 with IPv6; keys in every shape', () => {
  const net = metaAll()['network'];
  assert.deepEqual(aliyunNetworkConfig(net, MACS, 'eth0', true), {
    version: 2,
    ethernets: {
      eth0: { dhcp4: true, 'dhcp4-overrides': { 'route-metric': 100 }, dhcp6: true, match: { macaddress: AMACS[0] }, 'set-name': 'eth0', 'dhcp6-overrides': { 'route-metric': 100 } },
      eth1: { dhcp4: true, 'dhcp4-overrides': { 'route-metric': 200 }, dhcp6: false, match: { macaddress: AMACS[1] }, 'set-name': 'eth1' },
    },
  });
  assert.deepEqual(aliyunNetworkConfig(net, new Map([[AMACS[1], 'eth1']]), 'eth1', true), {
    version: 2,
    ethernets: { eth1: { dhcp4: true, dhcp6: false, match: { macaddress: AMACS[1] }, 'set-name': 'eth1' } },
  });
  assert.deepEqual(aliyunNetworkConfig(net, MACS, 'eth1', false), { version: 2, ethernets: { eth1: { dhcp4: true, dhcp6: false, match: { macaddress: AMACS[1] }, 'set-name': 'eth1' } } });
  assert.throws(() => aliyunNetworkConfig({ interfaces: [] }, MACS, 'eth0', true), /network\.interfaces\.macs: expected an object keyed by MAC/);
  assert.deepEqual(aliyunKeys({ a: { 'openssh-key': `${AK1}\n` }, b: ['k2', 'k3'], c: 'k4 ' }), [AK1, 'k2', 'k3', 'k4']);
});

async function read(mode: AliYunMode, dmi: Record<string, string> = DMI, extra: Record<string, unknown> = {}) {
  const srv = await serve(aliyun(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  addNic(root, 'eth0', AMACS[0]);
  addNic(root, 'eth1', AMACS[1]);
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_urls: [srv.url], timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => aliYunDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('AliYun as documented: a token first, then instance id, hostname, keys, user- and vendor-data, network config by MAC', async () => {
  const { value: r, error, seen, lines } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'aliyun');
  assert.equal(r.platform, 'aliyun');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(r.instanceId, AIID);
  assert.equal(r.localHostname, 'iZbp1abcdefZ');
  assert.deepEqual(r.publicKeys, [AK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), AUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), AVENDOR);
  assert.equal(r.metadata['zone-id'], 'cn-hangzhou-i');
  assert.deepEqual(r.metadata['ram'], {}, 'the instance role keys are not in the public metadata');
  assert.deepEqual(r.sensitive, { 'meta-data': { ram: { 'security-credentials': { role: { AccessKeyId: 'x' } } } } }, 'but in the sensitive data, leaves decoded as EC2 leaves');
  assert.equal(r.networkConfig?.format, 'v2');
  assert.deepEqual(Object.keys((r.networkConfig!.config as { ethernets: object }).ethernets), ['eth0', 'eth1']);
  assert.deepEqual(seen, ['PUT /latest/api/token', 'GET /2016-01-01/user-data', 'GET /2016-01-01/vendor-data', 'GET /2016-01-01/meta-data/all']);
  assert.ok(!lines.some((l) => l.includes('AQAEAL-test-token')), 'the token is never logged');
});

test('a machine that is not AliYun never asks; no user- or vendor-data (404) is none; no network key is fallback networking', async () => {
  const other = await read('ok', { product_name: 'KVM' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const none = await read('no-user-data');
  assert.equal(none.value?.userdata, null);
  assert.equal(none.value?.vendordata, null);
  const bare = await read('no-network');
  assert.equal(bare.value?.networkConfig, null);
  assert.ok(bare.lines.some((l) => /no valid network key; fallback networking applies/.test(l)));
});

test('AliYun failures: tokens refused, 5xx, truncated, oversized, deeply nested, wrong-type answers and a redirect elsewhere are errors naming the URL; slow ends on the budget', async () => {
  const cases: [AliYunMode, RegExp][] = [
    ['token-403', /\/latest\/api\/token: HTTP 403: the ECS metadata service's HTTP endpoint is disabled/],
    ['500', /\/2016-01-01\/meta-data\/all: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/2016-01-01\/meta-data\/all: not valid JSON \(120 bytes\) at line 1 col 121/],
    ['oversized', /\/2016-01-01\/meta-data\/all: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/2016-01-01\/meta-data\/all: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/2016-01-01\/meta-data\/all: expected a JSON object, got an array/],
    ['redirect', /\/2016-01-01\/meta-data\/all: HTTP 302 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const slow = await read('slow', DMI, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /AliYun metadata service (not reachable|stopped answering): .*(no response within \d+ ms|time budget)/.test(l)));
});
