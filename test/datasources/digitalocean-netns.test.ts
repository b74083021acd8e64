// test-lane: full (network namespaces)
// The DigitalOcean datasource against a stand-in of its metadata service at its real
// address, 169.254.169.254 (its built-in URL), inside a network namespace the test
// creates and deletes. The link-local address it puts on the first NIC is recorded,
// never added: the machine's NICs are fake ones in the test's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { DK1, DUSER, PRIVATE_MAC, PUBLIC_MAC } from './digitalocean-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'DigitalOcean', product_serial: '2756294' };
const nics = (root: string) => {
  addNic(root, 'ens3', PUBLIC_MAC);
  addNic(root, 'ens4', PRIVATE_MAC);
};

test('at 169.254.169.254: the droplet read from its built-in URL, with network config for its NICs', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('DigitalOcean', 'ok', DMI, nics);
  assert.ok(result);
  assert.equal(result['instanceId'], '2756294');
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254/metadata/v1.json)');
  assert.deepEqual(result['publicKeys'], [DK1]);
  assert.equal(result['userdata'], DUSER);
  const net = result['networkConfig'] as { config: { config: { name?: string }[] } };
  assert.deepEqual(
    net.config.config.map((c) => c.name),
    ['eth0', 'eth1', undefined],
  );
  assert.deepEqual(seen, ['GET /metadata/v1.json 169.254.169.254']);
});

test('at 169.254.169.254: 5xx and wrong-type answers are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('DigitalOcean', '500', DMI, nics).error ?? '', /http:\/\/169\.254\.169\.254\/metadata\/v1\.json: HTTP 500/);
  assert.match(readInNamespace('DigitalOcean', 'array', DMI, nics).error ?? '', /expected a JSON object, got an array/);
  const slow = readInNamespace('DigitalOcean', 'slow', DMI, nics);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
