// test-lane: full (network namespaces)
// The Exoscale datasource against stand-ins of Exoscale's metadata service and password
// server at their real address, 169.254.169.254 ports 80 and 8080 (its built-in URLs),
// inside a network namespace the test creates and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';
import { rootWithDmi } from './helpers.js';
import type { NetnsRead } from './linklocal-netns.js';
import { EIID, EK1, EPASSWORD, EUSER } from './exoscale-fixtures.js';

const skip = netnsUnavailable();
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'exoscale-netns-runner.js');

function readExoscale(mode: string, pwMode = 'ok'): NetnsRead {
  return runInMetadataNamespace(['169.254.169.254'], RUNNER, [rootWithDmi({ product_name: 'Exoscale Compute Platform' }), mode, pwMode]);
}

test('at 169.254.169.254: the instance read from its built-in URLs, the password from port 8080, acknowledged', { skip: skip ?? false }, () => {
  const { result, seen, error } = readExoscale('ok');
  assert.equal(error, undefined);
  assert.ok(result);
  assert.equal(result['instanceId'], EIID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254)');
  assert.deepEqual(result['publicKeys'], [EK1]);
  assert.equal(result['userdata'], EUSER);
  assert.equal((result['config'] as Record<string, unknown>)['password'], EPASSWORD);
  assert.deepEqual(seen.slice(0, 3), ['GET 169.254.169.254/1.0/meta-data/instance-id', 'GET 169.254.169.254/1.0/user-data', 'GET 169.254.169.254/1.0/meta-data/']);
  assert.deepEqual(seen.slice(-2), ['GET 169.254.169.254:8080/1.0/ send_my_password', 'GET 169.254.169.254:8080/1.0/ saved_password']);
});

test('at 169.254.169.254: 5xx is an error naming the URL; a slow service ends on the budget; a failing password server only loses the password', { skip: skip ?? false }, () => {
  assert.match(readExoscale('500').error ?? '', /http:\/\/169\.254\.169\.254\/1\.0\/meta-data\/instance-id: HTTP 500/);
  const slow = readExoscale('slow');
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
  const nopw = readExoscale('ok', '500');
  assert.equal(nopw.result?.['instanceId'], EIID);
  assert.equal(nopw.result?.['config'], undefined);
});
