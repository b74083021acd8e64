// The CloudStack datasource's local part: detection, the virtual router found from the
// DHCP lease files of the tree (systemd-networkd, ISC dhclient) or its default route,
// and the seed directory. Reading the router itself is cloudstack-netns.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloudStackDatasource, defaultGateway, dhclientServerIdentifier, networkdServerAddress, virtualRouter } from '../../packages/core/src/datasources/cloudstack.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { put, rootWithDmi, settle, testHost, testLogger, machineFacts } from './helpers.js';

const facts = machineFacts;
const ROUTE =
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t0001010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\neth0\t00000000\t0101010A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
const DHCLIENT = `lease {\n  interface "eth0";\n  fixed-address 10.1.1.50;\n  option dhcp-server-identifier 10.1.1.9;\n}\nlease {\n  interface "eth0";\n  fixed-address 10.1.1.50;\n  option dhcp-server-identifier 10.1.1.2;\n  option domain-name "cs.example";\n}\n`;

test('detection table: CloudStack by a DMI product name starting with CloudStack, never in a container', () => {
  const rows: [string, DetectFacts, string][] = [
    ['product_name CloudStack KVM Hypervisor', facts({ productName: 'CloudStack KVM Hypervisor' }), 'found'],
    ['the same in a container', facts({ productName: 'CloudStack KVM Hypervisor' }, { container: 'lxc' }), 'not-found'],
    ['an Exoscale machine', facts({ productName: 'Exoscale Compute Platform' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(cloudStackDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'CloudStack', 'Ec2', 'None']).datasources, ['CloudStack', 'None']);
  assert.deepEqual(decideDatasources(rows[1]![1], ['NoCloud', 'CloudStack', 'Ec2', 'None']).datasources, ['None']);
});

test('the virtual router from a lease: networkd SERVER_ADDRESS, dhclient’s last dhcp-server-identifier, else the default gateway', () => {
  assert.equal(networkdServerAddress('# This is private data. Do not parse.\nADDRESS=10.1.1.50\nSERVER_ADDRESS=10.1.1.1\n'), '10.1.1.1');
  assert.equal(networkdServerAddress('SERVER_ADDRESS=not-an-ip\n'), null);
  assert.equal(dhclientServerIdentifier(DHCLIENT), '10.1.1.2');
  assert.equal(defaultGateway(ROUTE), '10.1.1.1');
  assert.equal(defaultGateway('Iface\tDestination\tGateway\n'), null);

  const root = rootWithDmi({ product_name: 'CloudStack KVM Hypervisor' });
  const host = testHost(root);
  assert.equal(virtualRouter(host), null, 'nothing to go by');
  put(root, 'proc/net/route', ROUTE);
  assert.deepEqual(virtualRouter(host), { address: '10.1.1.1', from: '/proc/net/route (default gateway)' });
  put(root, 'var/lib/dhcp/dhclient.eth0.leases', DHCLIENT);
  assert.deepEqual(virtualRouter(host), { address: '10.1.1.2', from: '/var/lib/dhcp/dhclient.eth0.leases (dhcp-server-identifier)' });
  put(root, 'run/systemd/netif/leases/2', 'ADDRESS=10.1.1.50\nSERVER_ADDRESS=10.1.1.3\n');
  assert.deepEqual(virtualRouter(host), { address: '10.1.1.3', from: '/run/systemd/netif/leases/2 (SERVER_ADDRESS)' });
});

async function read(prepare: (root: string) => void) {
  const root = rootWithDmi({ product_name: 'CloudStack KVM Hypervisor' });
  prepare(root);
  const { log, lines } = testLogger();
  const r = await settle(() => cloudStackDatasource.find({ host: testHost(root), log, cfg: {}, dsCfg: { timeout: 10, retries: 1, max_wait: 30 }, stage: 'net' }));
  return { ...r, lines };
}

test('a CloudStack seed in /var/lib/cloud/seed/cs is read without asking any router; a broken one names its file, line and column', async () => {
  const { value: r, error } = await read((root) => {
    put(root, 'var/lib/cloud/seed/cs/meta-data', 'instance-id: i-seeded\nlocal-hostname: seeded.example\navailability-zone: zone9\n');
    put(root, 'var/lib/cloud/seed/cs/user-data', '#cloud-config\n{}\n');
  });
  assert.equal(error, undefined);
  assert.equal(r?.instanceId, 'i-seeded');
  assert.equal(r?.localHostname, 'seeded');
  assert.equal(r?.availabilityZone, 'zone9');
  assert.equal(r?.subplatform, 'seed-dir (/var/lib/cloud/seed/cs)');
  const bad = await read((root) => {
    put(root, 'var/lib/cloud/seed/cs/meta-data', 'instance-id: [unclosed\n');
    put(root, 'var/lib/cloud/seed/cs/user-data', '');
  });
  assert.match(bad.error?.message ?? '', /\/var\/lib\/cloud\/seed\/cs\/meta-data:\d+:\d+:/);
});

test('a CloudStack machine with no lease and no default route is an error saying so, before any request', async () => {
  const { error } = await read((root) => fs.mkdirSync(path.join(root, 'proc/net'), { recursive: true }));
  assert.match(error?.message ?? '', /CloudStack: no virtual router found/);
});
