// Ec2 network config from the IMDS network/interfaces/macs tree: every NIC of the machine
// by MAC, the primary by device-number, secondary addresses, DHCPv6 where the NIC has
// IPv6; read through an IMDSv2 stand-in on 127.0.0.1 (and on ::1 for the IPv6 endpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ec2Datasource, EC2_DEFAULT_URL_V6 } from '../../packages/core/src/datasources/ec2.js';
import { ec2NetworkConfig, Ec2NetworkShapeError } from '../../packages/core/src/datasources/ec2-network.js';
import { dsContext, serve, testHost, testLogger } from './helpers.js';
import { MAC0, MAC1, NETWORK, awsRoot, imds, metaTree, type Tree } from './ec2-fixtures.js';

const cfg = (url: string, extra: Record<string, unknown> = {}) => ({ metadata_urls: [url], timeout: 2, retries: 1, max_wait: 20, ...extra });
const NICS = new Map([
  [MAC0, 'ens5'],
  [MAC1, 'ens6'],
]);
const SRC = 'http://169.254.169.254/2021-03-23/meta-data/network';

/** The tree as the crawler gives it: multi-line leaves become lists. */
function crawled(t: Tree): unknown {
  if (typeof t === 'string') return t;
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === 'string' ? (v.includes('\n') ? v.split('\n') : v) : crawled(v)]));
}

test('every NIC of the machine listed by MAC gets DHCP, named as the machine names it, with its secondary addresses; the primary has the lowest route metric', () => {
  const out = ec2NetworkConfig({ network: crawled(NETWORK), nics: NICS, full: true, fallbackNic: 'ens5', source: SRC });
  assert.deepEqual(out.warnings, []);
  assert.deepEqual(out.config, {
    version: 2,
    ethernets: {
      ens6: { dhcp4: true, 'dhcp4-overrides': { 'route-metric': 200 }, dhcp6: false, match: { macaddress: MAC1 }, 'set-name': 'ens6' },
      ens5: {
        dhcp4: true,
        'dhcp4-overrides': { 'route-metric': 100 },
        dhcp6: true,
        'dhcp6-overrides': { 'route-metric': 100 },
        match: { macaddress: MAC0 },
        'set-name': 'ens5',
        // IPv4 with the subnet's prefix; IPv6 /128, as cloud-init has it (the IMDS serves only the plural subnet key).
        addresses: ['10.0.0.6/20', '10.0.0.7/20', '2600:1f18::6/128'],
      },
    },
  });
});

test('device-number decides the primary, not the MAC order; one NIC alone carries no route metrics', () => {
  const swapped = crawled({ interfaces: { macs: { [MAC0]: { 'device-number': '1', 'local-ipv4s': '10.0.0.5' }, [MAC1]: { 'device-number': '0', 'local-ipv4s': '10.0.16.9' } } } });
  const out = ec2NetworkConfig({ network: swapped, nics: NICS, full: true, fallbackNic: 'ens5', source: SRC });
  const eth = (out.config as { ethernets: Record<string, Record<string, unknown>> }).ethernets;
  assert.deepEqual(eth['ens6']?.['dhcp4-overrides'], { 'route-metric': 100 });
  assert.deepEqual(eth['ens5']?.['dhcp4-overrides'], { 'route-metric': 200 });
  const one = ec2NetworkConfig({ network: swapped, nics: new Map([[MAC0, 'eth0']]), full: true, fallbackNic: 'eth0', source: SRC });
  assert.deepEqual(one.config, { version: 2, ethernets: { eth0: { dhcp4: true, dhcp6: false, match: { macaddress: MAC0 }, 'set-name': 'eth0' } } });
});

test('apply_full_imds_network_config: false configures only the primary NIC by DHCP, without secondary addresses', () => {
  const out = ec2NetworkConfig({ network: crawled(NETWORK), nics: NICS, full: false, fallbackNic: 'ens5', source: SRC });
  assert.deepEqual(out.config, { version: 2, ethernets: { ens5: { dhcp4: true, dhcp6: true, match: { macaddress: MAC0 }, 'set-name': 'ens5' } } });
});

test('no NIC of the machine in the tree: no config (fallback networking), never an empty one', () => {
  const out = ec2NetworkConfig({ network: crawled(NETWORK), nics: new Map([['52:54:00:00:00:01', 'eth0']]), full: true, fallbackNic: 'eth0', source: SRC });
  assert.equal(out.config, null);
});

test('a subnet block that does not parse gives the default /24 with a warning naming the key', () => {
  const t = crawled({ interfaces: { macs: { [MAC0]: { 'device-number': '0', 'local-ipv4s': '10.0.0.5\n10.0.0.6', 'subnet-ipv4-cidr-block': 'garbage' } } } });
  const out = ec2NetworkConfig({ network: t, nics: NICS, full: true, fallbackNic: 'ens5', source: SRC });
  assert.deepEqual((out.config as { ethernets: Record<string, Record<string, unknown>> }).ethernets['ens5']?.['addresses'], ['10.0.0.6/24']);
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0] as string, new RegExp(`${SRC}/interfaces/macs/${MAC0}/subnet-ipv4-cidr-block: "garbage" is not a CIDR block`));
});

test('a tree of the wrong shape is an error naming the key', () => {
  const bad = (network: unknown) => () => ec2NetworkConfig({ network, nics: NICS, full: true, fallbackNic: 'ens5', source: SRC });
  assert.throws(bad('x'), (e: Error) => e instanceof Ec2NetworkShapeError && e.message === `${SRC}: expected a directory`);
  assert.throws(bad({ interfaces: {} }), (e: Error) => e instanceof Ec2NetworkShapeError && e.message.includes(`${SRC}/interfaces/macs: expected a directory`));
  assert.throws(bad({ interfaces: { macs: { [MAC0]: 'x' } } }), (e: Error) => e.message.includes(`/interfaces/macs/${MAC0}: expected a directory`));
  assert.throws(bad({ interfaces: { macs: { [MAC0]: { 'device-number': 'first' } } } }), (e: Error) => e.message.includes(`/interfaces/macs/${MAC0}/device-number: "first" is not a number`));
  assert.throws(bad({ interfaces: { macs: { [MAC0]: { 'device-number': '0', 'local-ipv4s': { a: 1 } } } } }), (e: Error) =>
    e.message.includes(`/interfaces/macs/${MAC0}/local-ipv4s: expected an address`),
  );
});

test('a boot on EC2 reads the network config from the IMDS stand-in, for the NICs this machine has', async () => {
  const srv = await serve(imds(metaTree(NETWORK)));
  const { log } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.ok(r?.networkConfig);
    assert.equal(r.networkConfig.format, 'v2');
    assert.equal(r.networkConfig.source, `${srv.url}/2021-03-23/meta-data/network/interfaces/macs`);
    const eth = (r.networkConfig.config as { ethernets: Record<string, Record<string, unknown>> }).ethernets;
    assert.deepEqual(Object.keys(eth).sort(), ['ens5', 'ens6']);
    assert.deepEqual(eth['ens5']?.['addresses'], ['10.0.0.6/20', '10.0.0.7/20', '2600:1f18::6/128']);
    assert.ok(srv.seen.includes(`GET /2021-03-23/meta-data/network/interfaces/macs/${MAC0}/local-ipv4s`));
  } finally {
    await srv.close();
  }
});

test('a broken network tree costs the network config only: an error naming the key, the rest of the metadata read', async () => {
  const broken: Tree = { interfaces: { macs: { [MAC0]: { 'device-number': 'zero' } } } };
  const srv = await serve(imds(metaTree(broken)));
  const { log, lines } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.instanceId, 'i-0123456789abcdef0');
    assert.equal(r.networkConfig, null);
    assert.ok(lines.some((l) => l.includes(`${srv.url}/2021-03-23/meta-data/network/interfaces/macs/${MAC0}/device-number: "zero" is not a number`) && l.includes('fallback networking')));
  } finally {
    await srv.close();
  }
});

test('no network tree in the metadata: fallback networking, with a warning saying so', async () => {
  const srv = await serve(imds(metaTree(null)));
  const { log, lines } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.equal(r?.networkConfig, null);
    assert.ok(lines.some((l) => l.includes('meta-data/network is absent; fallback networking applies')));
  } finally {
    await srv.close();
  }
});

test('the IPv6 endpoint is in the default metadata_urls, and an IPv6 metadata URL is read like the IPv4 one', async () => {
  assert.equal(EC2_DEFAULT_URL_V6, 'http://[fd00:ec2::254]');
  assert.match(ec2Datasource.options.find((o) => o.key === 'metadata_urls')?.default ?? '', /http:\/\/169\.254\.169\.254, http:\/\/\[fd00:ec2::254\]/);
  const server = http.createServer(imds(metaTree(NETWORK)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '::1', resolve);
  });
  const url = `http://[::1]:${(server.address() as AddressInfo).port}`;
  const { log } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(url), log));
    assert.equal(r?.instanceId, 'i-0123456789abcdef0');
    assert.equal(r?.subplatform, `metadata (${url})`);
    assert.equal(r?.networkConfig?.format, 'v2');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
