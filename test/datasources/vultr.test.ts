// The Vultr datasource against a stand-in of Vultr's metadata service on 127.0.0.1:
// instance id, hostname, region, keys, user- and vendor-data, the startup script kept
// out of the public metadata, network config v1 from `interfaces` or
// `cloud_interfaces`; and the service answering slowly, with 5xx, truncated,
// oversized, deeply nested, wrong-type answers and a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vultrDatasource, vultrNetworkConfig } from '../../packages/core/src/datasources/vultr.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { put, rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { VIID, VK1, VPRIVATE_MAC, VPUBLIC_MAC, VUSER, VVENDOR, v1, vultr, type VultrMode } from './vultr-fixtures.js';

const facts = machineFacts;
const MACS = new Map([
  [VPUBLIC_MAC, 'ens3'],
  [VPRIVATE_MAC, 'ens7'],
]);

test('detection table: Vultr by DMI sys_vendor, `vultr` on the kernel command line, or /etc/vultr', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor Vultr', facts({ sysVendor: 'Vultr', productName: 'VC2' }), 'found'],
    ['bare metal: vultr on the command line', facts({ sysVendor: 'Supermicro' }, { cmdline: 'ro quiet vultr console=ttyS0' }), 'found'],
    ['/etc/vultr', facts({}, { markerFiles: ['/etc/vultr'] }), 'found'],
    ['vultr only as part of a word', facts({}, { cmdline: 'root=/dev/vultrdisk novultr' }), 'not-found'],
    ['another cloud’s marker', facts({}, { markerFiles: ['/var/run/scaleway'] }), 'not-found'],
    ['a KVM machine', facts({ sysVendor: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(vultrDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Vultr', 'Ec2', 'None']).datasources, ['Vultr', 'None']);
  assert.deepEqual(decideDatasources(rows[5]![1], ['NoCloud', 'Vultr', 'Ec2', 'None']).datasources, ['None']);
});

test('Vultr interfaces become network config v1 as cloud-init builds it: resolvers, public DHCPv4 + SLAAC, private static, by MAC', () => {
  const net = vultrNetworkConfig(v1(), MACS);
  assert.deepEqual(net, {
    version: 1,
    config: [
      { type: 'nameserver', address: ['108.61.10.10', '2001:19f0:300:1704::6'] },
      {
        name: 'ens3',
        type: 'physical',
        mac_address: VPUBLIC_MAC,
        'accept-ra': 1,
        subnets: [
          { type: 'dhcp', control: 'auto' },
          { type: 'ipv6_slaac', control: 'auto' },
          { type: 'static6', control: 'auto', address: '2002:19f0:5:28a7::/64' },
        ],
      },
      { name: 'ens7', type: 'physical', mac_address: VPRIVATE_MAC, mtu: 1450, subnets: [{ type: 'static', control: 'auto', address: '10.1.112.3', netmask: '255.255.240.0' }] },
    ],
  });
  const md = v1();
  (md['interfaces'] as Record<string, unknown>[])[1]!['unconfigured'] = true;
  assert.equal((vultrNetworkConfig(md, MACS)['config'] as unknown[]).length, 2, 'an unconfigured private interface is left out');
  assert.throws(() => vultrNetworkConfig(v1(), new Map([[VPUBLIC_MAC, 'ens3']])), /interfaces\[1\]\.mac: no network interface on this machine has MAC "5a:00:03:1b:4e:ca"/);
  assert.throws(() => vultrNetworkConfig({ interfaces: 'eth0' }, MACS), /interfaces: expected a list/);
  assert.throws(() => vultrNetworkConfig({ cloud_interfaces: [] }, MACS), /cloud_interfaces: expected network config v1/);
});

async function read(
  mode: VultrMode,
  dmi: Record<string, string> = { sys_vendor: 'Vultr', product_serial: '42872224' },
  extra: Record<string, unknown> = {},
  prepare: (root: string) => void = () => {},
) {
  const agents: string[] = [];
  const handler = vultr(mode);
  const srv = await serve((req, res) => {
    agents.push(String(req.headers['user-agent']));
    handler(req, res);
  });
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  addNic(root, 'ens3', VPUBLIC_MAC);
  addNic(root, 'ens7', VPRIVATE_MAC);
  put(root, 'etc/os-release', 'ID=debian\nVERSION_ID="13"\n');
  prepare(root);
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { url: srv.url, timeout: 10, retries: 1, max_wait: 30, wait: 0.05, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => vultrDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen, agents };
  } finally {
    await srv.close();
  }
}

test('Vultr as documented: instance-v2-id, hostname, region, keys, user- and vendor-data, network config for the NICs by MAC', async () => {
  const { value: r, error, seen, agents } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'vultr');
  assert.equal(r.platform, 'vultr');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(r.instanceId, VIID);
  assert.equal(r.localHostname, 'vultr-guest.example.com');
  assert.equal(r.region, 'us', 'the country code, lower case, as cloud-init');
  assert.deepEqual(r.publicKeys, [VK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), VUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), VVENDOR);
  assert.equal(r.metadata['instance-id'], VIID);
  assert.equal(r.metadata['instanceid'], '42872224');
  for (const k of ['startup-script', 'user-data', 'vendor-data']) assert.ok(!(k in r.metadata), `${k} stays out of the public metadata`);
  assert.deepEqual(r.sensitive, { 'startup-script': 'echo a secret script' });
  assert.equal(r.networkConfig?.format, 'v1');
  const net = r.networkConfig?.config as { config: { name?: string }[] };
  assert.deepEqual(
    net.config.map((c) => c.name),
    [undefined, 'ens3', 'ens7'],
  );
  assert.deepEqual(seen, ['GET /v1.json']);
  assert.match(agents[0] ?? '', /^Cloud-Init\/nimbus-\S+ - OS: Linux Variant: debian$/);
});

test('Vultr `cloud_interfaces` is the network config, named by MAC; empty user-data and hostname are none and "guest"', async () => {
  const { value: r } = await read('cloud-interfaces');
  const net = r!.networkConfig?.config as { config: { type: string; name?: string }[] };
  assert.deepEqual(net.config[1], { type: 'physical', mac_address: VPUBLIC_MAC, 'accept-ra': 1, subnets: [{ type: 'dhcp', control: 'auto' }], name: 'ens3' });
  assert.match(r!.networkConfig!.source, /\(cloud_interfaces\)$/);
  const bare = await read('no-user-data');
  assert.equal(bare.value?.userdata, null);
  assert.equal(bare.value?.localHostname, 'guest');
});

test('a machine that is not Vultr never asks the metadata service; /etc/vultr or `vultr` on the command line is enough', async () => {
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
  const marker = await read('ok', { sys_vendor: 'Supermicro' }, {}, (root) => put(root, 'etc/vultr', ''));
  assert.equal(marker.value?.instanceId, VIID);
  const cmdline = await read('ok', { sys_vendor: 'Supermicro' }, {}, (root) => put(root, 'proc/cmdline', 'ro vultr\n'));
  assert.equal(cmdline.value?.instanceId, VIID);
});

test('Vultr failures: 5xx, truncated, oversized, deeply nested, wrong-type answers and a redirect elsewhere are errors naming the URL; a MAC not here is fallback networking; slow ends on the budget', async () => {
  const cases: [VultrMode, RegExp][] = [
    ['500', /\/v1\.json: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/v1\.json: not valid JSON \(300 bytes\) at line 1 col 301/],
    ['oversized', /\/v1\.json: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/v1\.json: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/v1\.json: expected a JSON object, got an array/],
    ['no-iid', /\/v1\.json: key instance-v2-id: expected a non-empty string/],
    ['user-data-object', /\/v1\.json: key user-data: expected a string, got object/],
    ['redirect', /\/v1\.json: HTTP 302 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const stray = await read('unknown-mac');
  assert.equal(stray.value?.networkConfig, null);
  assert.ok(stray.lines.some((l) => /no network config from .*interfaces\[0\]\.mac: no network interface on this machine has MAC "00:00:00:00:00:01"/.test(l)));
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /Vultr metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
});
