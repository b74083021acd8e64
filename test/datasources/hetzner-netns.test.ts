// test-lane: full (network namespaces)
// The Hetzner datasource against a stand-in of Hetzner Cloud's metadata service at its
// real address, 169.254.169.254 (its built-in URLs), inside a network namespace the test
// creates and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { HK1, HSERIAL, HUSER } from './hetzner-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'Hetzner', product_serial: HSERIAL };

test('at 169.254.169.254: the server read from its built-in URLs, with its network config', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('Hetzner', 'ok', DMI);
  assert.ok(result);
  assert.equal(result['instanceId'], HSERIAL);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254/hetzner/v1/metadata)');
  assert.deepEqual(result['publicKeys'], [HK1]);
  assert.equal(result['userdata'], HUSER);
  assert.equal((result['networkConfig'] as { format: string }).format, 'v1');
  assert.deepEqual(seen, ['GET /hetzner/v1/metadata 169.254.169.254', 'GET /hetzner/v1/userdata 169.254.169.254']);
});

test('at 169.254.169.254: 5xx and wrong-type answers are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('Hetzner', '500', DMI).error ?? '', /http:\/\/169\.254\.169\.254\/hetzner\/v1\/metadata: HTTP 500/);
  assert.match(readInNamespace('Hetzner', 'list', DMI).error ?? '', /expected a YAML mapping, got a list/);
  const slow = readInNamespace('Hetzner', 'slow', DMI);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
