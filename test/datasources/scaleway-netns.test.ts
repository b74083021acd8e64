// test-lane: full (network namespaces)
// The Scaleway datasource against a stand-in of Scaleway's metadata service at its real
// addresses, 169.254.42.42 and fd00:42::42 (its built-in URLs), inside a network
// namespace the test creates and deletes: user- and vendor-data only from a privileged
// source port, the IPv6 address when the IPv4 one does not answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';
import { rootWithDmi } from './helpers.js';
import type { NetnsRead } from './linklocal-netns.js';
import { SID, SK1, SUSER, SVENDOR } from './scaleway-fixtures.js';

const skip = netnsUnavailable();
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scaleway-netns-runner.js');

function readScaleway(mode: string): NetnsRead {
  const root = rootWithDmi({ sys_vendor: 'Scaleway' });
  addNic(root, 'ens2', 'de:00:00:11:22:33');
  return runInMetadataNamespace(['169.254.42.42', 'fd00:42::42'], RUNNER, [root, mode]);
}

test('at 169.254.42.42: the server read from its built-in URL, user- and vendor-data from a privileged source port', { skip: skip ?? false }, () => {
  const { result, seen, error } = readScaleway('ok');
  assert.equal(error, undefined);
  assert.ok(result);
  assert.equal(result['instanceId'], SID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.42.42)');
  assert.deepEqual((result['publicKeys'] as string[])[0], SK1);
  assert.equal(result['userdata'], SUSER);
  assert.equal(result['vendordata'], SVENDOR);
  assert.deepEqual(seen, [
    'GET /conf?format=json 169.254.42.42 from port above 1024',
    'GET /user_data/cloud-init 169.254.42.42 from port below 1024',
    'GET /vendor_data/cloud-init 169.254.42.42 from port below 1024',
  ]);
});

test('at fd00:42::42: when 169.254.42.42 does not answer, the IPv6 address is read, also from a privileged port', { skip: skip ?? false }, () => {
  const { result, seen } = readScaleway('v6-only');
  assert.ok(result);
  assert.equal(result['subplatform'], 'metadata (http://[fd00:42::42])');
  assert.equal((result['metadata'] as Record<string, unknown>)['net_in_use'], 'ipv6');
  assert.equal(result['userdata'], SUSER);
  assert.deepEqual(seen, [
    'GET /conf?format=json [fd00:42::42] from port above 1024',
    'GET /user_data/cloud-init [fd00:42::42] from port below 1024',
    'GET /vendor_data/cloud-init [fd00:42::42] from port below 1024',
  ]);
});

test('at 169.254.42.42: 5xx and wrong-type answers are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readScaleway('500').error ?? '', /http:\/\/169\.254\.42\.42\/conf\?format=json: HTTP 500/);
  assert.match(readScaleway('array').error ?? '', /expected a JSON object, got an array/);
  const slow = readScaleway('slow');
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /Scaleway metadata service not reachable: .*(no response within|time budget)/.test(l)));
});
