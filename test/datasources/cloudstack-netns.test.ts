// test-lane: full (network namespaces)
// The CloudStack datasource against a stand-in of the instance's virtual router (its
// metadata service on port 80, its password server on 8080) at the address a DHCP lease
// in the test's root names, inside a network namespace the test creates and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';
import { put, rootWithDmi } from './helpers.js';
import type { NetnsRead } from './linklocal-netns.js';
import { CIID, CK1, CPASSWORD, CUSER, VR } from './cloudstack-fixtures.js';

const skip = netnsUnavailable();
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cloudstack-netns-runner.js');

function readCloudStack(mode: string, pwMode = 'ok', lease: 'networkd' | 'dhclient' = 'networkd'): NetnsRead {
  const root = rootWithDmi({ product_name: 'CloudStack KVM Hypervisor' });
  if (lease === 'networkd') put(root, 'run/systemd/netif/leases/2', `ADDRESS=10.1.1.50\nSERVER_ADDRESS=${VR}\n`);
  else put(root, 'var/lib/dhcp/dhclient.eth0.leases', `lease {\n  interface "eth0";\n  option dhcp-server-identifier ${VR};\n}\n`);
  return runInMetadataNamespace([VR], RUNNER, [root, mode, pwMode]);
}

test('the virtual router named by the networkd lease: instance, user-data, and the password given once and acknowledged', { skip: skip ?? false }, () => {
  const { result, seen, error, log } = readCloudStack('ok');
  assert.equal(error, undefined);
  assert.ok(result);
  assert.equal(result['instanceId'], CIID);
  assert.equal(result['subplatform'], `metadata (http://${VR})`);
  assert.equal(result['localHostname'], 'vm-cs-1');
  assert.equal(result['availabilityZone'], 'zone1');
  assert.deepEqual(result['publicKeys'], [CK1]);
  assert.equal(result['userdata'], CUSER);
  assert.deepEqual(result['config'], { ssh_pwauth: true, password: CPASSWORD, chpasswd: { expire: false } });
  assert.deepEqual(seen.slice(0, 3), [`GET ${VR}/latest/meta-data/instance-id`, `GET ${VR}/latest/user-data`, `GET ${VR}/latest/meta-data/`]);
  assert.deepEqual(seen.slice(-2), [`GET ${VR}:8080/ send_my_password`, `GET ${VR}:8080/ saved_password`]);
  assert.ok(log.some((l) => l.includes(`virtual router ${VR}, from /run/systemd/netif/leases/2 (SERVER_ADDRESS)`)));
  assert.ok(!log.some((l) => l.includes(CPASSWORD)), 'the password is never logged');
});

test('the router from a dhclient lease; a saved password gives none; bad_request is an error in the log only', { skip: skip ?? false }, () => {
  const d = readCloudStack('ok', 'saved', 'dhclient');
  assert.equal(d.result?.['instanceId'], CIID);
  assert.equal(d.result?.['config'], undefined);
  const bad = readCloudStack('ok', 'bad_request');
  assert.equal(bad.result?.['instanceId'], CIID);
  assert.equal(bad.result?.['config'], undefined);
  assert.ok(bad.log.some((l) => /failed to fetch the password from the virtual router .*bad_request/.test(l)));
  assert.ok(!bad.seen.some((s) => s.endsWith('saved_password')), 'nothing acknowledged after bad_request');
});

test('the router answering 5xx or an empty instance id is an error naming the URL; a slow one ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readCloudStack('500').error ?? '', new RegExp(`http://${VR.replace(/\./g, '\\.')}/latest/meta-data/instance-id: HTTP 500`));
  assert.match(readCloudStack('no-iid').error ?? '', /expected the instance id, got ""/);
  const slow = readCloudStack('slow');
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /CloudStack metadata service not reachable: .*(no response within|time budget)/.test(l)));
});
