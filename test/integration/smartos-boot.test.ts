// A whole boot in an LX-branded SmartOS zone: the stages find SmartOS from the kernel
// version and the zone socket (a V2 stand-in in the temp root, never a socket of this
// machine), set the hostname, write sdc:nics as the network config, run the user's
// cloud-config and the built-in vendor-data's boothook, and report the instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, makeRoot, read, recorded } from '../helpers/boot.js';
import { smartosStandIn, UUID } from '../datasources/smartos-standin.js';

test('a boot in an LX zone reads SmartOS over the zone socket: hostname, network config, user-data and the built-in vendor-data', async () => {
  const root = makeRoot({ drive: false });
  fs.mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc/sys/kernel/version'), 'BrandZ virtual linux\n');
  fs.mkdirSync(path.join(root, 'var/svc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/svc/provisioning'), '');
  const sock = path.join(root, 'native/.zonecontrol/metadata.sock');
  fs.mkdirSync(path.dirname(sock), { recursive: true });
  const standIn = await smartosStandIn(sock, {
    metadata: {
      'sdc:uuid': UUID,
      hostname: 'zone-1',
      root_authorized_keys: 'ssh-ed25519 AAAAC3Nz zone@host\n',
      'cloud-init:user-data': '#cloud-config\nruncmd: [echo from-smartos]\n',
      'user-script': '#!/bin/sh\necho user-script\n',
      'sdc:nics': JSON.stringify([{ interface: 'eth0', mac: '52:54:00:12:34:56', primary: true, ips: ['10.88.88.50/24'], gateways: ['10.88.88.2'] }]),
      'sdc:resolvers': JSON.stringify(['10.88.88.1']),
    },
  });
  try {
    // The boot runs in the test's worker thread and blocks this one: the stand-in is its own process.
    const runs = boot(root);
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    assert.deepEqual(recorded(root)[0], ['hostname', 'zone-1']);
    const eni = fs
      .readdirSync(path.join(root, 'etc/network/interfaces.d'))
      .map((f) => read(root, `etc/network/interfaces.d/${f}`))
      .join('\n');
    assert.match(eni, /address 10\.88\.88\.50\/24/);
    assert.match(eni, /gateway 10\.88\.88\.2/);
    const inst = `var/lib/cloud/instances/${UUID}`;
    assert.equal(read(root, `${inst}/data/user-script`), '#!/bin/sh\necho user-script\n');
    assert.ok(fs.existsSync(path.join(root, 'var/svc/provision_success')));
    // The built-in vendor-data is a boothook, run (recorded here) in the init stage.
    assert.ok(
      recorded(root).some((a) => a[0]?.endsWith(`${inst}/boothooks/part-001`) === true),
      JSON.stringify(recorded(root)),
    );
    assert.ok(recorded(root).some((a) => a[0]?.endsWith(`${inst}/scripts/runcmd`) === true));
    assert.equal(read(root, 'root/.ssh/authorized_keys').includes('ssh-ed25519 AAAAC3Nz zone@host'), true);
    const q = cli(root, 'query', 'v1');
    const v1 = JSON.parse(q.stdout) as Record<string, unknown>;
    assert.equal(v1['cloud_name'], 'joyent');
    assert.equal(v1['instance_id'], UUID);
    assert.equal(v1['subplatform'], 'socket (/native/.zonecontrol/metadata.sock)');
  } finally {
    standIn.stop();
  }
});
