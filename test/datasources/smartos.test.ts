// SmartOS (Joyent): detection of a KVM guest by DMI and of an LX zone by its kernel and
// socket; the V2 protocol's frames; sdc:nics as network config v1; and a whole read over
// an LX zone's metadata socket from a stand-in in the temp root (never a socket of this
// machine). smartos-serial.test.ts reads a KVM guest's serial port from a pty stand-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { smartosNetworkConfig } from '../../packages/core/src/datasources/smartos-network.js';
import { crc32, decodeAnswer, encodeRequest } from '../../packages/core/src/datasources/smartos-protocol.js';
import { smartOsDatasource, smartosResult, withShebang } from '../../packages/core/src/datasources/smartos.js';
import type { MoreFacts } from '../../packages/core/src/datasources/facts.js';
import { dsContext, machineFacts, put, tempDir, testHost, testLogger } from './helpers.js';
import { METADATA, smartosStandIn, UUID } from './smartos-standin.js';

const more = (o: Partial<MoreFacts>): MoreFacts => ({ xen: false, ibmProvisioning: false, maasSeed: false, maasConfig: false, bigstepUrl: false, smartosZoneSocket: false, ...o });
test('SmartOS is found by a SmartDC DMI product name, or in an LX zone by its kernel and socket', () => {
  assert.equal(smartOsDatasource.detect(machineFacts({ productName: 'SmartDC HVM' })).verdict, 'found');
  assert.equal(smartOsDatasource.detect(machineFacts({ productName: 'KVM' })).verdict, 'not-found');
  const zone = machineFacts({}, { dmiAvailable: false, more: more({ kernelVersion: 'BrandZ virtual linux', smartosZoneSocket: true }) });
  assert.equal(smartOsDatasource.detect(zone).verdict, 'found');
  // LXD inside the zone: the kernel says BrandZ, but the socket is not there.
  const nested = smartOsDatasource.detect(machineFacts({}, { more: more({ kernelVersion: 'BrandZ virtual linux' }) }));
  assert.equal(nested.verdict, 'not-found');
  assert.match(nested.reason, /metadata\.sock is not there/);
  assert.deepEqual(decideDatasources(machineFacts({ productName: 'SmartDC HVM' }), ['NoCloud', 'SmartOS', 'Ec2', 'None']).datasources, ['SmartOS', 'None']);
  assert.deepEqual(decideDatasources(machineFacts({ productName: 'KVM' }), ['NoCloud', 'SmartOS', 'Ec2', 'None']).datasources, ['None']);
});

test('protocol frames: a request carries the body length and CRC-32, an answer is checked before its value is used', () => {
  assert.equal(crc32('123456789'), 0xcbf43926);
  const req = encodeRequest('dc4fae17', 'GET', 'sdc:uuid');
  const body = `dc4fae17 GET ${Buffer.from('sdc:uuid').toString('base64')}`;
  assert.equal(req, `V2 ${body.length} ${crc32(body).toString(16).padStart(8, '0')} ${body}\n`);
  const frame = (b: string, sum = crc32(b).toString(16).padStart(8, '0')) => `V2 ${b.length} ${sum} ${b}`;
  assert.equal(decodeAnswer(frame(`dc4fae17 SUCCESS ${Buffer.from('hello').toString('base64')}`), 'dc4fae17'), 'hello');
  assert.equal(decodeAnswer(frame('dc4fae17 NOTFOUND'), 'dc4fae17'), null);
  assert.throws(() => decodeAnswer(frame('dc4fae17 NOTFOUND', '00000000'), 'dc4fae17'), /checksum 00000000/);
  assert.throws(() => decodeAnswer(frame('0000abcd NOTFOUND'), 'dc4fae17'), /answer to request 0000abcd, expected dc4fae17/);
  assert.throws(() => decodeAnswer('V2 99 00000000 dc4fae17 NOTFOUND', 'dc4fae17'), /frame length 99/);
  assert.throws(() => decodeAnswer('garbage', 'dc4fae17'), /not a V2 answer/);
});

test('sdc:nics becomes network config v1: static with the primary gateway and every route, dhcp4/dhcp6, the resolvers', () => {
  const nc = smartosNetworkConfig(JSON.parse(METADATA['sdc:nics']!), ['8.8.8.8'], 'inst.example', JSON.parse(METADATA['sdc:routes']!));
  assert.deepEqual(nc, {
    version: 1,
    config: [
      {
        type: 'physical',
        name: 'net0',
        mac_address: '90:b8:d0:ae:64:51',
        mtu: 1500,
        subnets: [{ type: 'static', address: '10.88.88.50/24', gateway: '10.88.88.2', routes: [{ gateway: '10.88.88.3', network: '192.168.0.0/16' }] }],
      },
      { type: 'physical', name: 'net1', mac_address: '90:b8:d0:bd:4f:9c', subnets: [{ type: 'dhcp4' }, { type: 'dhcp6' }] },
      { type: 'nameserver', address: ['8.8.8.8'], search: ['inst.example'] },
    ],
  });
  assert.throws(() => smartosNetworkConfig({ interface: 'net0' }, null, null, null), /sdc:nics: expected a list/);
  assert.throws(() => smartosNetworkConfig([{ ips: [] }], null, null, null), /sdc:nics\[0\]\.interface/);
});

test('the scripts are stored as cloud-init stores them, a provisioning zone is marked done, and without sdc:vendor-data the built-in boothook runs them', () => {
  const root = tempDir();
  put(root, 'var/svc/provisioning', '');
  const { log } = testLogger();
  const host = testHost(root);
  const md: Record<string, unknown> = {
    'instance-id': UUID,
    'local-hostname': null,
    hostname: 'h.example',
    'user-script': 'echo hi\n',
    'operator-script': null,
    'legacy-user-data': 'cfg\n',
    'vendor-data': null,
    'network-data': null,
  };
  const r = smartosResult(md, 'lx', '/native/.zonecontrol/metadata.sock', host, log);
  const data = path.join(root, `var/lib/cloud/instances/${UUID}/data`);
  assert.equal(fs.readFileSync(path.join(data, 'user-script'), 'utf8'), '#!/bin/bash\necho hi\n');
  assert.equal(fs.statSync(path.join(data, 'user-script')).mode & 0o777, 0o700);
  assert.equal(fs.readlinkSync(path.join(root, 'var/db/user-script')), `/var/lib/cloud/instances/${UUID}/data/user-script`);
  assert.equal(fs.readFileSync(path.join(root, 'var/db/mdata-user-data'), 'utf8'), 'cfg\n');
  assert.ok(!fs.existsSync(path.join(data, 'operator-script')));
  assert.ok(fs.existsSync(path.join(root, 'var/svc/provision_success')) && !fs.existsSync(path.join(root, 'var/svc/provisioning')));
  assert.equal(r.localHostname, 'h.example');
  assert.equal(r.subplatform, 'socket (/native/.zonecontrol/metadata.sock)');
  assert.equal(r.config, undefined, 'an LX zone has no ephemeral disk to set up');
  const vd = Buffer.from(r.vendordata!).toString();
  assert.match(vd, /^#cloud-boothook\n#!\/bin\/sh\n/);
  assert.ok(vd.includes(`"/var/lib/cloud/instances/${UUID}/data/operator-script" "/var/lib/cloud/instances/${UUID}/data/user-script"`));
  assert.ok(vd.includes('/var/lib/cloud/scripts/per-boot/01_smartos_vendor_data.sh'));
  // A later read without the script removes it and its link.
  smartosResult({ ...md, 'user-script': null }, 'lx', 'x', host, log);
  assert.ok(!fs.existsSync(path.join(data, 'user-script')));
  assert.equal(fs.lstatSync(path.join(root, 'var/db/user-script'), { throwIfNoEntry: false }), undefined);
  assert.equal(withShebang('#!/usr/bin/python3\n'), '#!/usr/bin/python3\n');
  assert.equal(withShebang('\x7fELF\0\0'), '\x7fELF\0\0');
});

test("an LX zone's metadata is read over its socket from a stand-in: every key, keys, user-data, vendor-data, network config", async () => {
  const root = tempDir();
  put(root, 'proc/sys/kernel/version', 'BrandZ virtual linux\n');
  const sock = path.join(root, 'native/.zonecontrol/metadata.sock');
  fs.mkdirSync(path.dirname(sock), { recursive: true });
  const standIn = await smartosStandIn(sock, { metadata: { ...METADATA, 'sdc:vendor-data': '#cloud-config\npackages: [mdata-client]\n' } });
  try {
    const { log, lines } = testLogger();
    const r = await smartOsDatasource.find(dsContext(testHost(root), { serial_timeout: 20 }, log, 'local'));
    assert.ok(r, lines.join('\n'));
    assert.equal(r.instanceId, UUID);
    assert.equal(r.cloudName, 'joyent');
    assert.equal(r.platform, 'joyent');
    assert.equal(r.localHostname, 'triton-vm');
    assert.equal(r.availabilityZone, 'us-east-1');
    assert.deepEqual(r.publicKeys, ['ssh-rsa AAAAB3Nza smartos@host', 'ssh-ed25519 AAAAC3Nz second@host']);
    assert.equal(Buffer.from(r.userdata!).toString(), '#cloud-config\nruncmd: [echo smartos]\n');
    assert.equal(Buffer.from(r.vendordata!).toString(), '#cloud-config\npackages: [mdata-client]\n');
    assert.equal(r.networkConfig?.format, 'v1');
    assert.equal((r.networkConfig!.config as { config: unknown[] }).config.length, 3);
    assert.equal(r.metadata['dns_domain'], 'inst.example');
    assert.equal(fs.readFileSync(path.join(root, `var/lib/cloud/instances/${UUID}/data/operator-script`), 'utf8'), '#!/bin/sh\necho operator\n');
    // The zone socket needs no line clearing: the conversation starts with the negotiation.
    const seen = standIn.lines();
    assert.equal(seen[0], 'NEGOTIATE V2');
    assert.ok(!seen.includes(''));
    // No base64 rules on the socket: KEYS is never asked.
    assert.ok(!seen.some((l) => / KEYS$/.test(l)));
  } finally {
    standIn.stop();
  }
});

test('a machine that is not SmartOS asks no channel; a SmartOS zone without its socket is not found, with a warning', async () => {
  const plain = tempDir();
  assert.equal(await smartOsDatasource.find(dsContext(testHost(plain), {}, testLogger().log, 'local')), null);
  const zone = tempDir();
  put(zone, 'proc/sys/kernel/version', 'BrandZ virtual linux\n');
  const { log, lines } = testLogger();
  assert.equal(await smartOsDatasource.find(dsContext(testHost(zone), {}, log, 'local')), null);
  assert.ok(lines.some((l) => l.includes('SmartOS: no metadata socket /native/.zonecontrol/metadata.sock')));
});
