// test-lane: full (network namespaces)
// The Vultr datasource against a stand-in of Vultr's metadata service at its real
// address, 169.254.169.254 (its built-in URL), inside a network namespace the test
// creates and deletes. The machine's NICs are fake ones in the test's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNic } from '../helpers/boot.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { readInNamespace } from './linklocal-netns.js';
import { VIID, VK1, VPRIVATE_MAC, VPUBLIC_MAC, VUSER } from './vultr-fixtures.js';

const skip = netnsUnavailable();
const DMI = { sys_vendor: 'Vultr' };
const nics = (root: string) => {
  addNic(root, 'ens3', VPUBLIC_MAC);
  addNic(root, 'ens7', VPRIVATE_MAC);
};

test('at 169.254.169.254: the instance read from its built-in URL, with network config for its NICs', { skip: skip ?? false }, () => {
  const { result, seen } = readInNamespace('Vultr', 'ok', DMI, nics);
  assert.ok(result);
  assert.equal(result['instanceId'], VIID);
  assert.equal(result['subplatform'], 'metadata (http://169.254.169.254)');
  assert.deepEqual(result['publicKeys'], [VK1]);
  assert.equal(result['userdata'], VUSER);
  const net = result['networkConfig'] as { config: { config: { name?: string }[] } };
  assert.deepEqual(
    net.config.config.map((c) => c.name),
    [undefined, 'ens3', 'ens7'],
  );
  assert.deepEqual(seen, ['GET /v1.json 169.254.169.254']);
});

test('at 169.254.169.254: 5xx, wrong-type answers and a redirect elsewhere are errors naming the URL; a slow service ends on the budget', { skip: skip ?? false }, () => {
  assert.match(readInNamespace('Vultr', '500', DMI, nics).error ?? '', /http:\/\/169\.254\.169\.254\/v1\.json: HTTP 500/);
  assert.match(readInNamespace('Vultr', 'array', DMI, nics).error ?? '', /expected a JSON object, got an array/);
  assert.match(readInNamespace('Vultr', 'redirect', DMI, nics).error ?? '', /redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/);
  const slow = readInNamespace('Vultr', 'slow', DMI, nics);
  assert.equal(slow.result, null);
  assert.ok(slow.log.some((l) => /not reachable: .*(no response within|time budget)/.test(l)));
});
