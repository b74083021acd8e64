// The UpCloud datasource against a stand-in of UpCloud's metadata service on 127.0.0.1:
// instance id, hostname, zone, keys, user- and vendor-data, network config v1 for the
// NICs by MAC; and the service answering slowly, with 5xx, truncated, oversized, deeply
// nested and wrong-type answers, and a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upCloudDatasource, upcloudNetworkConfig } from '../../packages/core/src/datasources/upcloud.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { UK1, UMACS, UUID, UUSER, UVENDOR, upcloud, upcloudDoc, type UpCloudMode } from './upcloud-fixtures.js';

const facts = machineFacts;
const DMI = { sys_vendor: 'UpCloud', product_uuid: UUID.toUpperCase() };
const MACS = new Map(UMACS.map((m, i) => [m, `eth${i}`]));

test('detection table: UpCloud by DMI sys_vendor, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor UpCloud', facts({ sysVendor: 'UpCloud', productName: 'Cloud Server', productUuid: UUID }), 'found'],
    ['UpCloud only as the product', facts({ sysVendor: 'QEMU', productName: 'UpCloud' }), 'not-found'],
    ['a KVM machine', facts({ sysVendor: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(upCloudDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'UpCloud', 'Ec2', 'None']).datasources, ['UpCloud', 'None']);
  assert.deepEqual(decideDatasources(rows[2]![1], ['NoCloud', 'UpCloud', 'Ec2', 'None']).datasources, ['None']);
});

test('UpCloud interfaces become network config v1 as cloud-init builds it: DHCP, DHCPv6 stateless, static floating addresses, resolvers', () => {
  assert.deepEqual(upcloudNetworkConfig(upcloudDoc()['network'], MACS), {
    version: 1,
    config: [
      {
        type: 'physical',
        name: 'eth0',
        mac_address: UMACS[0],
        subnets: [{ type: 'dhcp' }, { type: 'static', control: 'auto', address: '94.237.105.50', netmask: '32' }],
      },
      { type: 'physical', name: 'eth1', mac_address: UMACS[1], subnets: [{ type: 'dhcp' }] },
      { type: 'physical', name: 'eth2', mac_address: UMACS[2], subnets: [{ type: 'ipv6_dhcpv6-stateless' }] },
      { type: 'nameserver', address: ['94.237.127.9', '94.237.40.9'] },
    ],
  });
  assert.throws(() => upcloudNetworkConfig(upcloudDoc()['network'], new Map([[UMACS[0], 'eth0']])), /network\.interfaces\[1\]\.mac: no network interface on this machine has MAC "3a:d6:ba:4a:84:cc"/);
  assert.throws(() => upcloudNetworkConfig({ interfaces: {} }, MACS), /network: expected an object with an interfaces list/);
});

async function read(mode: UpCloudMode, dmi: Record<string, string> = DMI, extra: Record<string, unknown> = {}) {
  const srv = await serve(upcloud(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  UMACS.forEach((m, i) => addNic(root, `ens${i + 3}`, m));
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: `${srv.url}/metadata/v1.json`, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => upCloudDatasource.find(ctx));
    const current = await upCloudDatasource.currentInstanceId!(ctx);
    return { ...r, lines, seen: srv.seen, current };
  } finally {
    await srv.close();
  }
}

test('UpCloud as documented: instance id, short hostname, region as the zone, keys, user- and vendor-data, network config by MAC', async () => {
  const { value: r, error, seen, current } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'upcloud');
  assert.equal(r.platform, 'upcloud');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/metadata\/v1\.json\)$/);
  assert.equal(r.instanceId, UUID);
  assert.equal(r.localHostname, 'test');
  assert.equal(r.availabilityZone, 'fi-hel2');
  assert.equal(r.region, undefined);
  assert.deepEqual(r.publicKeys, [UK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), UUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), UVENDOR);
  assert.deepEqual(Object.keys(r.metadata), ['instance-id', 'local-hostname', 'network', 'public-keys', 'availability_zone']);
  const net = r.networkConfig?.config as { config: { name?: string }[] };
  assert.deepEqual(
    net.config.map((c) => c.name),
    ['ens3', 'ens4', 'ens5', undefined],
  );
  assert.deepEqual(seen, ['GET /metadata/v1.json']);
  assert.equal(current, UUID, 'the cheap instance check reads the system UUID, lower case');
});

test('a machine that is not UpCloud never asks the metadata service; one without a system UUID is an error; no network is fallback networking', async () => {
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const noUuid = await read('ok', { sys_vendor: 'UpCloud' });
  assert.match(noUuid.error?.message ?? '', /UpCloud: DMI says UpCloud but gives no server id/);
  assert.deepEqual(noUuid.seen, []);
  const bare = await read('no-network');
  assert.equal(bare.value?.networkConfig, null);
  assert.equal(bare.value?.availabilityZone, 'default');
  assert.ok(bare.lines.some((l) => /has no network; fallback networking applies/.test(l)));
});

test('UpCloud failures: 5xx, truncated, oversized, deeply nested, wrong-type answers and a redirect elsewhere are errors naming the URL; slow ends on the budget', async () => {
  const cases: [UpCloudMode, RegExp][] = [
    ['500', /\/metadata\/v1\.json: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/metadata\/v1\.json: not valid JSON \(250 bytes\) at line 1 col 251/],
    ['oversized', /\/metadata\/v1\.json: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/metadata\/v1\.json: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/metadata\/v1\.json: expected a JSON object, got an array/],
    ['bad-user-data', /\/metadata\/v1\.json: key user_data: expected a string, got a list/],
    ['redirect', /\/metadata\/v1\.json: HTTP 302 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const slow = await read('slow', DMI, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /UpCloud metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
