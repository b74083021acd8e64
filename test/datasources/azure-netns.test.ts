// test-lane: full (network namespaces)
// The Azure datasource against stand-ins of IMDS and the wireserver at their real
// addresses, 169.254.169.254 and 168.63.129.16, on a dummy interface (a veth pair where
// the kernel has no dummy module) inside a network namespace the test creates and
// deletes: nimbus's defaults, no URL overridden. This machine's own network is never
// touched: every `ip` runs with -n NS, and the reader runs inside `ip netns exec NS`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { put, rootWithDmi } from './helpers.js';
import { OVF_KEY, PASSWORD, SSH_KEY, VM_UUID, ovfEnv } from './azure/fixtures.js';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'azure', 'netns-runner.js');
const TAG = '7783-7084-3265-9085-8269-3286-77';

const skip = netnsUnavailable();

interface Req {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body: string;
}
interface Run {
  result?: Record<string, unknown> | null;
  error?: string;
  requests: Req[];
}

function inNamespace(mode: string, stage: 'local' | 'net', withOvf = true): { runs: Run[]; log: string[] } {
  const root = rootWithDmi({ chassis_asset_tag: TAG, product_uuid: VM_UUID, sys_vendor: 'Microsoft Corporation' });
  if (withOvf) put(root, 'var/lib/cloud/seed/azure/ovf-env.xml', ovfEnv());
  return runInMetadataNamespace(['169.254.169.254', '168.63.129.16'], RUNNER, [root, mode, stage]);
}

const wire = (run: Run | undefined) => (run?.requests ?? []).filter((q) => q.url.startsWith('/machine')).map((q) => `${q.method} ${q.url}`);

test('at the real addresses, in the local stage with the network up: IMDS read with its header, report ready sent once per instance', { skip: skip ?? false }, () => {
  const { runs, log } = inNamespace('ok', 'local');
  const [first, second] = runs;
  const r = first?.result;
  assert.ok(r, JSON.stringify(first));
  assert.equal(r['instanceId'], VM_UUID);
  assert.equal(r['localHostname'], 'imds-host');
  assert.equal(r['region'], 'westeurope');
  assert.deepEqual(r['publicKeys'], [SSH_KEY]);
  assert.equal(r['subplatform'], 'seed-dir (/var/lib/cloud/seed/azure)');
  const imdsReq = first.requests.find((q) => q.url.startsWith('/metadata/'));
  assert.equal(imdsReq?.url, '/metadata/instance?api-version=2021-08-01&extended=true');
  assert.equal(imdsReq?.headers?.['metadata'], 'true');
  assert.equal(imdsReq?.headers?.['host'], '169.254.169.254');
  assert.deepEqual(wire(first), ['GET /machine/?comp=goalstate', 'POST /machine?comp=health']);
  assert.equal(first.requests.find((q) => q.method === 'POST')?.headers?.['host'], '168.63.129.16');
  assert.match(first.requests.find((q) => q.method === 'POST')?.body ?? '', /<State>Ready<\/State>/);
  assert.ok(second?.result, 'the same instance read again');
  assert.deepEqual(wire(second), [], 'no second report for the same instance');
  assert.ok(!log.join('\n').includes(PASSWORD));
});

test('at the real addresses, IMDS failing with 500: one failure report, provisioning from ovf-env.xml', { skip: skip ?? false }, () => {
  const { runs } = inNamespace('500', 'net');
  const r = runs[0]?.result;
  assert.ok(r);
  assert.deepEqual(r['publicKeys'], [OVF_KEY]);
  assert.deepEqual(wire(runs[0]), ['GET /machine/?comp=goalstate', 'POST /machine?comp=health']);
  assert.match(runs[0]?.requests.find((q) => q.method === 'POST')?.body ?? '', /<State>NotReady<\/State>[\s\S]*reason=http error 500 querying IMDS/);
  assert.deepEqual(wire(runs[1]), []);
});

test('at the real addresses, a slow IMDS ends on the budget and provisioning still reports ready', { skip: skip ?? false }, () => {
  const { runs, log } = inNamespace('slow', 'net');
  assert.ok(runs[0]?.result);
  assert.ok(
    log.some((l) => /ignoring IMDS metadata: .*(no response within|time budget)/.test(l)),
    log.join('\n'),
  );
  assert.deepEqual(wire(runs[0]), ['GET /machine/?comp=goalstate', 'POST /machine?comp=health']);
});

test('at the real addresses, truncated and wrong-type IMDS answers are refused and reported', { skip: skip ?? false }, () => {
  for (const mode of ['truncated', 'array']) {
    const { runs, log } = inNamespace(mode, 'net');
    assert.ok(runs[0]?.result, mode);
    assert.ok(
      log.some((l) => /ignoring IMDS metadata/.test(l)),
      mode,
    );
    assert.match(runs[0]?.requests.find((q) => q.method === 'POST')?.body ?? '', /<State>NotReady<\/State>/, mode);
  }
});

test('at the real addresses, IMDS alone (no ovf-env.xml) provisions the instance', { skip: skip ?? false }, () => {
  const { runs } = inNamespace('ok', 'net', false);
  const r = runs[0]?.result;
  assert.ok(r, JSON.stringify(runs[0]));
  assert.equal(r['subplatform'], 'imds (IMDS)');
  assert.equal(r['userdata'], '#cloud-config\nruncmd: [echo from-imds]\n');
  assert.deepEqual(wire(runs[0]), ['GET /machine/?comp=goalstate', 'POST /machine?comp=health']);
});
