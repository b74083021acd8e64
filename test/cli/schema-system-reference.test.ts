// test-lane: full (reference chroot)
// `schema --system` against cloud-init 25.1's own handler, on the /var/lib/cloud state a
// nimbus boot left: user-data and vendor-data (cloud-config.txt, vendor-cloud-config.txt)
// and a network-config. Both must find the same parts, agree on which are valid, name
// the same bad keys and exit alike; the wording differences are in docs/compat.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, driveWith, instanceDir, makeRoot, setUserData } from '../helpers/boot.js';
import { refCli, refOf } from './reference-cli.js';
import { ensurePackage } from '../helpers/apt.js';

const REF = refOf('trixie');
const skip = REF === null && 'reference cloud-init 25.1 not built';

test("the reference validates with Debian's python3-jsonschema", { skip }, () => {
  assert.ok(ensurePackage('python3-jsonschema'), "python3-jsonschema is needed for cloud-init's schema");
});

function bootedWith(userData: string, vendorData: string | null): string {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, userData)) });
  boot(root);
  const inst = path.join(root, instanceDir(root));
  // The vendor layer as the init stage stores it (a config drive's vendor_data.json
  // carries it too; written directly here so both tools see the same text).
  if (vendorData !== null) fs.writeFileSync(path.join(inst, 'vendor-cloud-config.txt'), vendorData);
  return root;
}

/** The parts a run found ("user-data", "vendor-data", ...), from "Found cloud-config data types: ...". */
const partsOf = (out: string) => /^Found cloud-config data types: (.*)$/m.exec(out)?.[1]?.split(', ') ?? [];

test('schema --system finds user-data, vendor-data and vendor2-data and agrees with cloud-init 25.1 when both are valid', { skip }, () => {
  const root = bootedWith('#cloud-config\nruncmd: [echo hi]\n', '#cloud-config\npackages: [curl]\n');
  const ours = cli(root, 'schema', '--system');
  const theirs = refCli(REF!, root, 'schema', '--system');
  assert.equal(ours.code, theirs.code, `ours: ${ours.stdout}${ours.stderr}\ntheirs: ${theirs.stdout}${theirs.stderr}`);
  assert.equal(ours.code, 0);
  assert.deepEqual(partsOf(ours.stdout), partsOf(theirs.stdout));
  assert.deepEqual(partsOf(ours.stdout), ['user-data', 'vendor-data', 'vendor2-data']);
});

test('schema --system: an invalid user-data key fails both, naming the same key, and the valid vendor-data passes both', { skip }, (t) => {
  const root = bootedWith('#cloud-config\nruncmd: [echo hi]\npackage_update: maybe\n', '#cloud-config\nlocale: en_US.UTF-8\n');
  const ours = cli(root, 'schema', '--system');
  const theirs = refCli(REF!, root, 'schema', '--system');
  t.diagnostic(`nimbus:\n${ours.stdout}${ours.stderr}\ncloud-init 25.1:\n${theirs.stdout}${theirs.stderr}`);
  assert.equal(ours.code, 1, ours.stdout + ours.stderr);
  assert.equal(theirs.code, 1, theirs.stdout + theirs.stderr);
  assert.match(ours.stdout, /package_update/);
  assert.match(theirs.stdout + theirs.stderr, /package_update/);
  assert.match(ours.stderr, /Error: Invalid schema: user-data\n/);
  assert.match(theirs.stderr, /Error: Invalid schema: user-data\n/);
  assert.deepEqual(partsOf(ours.stdout), partsOf(theirs.stdout));
});

test('schema --system: a bad network-config (v2) is found and fails on both', { skip }, () => {
  const root = bootedWith('#cloud-config\nruncmd: [echo hi]\n', null);
  const inst = path.join(root, instanceDir(root));
  const net = { version: 2, ethernets: { eth0: { dhcp4: 'sometimes' } } };
  // cloud-init reads instance/network-config.json; nimbus the datasource's v1/v2 config
  // from its instance cache: the same config in both places.
  fs.writeFileSync(path.join(inst, 'network-config.json'), JSON.stringify(net));
  const cachePath = path.join(inst, 'obj.json');
  const cache = JSON.parse(fs.readFileSync(cachePath, 'utf8')) as { datasource: Record<string, unknown> };
  cache.datasource.networkConfig = { format: 'v2', config: net, source: '/var/lib/cloud/seed/nocloud/network-config' };
  fs.writeFileSync(cachePath, JSON.stringify(cache));
  const ours = cli(root, 'schema', '--system');
  const theirs = refCli(REF!, root, 'schema', '--system');
  assert.deepEqual(partsOf(ours.stdout), partsOf(theirs.stdout), theirs.stdout);
  assert.ok(partsOf(ours.stdout).includes('network-config'));
  assert.equal(ours.code, theirs.code, `ours: ${ours.stdout}${ours.stderr}\ntheirs: ${theirs.stdout}${theirs.stderr}`);
  assert.match(ours.stdout, /dhcp4/);
  assert.match(theirs.stdout + theirs.stderr, /dhcp4/);
});
