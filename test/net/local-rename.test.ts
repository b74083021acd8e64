// The local stage names NICs as the network configuration says before any network
// manager starts: a snapshot booted with a new NIC that udev called ens2, while
// network_data.json names it eth0, must not leave ifupdown looking for eth0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { driveWith, makeRoot, recorded, stage } from '../helpers/boot.js';

function driveNamingEth0(): string {
  return driveWith((dir) => {
    for (const v of fs.readdirSync(path.join(dir, 'openstack'))) {
      const p = path.join(dir, 'openstack', v, 'network_data.json');
      if (!fs.existsSync(p)) continue;
      const nd = JSON.parse(fs.readFileSync(p, 'utf8')) as { links: Record<string, unknown>[] };
      nd.links[0]!.name = 'eth0';
      fs.writeFileSync(p, JSON.stringify(nd));
    }
  });
}

test('the local stage renames a NIC that udev named ens2 to the eth0 network_data.json gives it, before the network starts', () => {
  const root = makeRoot({ drive: driveNamingEth0(), nics: [['ens2', '52:54:00:12:34:56']] });
  const r = stage(root, 'local');
  assert.equal(r.code, 0, r.stderr);
  const cmds = recorded(root).map((a) => a.join(' '));
  const toTmp = cmds.findIndex((c) => /^ip link set dev ens2 name \S+$/.test(c));
  assert.ok(toTmp >= 0, cmds.join('\n'));
  const tmp = cmds[toTmp]!.split(' ').at(-1);
  assert.ok(cmds.slice(toTmp).includes(`ip link set dev ${tmp} name eth0`), cmds.join('\n'));
  assert.match(fs.readFileSync(path.join(root, 'etc/network/interfaces.d/50-cloud-init'), 'utf8'), /iface eth0 inet static/);
});

test('the local stage renames nothing when the NIC already has the name the configuration gives it', () => {
  const root = makeRoot({ drive: driveNamingEth0(), nics: [['eth0', '52:54:00:12:34:56']] });
  const r = stage(root, 'local');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!recorded(root).some((a) => a.join(' ').includes(' name ')), recorded(root).join('\n'));
});
