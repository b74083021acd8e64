// test-lane: full (a mount namespace per read, answers that wait out budgets)
// SmartOS over the serial port: a KVM guest's metadata read over /dev/ttyS1 from a
// pseudo-terminal stand-in that speaks the V2 protocol (never a serial device of this
// machine): the line cleared of what was pending, the negotiation, every key, the legacy
// base64 rules, and a host that lies about checksums or stays silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootWithDmi } from './helpers.js';
import { findOnPort, serialSkip } from './serial-standin.js';
import { METADATA, smartosStandIn, UUID } from './smartos-standin.js';

const kvm = () => rootWithDmi({ product_name: 'SmartDC HVM' });

test("a KVM guest's metadata is read over the serial port: the line cleared, V2 negotiated, every key asked", { skip: serialSkip }, async () => {
  const root = kvm();
  const standIn = await smartosStandIn('pty', { metadata: METADATA });
  try {
    const out = await findOnPort(standIn.where, root, 'SmartOS', { serial_timeout: 30 });
    const r = out.result;
    assert.ok(r, `${out.error}\n${out.log.join('\n')}`);
    assert.equal(r['instanceId'], UUID);
    assert.equal(r['subplatform'], 'serial (/dev/ttyS1)');
    assert.equal(r['localHostname'], 'triton-vm');
    assert.equal(r['userdata'], '#cloud-config\nruncmd: [echo smartos]\n');
    // No sdc:vendor-data: the built-in boothook that runs the stored scripts each boot.
    assert.match(String(r['vendordata']), /^#cloud-boothook\n/);
    assert.deepEqual((r['config'] as { fs_setup: unknown[] }).fs_setup, [{ label: 'ephemeral0', filesystem: 'ext4', device: 'ephemeral0' }]);
    assert.equal((r['networkConfig'] as { format: string }).format, 'v1');
    const seen = standIn.lines();
    // The stale half line is dropped, a bare newline gets "invalid command", then the negotiation.
    assert.deepEqual(seen.slice(0, 2), ['', 'NEGOTIATE V2']);
    const gets = seen.filter((l) => / GET /.test(l)).map((l) => Buffer.from(l.split(' ').pop() as string, 'base64').toString());
    for (const k of ['sdc:uuid', 'hostname', 'root_authorized_keys', 'cloud-init:user-data', 'sdc:vendor-data', 'sdc:operator-script', 'sdc:nics', 'sdc:resolvers', 'sdc:routes']) {
      assert.ok(gets.includes(k), `${k} asked`);
    }
    // The serial port's legacy base64 rules need the key list once.
    assert.equal(seen.filter((l) => / KEYS$/.test(l)).length, 1);
  } finally {
    standIn.stop();
  }
});

test('on the serial port, keys named by base64_keys or b64-<key> are base64-decoded; the others are not', { skip: serialSkip }, async () => {
  const root = kvm();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const metadata = {
    'sdc:uuid': UUID,
    base64_keys: 'cloud-init:user-data',
    'cloud-init:user-data': b64('#cloud-config\nhostname: decoded\n'),
    'b64-sdc:operator-script': 'true',
    'sdc:operator-script': b64('#!/bin/sh\necho op\n'),
    'user-data': b64('stays as it is'),
  };
  const standIn = await smartosStandIn('pty', { metadata });
  try {
    const out = await findOnPort(standIn.where, root, 'SmartOS', { serial_timeout: 30 });
    assert.ok(out.result, out.error);
    assert.equal(out.result['userdata'], '#cloud-config\nhostname: decoded\n');
    const md = out.result['metadata'] as Record<string, unknown>;
    assert.equal(md['operator-script'], '#!/bin/sh\necho op\n');
    assert.equal(md['legacy-user-data'], b64('stays as it is'));
  } finally {
    standIn.stop();
  }
});

test('an answer with a wrong checksum is an error naming the port and the key', { skip: serialSkip }, async () => {
  const root = kvm();
  const standIn = await smartosStandIn('pty', { metadata: METADATA, bad_checksum: true });
  try {
    const { error } = await findOnPort(standIn.where, root, 'SmartOS', { serial_timeout: 30 });
    assert.match(error ?? '', /^\/dev\/ttyS1: GET sdc:uuid: checksum 0badc0de is not the body's [0-9a-f]{8}$/);
  } finally {
    standIn.stop();
  }
});

test('a silent host ends on the serial_timeout budget with an error saying so', { skip: serialSkip }, async () => {
  const root = kvm();
  const standIn = await smartosStandIn('pty', { metadata: METADATA, silent: true });
  try {
    const { error, log } = await findOnPort(standIn.where, root, 'SmartOS', { serial_timeout: 1 });
    assert.match(error ?? '', /^\/dev\/ttyS1: the metadata conversation did not finish within its time budget \(serial_timeout\)$/);
    assert.ok(log.some((l) => l.includes("no answer to a newline; is the host's metadata service running?")));
  } finally {
    standIn.stop();
  }
});
