// test-lane: full (network namespaces)
// The AliYun datasource against a stand-in of Alibaba Cloud ECS's metadata service at
// its real address, 100.100.100.200 (its built-in URL), inside a network namespace the
// test creates and deletes. The machine's NICs are fake ones in the test's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';
import { rootWithDmi } from './helpers.js';
import type { NetnsRead } from './linklocal-netns.js';
import { AIID, AK1, AMACS, AUSER } from './aliyun-fixtures.js';

const skip = netnsUnavailable();
const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'aliyun-netns-runner.js');

function readAliYun(mode: string): NetnsRead {
  const root = rootWithDmi({ product_name: 'Alibaba Cloud ECS' });
  addNic(root, 'eth0', AMACS[0]);
  return runInMetadataNamespace(['100.100.100.200'], RUNNER, [root, mode]);
}

test('at 100.100.100.200: the instance read from its built-in URL with a token, with network config for its NIC', { skip: skip ?? false }, () => {
  const { result, seen, error } = readAliYun('ok');
  assert.equal(error, undefined);
  assert.ok(result);
  assert.equal(result['instanceId'], AIID);
  assert.equal(result['subplatform'], 'metadata (http://100.100.100.200)');
  assert.deepEqual(result['publicKeys'], [AK1]);
  assert.equal(result['userdata'], AUSER);
  assert.equal((result['networkConfig'] as { format: string }).format, 'v2');
  assert.deepEqual(seen, [
    'PUT /latest/api/token 100.100.100.200',
    'GET /2016-01-01/user-data 100.100.100.200',
    'GET /2016-01-01/vendor-data 100.100.100.200',
    'GET /2016-01-01/meta-data/all 100.100.100.200',
  ]);
});

test('at 100.100.100.200: refused tokens and 5xx are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readAliYun('token-403').error ?? '', /http:\/\/100\.100\.100\.200\/latest\/api\/token: HTTP 403/);
  assert.match(readAliYun('500').error ?? '', /http:\/\/100\.100\.100\.200\/2016-01-01\/meta-data\/all: HTTP 500/);
  const slow = readAliYun('slow');
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /(not reachable|stopped answering): .*(no response within|time budget)/.test(l)));
});
