// test-lane: full (network namespaces)
// The NWCS datasource against a stand-in of NWCS's metadata service at its real
// address, 169.254.169.254 (its built-in URL), inside a network namespace the test
// creates and deletes. The machine's NIC is a fake one in the test's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { NIID, NK1, NMAC, NUSER } from './nwcs-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'NWCS' };
const nics = (root: string) => addNic(root, 'ens3', NMAC);

test('at 169.254.169.254: the instance read from its built-in URL, with network config for its NIC', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('NWCS', 'ok', DMI, nics);
  assert.ok(result);
  assert.equal(result['instanceId'], NIID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254/api/v1/metadata)');
  assert.deepEqual(result['publicKeys'], [NK1]);
  assert.equal(result['userdata'], NUSER);
  assert.equal((result['networkConfig'] as { format: string }).format, 'v1');
  assert.deepEqual(seen, ['GET /api/v1/metadata 169.254.169.254']);
});

test('at 169.254.169.254: 5xx and wrong-type answers are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('NWCS', '500', DMI, nics).error ?? '', /http:\/\/169\.254\.169\.254\/api\/v1\/metadata: HTTP 500/);
  assert.match(readInNamespace('NWCS', 'array', DMI, nics).error ?? '', /expected a JSON object, got an array/);
  const slow = readInNamespace('NWCS', 'slow', DMI, nics);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
