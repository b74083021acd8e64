// test-lane: full (network namespaces)
// The GCE datasource against a stand-in of Google's metadata server at its real
// address, 169.254.169.254, on a dummy interface (a veth pair where the kernel has no
// dummy module) inside a network namespace the test creates and deletes. This
// machine's own network is never touched: every `ip` runs with -n NS, and the reader
// runs inside `ip netns exec NS`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootWithDmi } from './helpers.js';
import { K1, K2 } from './gce-fixtures.js';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gce-netns-runner.js');

const skip = netnsUnavailable();

function inNamespace(mode: string): { result?: Record<string, unknown> | null; error?: string; seen: string[]; log: string[] } {
  return runInMetadataNamespace(['169.254.169.254'], RUNNER, [rootWithDmi({ product_name: 'Google Compute Engine' }), mode]);
}

test('at 169.254.169.254: every request with Metadata-Flavor, the instance read as documented', { skip: skip ?? false }, () => {
  const { result, seen } = inNamespace('ok');
  assert.ok(result);
  assert.equal(result['instanceId'], '8812345678901234567');
  assert.equal(result['localHostname'], 'vm-1');
  assert.equal(result['region'], 'europe-west1');
  assert.deepEqual(result['publicKeys'], [K1, K2]);
  assert.equal(result['userdata'], '#cloud-config\nruncmd: [echo gce]\n');
  assert.equal(seen.length, 5);
  assert.ok(seen.every((l) => l.endsWith(' 169.254.169.254')));
});

test('at 169.254.169.254: 5xx and wrong-type answers are errors naming the URL; a slow server ends on the budget', { skip: skip ?? false }, () => {
  assert.match(inNamespace('500').error ?? '', /http:\/\/169\.254\.169\.254\/computeMetadata\/v1\/instance\/id: HTTP 503/);
  assert.match(inNamespace('array').error ?? '', /expected a JSON object of attributes/);
  assert.match(inNamespace('truncated').error ?? '', /not valid JSON/);
  const slow = inNamespace('slow');
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
