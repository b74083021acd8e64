// test-lane: full (network namespaces)
// The Oracle datasource against a stand-in of OCI's metadata service at its real
// address, 169.254.169.254, inside a network namespace the test creates and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { OID, OK1, OK2, OUSER } from './oracle-fixtures.js';

const skip = netnsUnavailable();
const DMI = { chassis_asset_tag: 'OracleCloud.com' };

test('at 169.254.169.254: /opc/v2/ read with its header, the instance as documented', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('Oracle', 'ok', DMI);
  assert.ok(result);
  assert.equal(result['instanceId'], OID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254/opc/v2/)');
  assert.equal(result['availabilityZone'], 'eu-frankfurt-1-ad-1');
  assert.deepEqual(result['publicKeys'], [OK1, OK2]);
  assert.equal(result['userdata'], OUSER);
  assert.deepEqual(seen, ['GET /opc/v2/instance/ 169.254.169.254']);
});

test('at 169.254.169.254: v1 when v2 is not there; 5xx and slow are "not here", wrong types an error', { skip: skip ?? false }, () => {
  const v1 = readInNamespace('Oracle', 'v1-only', DMI);
  assert.equal(v1.result?.['subplatform'], 'metadata (http://169.254.169.254/opc/v1/)');
  const five = readInNamespace('Oracle', '500', DMI);
  assert.equal(five.result, null);
  assert.ok(five.log.some((l) => /no metadata service answered: http:\/\/169\.254\.169\.254\/opc\/v2\/instance\/: HTTP 500/.test(l)));
  assert.match(readInNamespace('Oracle', 'array', DMI).error ?? '', /http:\/\/169\.254\.169\.254\/opc\/v2\/instance\/: expected a JSON object/);
  const slow = readInNamespace('Oracle', 'slow', DMI);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /no metadata service answered: .*(no response within|time budget)/.test(l)));
});
