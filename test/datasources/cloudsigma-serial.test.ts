// test-lane: full (a mount namespace per read, answers that wait out budgets)
// CloudSigma over the serial port: the server context read over /dev/ttyS1 from a
// pseudo-terminal stand-in the test makes (never a serial device of this machine);
// broken, silent and oversized answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CEPKO_REQUEST } from '../../packages/core/src/datasources/cloudsigma.js';
import { rootWithDmi } from './helpers.js';
import { serialSkip, serialStandIn } from './serial-standin.js';

const CONTEXT = {
  uuid: '65b2fb23-8c03-4187-a3ba-8b7c919e8890',
  name: 'test_server',
  meta: {
    'cloudinit-user-data': Buffer.from('#cloud-config\nruncmd: [echo sigma]\n').toString('base64'),
    base64_fields: 'cloudinit-user-data',
    ssh_public_key: 'ssh-rsa AAAAB3NzaC1yc2E sigma@cloud',
  },
};
const sigma = () => rootWithDmi({ product_name: 'CloudSigma' });

test('the context is read over the serial port from the stand-in: the cepko request, one JSON line back', { skip: serialSkip }, async () => {
  const root = sigma();
  const standIn = await serialStandIn(root, '>$', [`${JSON.stringify(CONTEXT)}\x04\n`]);
  try {
    const out = await standIn.find('CloudSigma', { max_wait: 10 });
    const r = out.result;
    assert.ok(r, out.error);
    assert.equal(r['instanceId'], CONTEXT.uuid);
    assert.equal(r['cloudName'], 'cloudsigma');
    assert.equal(r['platform'], 'cloudsigma');
    assert.equal(r['userdata'], '#cloud-config\nruncmd: [echo sigma]\n');
    assert.deepEqual(r['metadata'], CONTEXT);
    assert.deepEqual(await standIn.requests(), [CEPKO_REQUEST]);
  } finally {
    standIn.stop();
  }
});

test('an answer that is not JSON is an error naming the port, line and column', { skip: serialSkip }, async () => {
  const root = sigma();
  const standIn = await serialStandIn(root, '>$', ['{"uuid": "x", "meta": \n']);
  try {
    const { error } = await standIn.find('CloudSigma', { max_wait: 10 });
    assert.match(error ?? '', /^\/dev\/ttyS1 line 1 col \d+: not valid JSON.*\(the server context\)/);
  } finally {
    standIn.stop();
  }
});

test('a silent host ends on the wait budget with an error saying so', { skip: serialSkip }, async () => {
  const root = sigma();
  const standIn = await serialStandIn(root, '>$', [null]);
  try {
    const { error } = await standIn.find('CloudSigma', { max_wait: 0.5 });
    assert.match(error ?? '', /^\/dev\/ttyS1: no complete answer within 500 ms \(0 bytes received\)/);
  } finally {
    standIn.stop();
  }
});

test('an answer that never ends a line is cut off at the size limit', { skip: serialSkip }, async () => {
  const root = sigma();
  const standIn = await serialStandIn(root, '>$', ['x'.repeat(4 * 1024 * 1024 + 70000)]);
  try {
    const { error } = await standIn.find('CloudSigma', { max_wait: 30 });
    assert.match(error ?? '', /^\/dev\/ttyS1: answer larger than 4194304 bytes; refused/);
  } finally {
    standIn.stop();
  }
});
