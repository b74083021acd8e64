// The DigitalOcean datasource against a stand-in of its metadata service on 127.0.0.1:
// droplet id, hostname, keys, region, user-data and vendor-data, network config v1 from
// the droplet's interfaces (matched by MAC to this machine's NICs), the link-local
// address put on the first NIC and flushed again (recorded, never run); and the service
// answering slowly, with 5xx, truncated, oversized and wrong-type answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { digitalOceanDatasource, doNetworkConfig } from '../../packages/core/src/datasources/digitalocean.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { addNic } from '../helpers/boot.js';
import { rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { DK1, DROPLET, DUSER, DVENDOR, PRIVATE_MAC, PUBLIC_MAC, digitalOcean, type DoMode } from './digitalocean-fixtures.js';

const facts = machineFacts;

test('detection table: DigitalOcean by DMI sys_vendor, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor DigitalOcean', facts({ sysVendor: 'DigitalOcean', productName: 'Droplet', productSerial: '2756294' }), 'found'],
    ['sys_vendor digitalocean (case matters, as ds-identify)', facts({ sysVendor: 'digitalocean' }), 'not-found'],
    ['a KVM machine', facts({ productName: 'Standard PC (Q35 + ICH9, 2009)', sysVendor: 'QEMU' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(digitalOceanDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'DigitalOcean', 'Ec2', 'None']).datasources, ['DigitalOcean', 'None']);
  assert.deepEqual(decideDatasources(facts({}, { cmdline: 'ci.ds=DigitalOcean' }), ['NoCloud', 'None']).datasources, ['DigitalOcean', 'None']);
});

const MACS = new Map([
  [PUBLIC_MAC, 'ens3'],
  [PRIVATE_MAC, 'ens4'],
]);
const EXPECTED_NET = {
  version: 1,
  config: [
    {
      type: 'physical',
      mac_address: PUBLIC_MAC,
      name: 'eth0',
      subnets: [
        { type: 'static', control: 'auto', address: '45.55.50.93', netmask: '255.255.224.0', gateway: '45.55.32.1' },
        { type: 'static', control: 'auto', address: '2604:A880:0800:0010:0000:0000:017D:2001/64', gateway: '2604:A880:0800:0010:0000:0000:0000:0001' },
        { type: 'static', control: 'auto', address: '10.17.0.9', netmask: '255.255.0.0' },
      ],
    },
    { type: 'physical', mac_address: PRIVATE_MAC, name: 'eth1', subnets: [{ type: 'static', control: 'auto', address: '10.132.75.35', netmask: '255.255.0.0' }] },
    { type: 'nameserver', address: ['2001:4860:4860::8844', '8.8.8.8'] },
  ],
};

test('DigitalOcean interfaces become network config v1: public eth0 with its gateway, anchor and private without', () => {
  assert.deepEqual(doNetworkConfig(DROPLET.interfaces, DROPLET.dns.nameservers, MACS), EXPECTED_NET);
  assert.throws(() => doNetworkConfig(DROPLET.interfaces, [], new Map([[PUBLIC_MAC, 'ens3']])), /interfaces\.private: no network interface on this machine has MAC "04:01:58:27:7f:02"/);
  assert.throws(() => doNetworkConfig({ public: 'eth0' }, [], MACS), /interfaces\.public: expected a list of interface objects/);
});

async function read(mode: DoMode, dmi: Record<string, string> = { sys_vendor: 'DigitalOcean', product_serial: '2756294' }, extra: Record<string, unknown> = {}) {
  const srv = await serve(digitalOcean(mode));
  const { log, lines } = testLogger();
  const root = rootWithDmi(dmi);
  addNic(root, 'ens3', PUBLIC_MAC);
  addNic(root, 'ens4', PRIVATE_MAC);
  fs.writeFileSync(path.join(root, 'sys/class/net/ens3/ifindex'), '2\n');
  fs.writeFileSync(path.join(root, 'sys/class/net/ens4/ifindex'), '3\n');
  try {
    const ctx = {
      host: testHost(root),
      log,
      cfg: {},
      // A patient budget by default, so a busy machine cannot turn a prompt answer into a
      // timeout; the case about slowness passes its own short one.
      dsCfg: { metadata_url: `${srv.url}/metadata/v1.json`, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'local' as const,
    };
    const r = await settle(() => digitalOceanDatasource.find(ctx));
    const recorded = path.join(root, 'var/log/nimbus-commands.log');
    const commands = fs.existsSync(recorded)
      ? fs
          .readFileSync(recorded, 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { argv: string[] }).argv.join(' '))
      : [];
    return { ...r, lines, seen: srv.seen, commands, root };
  } finally {
    await srv.close();
  }
}

test('DigitalOcean as documented: droplet id, hostname, keys, region as the zone, user- and vendor-data, network config, the link-local address added and flushed', async () => {
  const { value: r, error, seen, commands } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'digitalocean');
  assert.equal(r.platform, 'digitalocean');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\/metadata\/v1\.json\)$/);
  assert.equal(r.instanceId, '2756294');
  assert.equal(r.localHostname, 'sample-droplet');
  assert.equal(r.availabilityZone, 'nyc3');
  assert.equal(r.region, undefined, 'cloud-init 25.x sets no region for DigitalOcean');
  assert.deepEqual(r.publicKeys, [DK1]);
  assert.equal(Buffer.from(r.userdata!).toString(), DUSER);
  assert.equal(Buffer.from(r.vendordata!).toString(), DVENDOR);
  assert.deepEqual(r.networkConfig?.config, EXPECTED_NET);
  assert.equal(r.networkConfig?.format, 'v1');
  assert.deepEqual(r.metadata, { 'instance-id': 2756294, 'local-hostname': 'sample-droplet', interfaces: DROPLET.interfaces, 'public-keys': [DK1], availability_zone: 'nyc3' });
  assert.deepEqual(seen, ['GET /metadata/v1.json']);
  assert.equal(commands.length, 3);
  assert.match(commands[0]!, /^ip -family inet addr add 169\.254\.(\d+)\.(\d+)\/16 dev ens3$/);
  assert.deepEqual(commands.slice(1), ['ip link set dev ens3 up', 'ip addr flush dev ens3']);
});

test('DigitalOcean with use_ip4LL false adds no address; the droplet id is re-checked from the DMI serial', async () => {
  const { value: r, commands, root } = await read('ok', undefined, { use_ip4LL: false });
  assert.equal(r?.instanceId, '2756294');
  assert.deepEqual(commands, []);
  const { log } = testLogger();
  assert.equal(await digitalOceanDatasource.currentInstanceId!({ host: testHost(root), log, cfg: {}, dsCfg: {}, stage: 'local' }), '2756294');
});

test('a machine that is not DigitalOcean never asks the metadata service nor touches a NIC', async () => {
  const { value, seen, commands } = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(value, null);
  assert.deepEqual(seen, []);
  assert.deepEqual(commands, []);
});

test('DigitalOcean without a droplet id in DMI is an error, as cloud-init', async () => {
  const { error, seen } = await read('ok', { sys_vendor: 'DigitalOcean' });
  assert.match(error?.message ?? '', /gives no droplet id/);
  assert.deepEqual(seen, []);
});

test('DigitalOcean failures: 5xx, truncated, oversized and wrong-type answers are errors naming the URL, the address still flushed; no interfaces is fallback networking; slow ends on the budget', async () => {
  const cases: [DoMode, RegExp][] = [
    ['500', /\/metadata\/v1\.json: HTTP 500 \(gave up after 2 attempts\)/],
    ['truncated', /\/metadata\/v1\.json: not valid JSON/],
    ['oversized', /\/metadata\/v1\.json: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['array', /\/metadata\/v1\.json: expected a JSON object, got an array/],
    ['user-data-object', /\/metadata\/v1\.json: key user_data: expected a string, got object/],
  ];
  for (const [mode, re] of cases) {
    const { error, commands } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
    assert.equal(commands.at(-1), 'ip addr flush dev ens3', mode);
  }
  const bare = await read('no-interfaces');
  assert.equal(bare.value?.networkConfig, null);
  assert.ok(bare.lines.some((l) => /has no interfaces; fallback networking applies/.test(l)));
  const slow = await read('slow', undefined, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value, null);
  assert.ok(slow.lines.some((l) => /DigitalOcean metadata service not reachable: .*(no response within \d+ ms|time budget)/.test(l)));
  assert.equal(slow.commands.at(-1), 'ip addr flush dev ens3');
});
