// test-lane: full (network namespaces)
// The Akamai datasource against a stand-in of Akamai's metadata service at its real
// IPv4 address, 169.254.169.254 (its built-in URL), inside a network namespace the test
// creates and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { KID, KUSER } from './akamai-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'Linode', product_serial: String(KID) };

test('at 169.254.169.254: the instance read from its built-in URL with a token', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('Akamai', 'ok', DMI);
  assert.ok(result);
  assert.equal(result['instanceId'], String(KID));
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254)');
  assert.equal(result['userdata'], KUSER);
  assert.deepEqual(seen, ['PUT /v1/token 169.254.169.254', 'GET /v1/instance 169.254.169.254', 'GET /v1/user-data 169.254.169.254']);
});

test('at 169.254.169.254: wrong-type answers are errors naming the URL; 5xx and a slow service leave the local data', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('Akamai', 'array', DMI).error ?? '', /http:\/\/169\.254\.169\.254\/v1\/instance: expected a JSON object, got an array/);
  for (const mode of ['500', 'slow']) {
    const r = readInNamespace('Akamai', mode, DMI);
    assert.equal(r.result?.['instanceId'], String(KID), mode);
    assert.equal(r.result?.['userdata'], null, mode);
  }
});
