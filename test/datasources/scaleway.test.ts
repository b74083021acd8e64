// The Scaleway datasource against a stand-in of Scaleway's metadata service on
// 127.0.0.1 that hands user-data and vendor-data only to a privileged source port:
// instance id, hostname, keys (listed and AUTHORIZED_KEY tags), user- and vendor-data
// (404 is none, 429 is asked again from the next port), network config v2 or v1 for the
// fallback NIC; and the service answering slowly, with 5xx, truncated, oversized,
// deeply nested and wrong-type answers, and a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dhcpAddressOf, scalewayDatasource, scalewayNetworkConfig } from '../../packages/core/src/datasources/scaleway.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { put, rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { SID, SK1, SK_TAG, SUSER, SVENDOR, conf, scaleway, type ScalewayMode } from './scaleway-fixtures.js';

const facts = machineFacts;
// Binding a source port below 1024 is what only root can do: the point of the protocol.
const rootSkip = process.getuid?.() === 0 ? false : 'a privileged source port needs root';

test('detection table: Scaleway by DMI sys_vendor, `scaleway` on the kernel command line, or /var/run/scaleway', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor Scaleway', facts({ sysVendor: 'Scaleway', productName: 'SCW-DEV1-S' }), 'found'],
    ['scaleway on the command line', facts({ sysVendor: 'QEMU' }, { cmdline: 'initrd=initrd showopts scaleway nousb' }), 'found'],
    ['/var/run/scaleway', facts({}, { markerFiles: ['/var/run/scaleway'] }), 'found'],
    ['scaleway only inside a word', facts({}, { cmdline: 'root=LABEL=scaleway-root' }), 'not-found'],
    ['a KVM machine', facts({ sysVendor: 'QEMU', productName: 'Standard PC (i440FX + PIIX, 1996)' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(scalewayDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Scaleway', 'Ec2', 'None']).datasources, ['Scaleway', 'None']);
  assert.deepEqual(decideDatasources(rows[4]![1], ['NoCloud', 'Scaleway', 'Ec2', 'None']).datasources, ['None']);
});

test('Scaleway network config: v2 with the DHCP address and the route to 169.254.42.42, other addresses static; v1 for a server with a private IP', () => {
  const md = conf();
  assert.equal(dhcpAddressOf(md), '51.15.1.2');
  assert.deepEqual(scalewayNetworkConfig(md, 'ens2', '51.15.1.2'), {
    version: 2,
    ethernets: {
      ens2: {
        dhcp4: true,
        addresses: ['51.15.9.9/32', '2001:bc8:1234::1/64'],
        routes: [
          { 'on-link': true, to: '169.254.42.42/32', via: '62.210.0.1' },
          { via: '2001:bc8:1234::', to: '::/0' },
        ],
      },
    },
  });
  const unmarked = { ...md, public_ips: (md['public_ips'] as Record<string, unknown>[]).map(({ provisioning_mode: _, ...ip }) => ip) };
  assert.equal(dhcpAddressOf(unmarked), '51.15.1.2', 'without provisioning_mode: the first IPv4 address');
  assert.deepEqual(scalewayNetworkConfig({ ...md, private_ip: '10.1.2.3', ipv6: { address: '2001:bc8:1::42', gateway: '2001:bc8:1::', netmask: '127' } }, 'ens2', null), {
    version: 1,
    config: [
      {
        type: 'physical',
        name: 'ens2',
        subnets: [{ type: 'dhcp4' }, { type: 'static', address: '2001:bc8:1::42', netmask: '127', routes: [{ network: '::', prefix: '0', gateway: '2001:bc8:1::' }] }],
      },
    ],
  });
  assert.throws(() => scalewayNetworkConfig({ public_ips: 'x' }, 'ens2', null), /public_ips: expected a list/);
  assert.throws(() => scalewayNetworkConfig({ public_ips: [{ netmask: '32' }] }, 'ens2', null), /public_ips\[0\]: expected an object with an address string/);
});

async function read(mode: ScalewayMode, dmi: Record<string, string> = { sys_vendor: 'Scaleway' }, extra: Record<string, unknown> = {}, prepare: (root: string) => void = () => {}) {
  const srv = await serve(scaleway(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  addNic(root, 'ens2', 'de:00:00:11:22:33');
  prepare(root);
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // Only the stand-in (builtin_metadata_urls: false): the real addresses are never asked
      // from this machine's network. A patient budget by default; the slow case passes a short one.
      dsCfg: { metadata_urls: [srv.url], builtin_metadata_urls: false, timeout: 10, retries: 3, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => scalewayDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('Scaleway as documented: id, hostname, listed and tagged keys, user- and vendor-data from a privileged port, v2 network config', { skip: rootSkip }, async () => {
  const { value: r, error, seen } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'scaleway');
  assert.equal(r.platform, 'scaleway');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(r.instanceId, SID);
  assert.equal(r.localHostname, 'scw-happy-turing');
  assert.equal(r.availabilityZone, undefined, 'cloud-init gives Scaleway no zone or region');
  assert.equal(r.region, undefined);
  assert.deepEqual(r.publicKeys, [SK1, SK_TAG]);
  assert.equal(Buffer.from(r.userdata!).toString(), SUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), SVENDOR);
  assert.equal(r.metadata['net_in_use'], 'ipv4');
  assert.equal(r.metadata['commercial_type'], 'DEV1-S');
  assert.equal(r.networkConfig?.format, 'v2');
  assert.deepEqual(Object.keys((r.networkConfig!.config as { ethernets: object }).ethernets), ['ens2']);
  assert.deepEqual(seen, ['GET /conf?format=json', 'GET /user_data/cloud-init', 'GET /vendor_data/cloud-init']);
});

test('Scaleway without user- or vendor-data (404) has none; 429 is asked again from the next source port; a private IP gives v1', { skip: rootSkip }, async () => {
  const none = await read('no-data');
  assert.equal(none.error, undefined);
  assert.equal(none.value?.userdata, null);
  assert.equal(none.value?.vendordata, null);
  const limited = await read('rate-limited');
  assert.equal(Buffer.from(limited.value!.userdata!).toString(), SUSER);
  assert.equal(limited.seen.filter((s) => s === 'GET /user_data/cloud-init').length, 3);
  assert.ok(limited.lines.some((l) => /HTTP 429, retrying from source port 2/.test(l)));
  const legacy = await read('legacy');
  assert.equal(legacy.value?.networkConfig?.format, 'v1');
});

test('a machine that is not Scaleway never asks the metadata service; /var/run/scaleway or `scaleway` on the command line is enough', { skip: rootSkip }, async () => {
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const marker = await read('ok', { sys_vendor: 'QEMU' }, {}, (root) => put(root, 'var/run/scaleway', ''));
  assert.equal(marker.value?.instanceId, SID);
  const cmdline = await read('ok', { sys_vendor: 'QEMU' }, {}, (root) => put(root, 'proc/cmdline', 'ro scaleway\n'));
  assert.equal(cmdline.value?.instanceId, SID);
});

test('Scaleway failures: 5xx, truncated, oversized, deeply nested and wrong-type answers and a redirect elsewhere are errors naming the URL; slow ends on the budget', { skip: rootSkip }, async () => {
  const cases: [ScalewayMode, RegExp][] = [
    ['500', /\/conf\?format=json: HTTP 500 \(gave up after 4 attempts\)/],
    ['truncated', /\/conf\?format=json: not valid JSON \(200 bytes\) at line 1 col 201/],
    ['oversized', /\/conf\?format=json: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/conf\?format=json: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/conf\?format=json: expected a JSON object, got an array/],
    ['bad-keys', /\/conf\?format=json: key ssh_public_keys\[0\]\.key: expected a string/],
    ['redirect-user', /Scaleway user-data: http:\/\/127\.0\.0\.1:\d+\/user_data\/cloud-init: HTTP 302 redirect; refused/],
    ['user-data-500', /Scaleway user-data: http:\/\/127\.0\.0\.1:\d+\/user_data\/cloud-init: HTTP 500 \(gave up after 4 attempts\)/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /Scaleway metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
