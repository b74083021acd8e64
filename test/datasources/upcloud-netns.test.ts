// test-lane: full (network namespaces)
// The UpCloud datasource against a stand-in of UpCloud's metadata service at its real
// address, 169.254.169.254 (its built-in URL), inside a network namespace the test
// creates and deletes. The machine's NICs are fake ones in the test's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { UK1, UMACS, UUID, UUSER } from './upcloud-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'UpCloud', product_uuid: UUID };
const nics = (root: string) => UMACS.forEach((m, i) => addNic(root, `eth${i}`, m));

test('at 169.254.169.254: the server read from its built-in URL, with network config for its NICs', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('UpCloud', 'ok', DMI, nics);
  assert.ok(result);
  assert.equal(result['instanceId'], UUID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254/metadata/v1.json)');
  assert.deepEqual(result['publicKeys'], [UK1]);
  assert.equal(result['userdata'], UUSER);
  assert.equal((result['networkConfig'] as { format: string }).format, 'v1');
  assert.deepEqual(seen, ['GET /metadata/v1.json 169.254.169.254']);
});

test('at 169.254.169.254: 5xx, wrong-type answers and a redirect elsewhere are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('UpCloud', '500', DMI, nics).error ?? '', /http:\/\/169\.254\.169\.254\/metadata\/v1\.json: HTTP 500/);
  assert.match(readInNamespace('UpCloud', 'array', DMI, nics).error ?? '', /expected a JSON object, got an array/);
  assert.match(readInNamespace('UpCloud', 'redirect', DMI, nics).error ?? '', /redirect to another origin/);
  const slow = readInNamespace('UpCloud', 'slow', DMI, nics);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
