// update_hostname: the host name kept in step with configuration and metadata on every boot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { setHostnameModule } from '../../packages/core/src/modules/set-hostname.js';
import { updateHostname } from '../../packages/core/src/modules/update-hostname.js';

test('update_hostname: follows metadata, but leaves a name changed by hand', async () => {
  const k = makeKit();
  await k.run(setHostnameModule, '{}');
  await k.run(updateHostname, '{}', { localHostname: 'web-2' });
  assert.equal(k.read('etc/hostname'), 'web-2\n');
  k.write('etc/hostname', 'mine\n');
  await k.run(updateHostname, '{}', { localHostname: 'web-3' });
  assert.equal(k.read('etc/hostname'), 'mine\n');
});
