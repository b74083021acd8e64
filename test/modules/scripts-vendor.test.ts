// scripts_vendor: the vendor-data scripts, behind the user's prefix, unless turned off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { scriptsVendor, vendorPrefix } from '../../packages/core/src/modules/scripts-vendor.js';

test('scripts_vendor: runs vendor scripts with the prefix; disabled by vendor_data.enabled false', async () => {
  const k = makeKit();
  k.write('var/lib/cloud/instances/iid-kit-1/scripts/vendor/01-setup', '#!/bin/sh\n', 0o600);
  await k.run(scriptsVendor, 'vendor_data: {prefix: [/usr/bin/ltrace, -f]}\n');
  assert.deepEqual(k.argvs(), [['/usr/bin/ltrace', '-f', '/var/lib/cloud/instances/iid-kit-1/scripts/vendor/01-setup']]);
  assert.equal(k.mode('var/lib/cloud/instances/iid-kit-1/scripts/vendor/01-setup') & 0o700, 0o700);
  const off = makeKit();
  off.write('var/lib/cloud/instances/iid-kit-1/scripts/vendor/01-setup', '#!/bin/sh\n', 0o700);
  await off.run(scriptsVendor, 'vendor_data: {enabled: false}\n');
  assert.deepEqual(off.argvs(), []);
  assert.deepEqual(vendorPrefix('/bin/strace -f'), ['/bin/strace -f']);
  assert.ok('bad' in (vendorPrefix([{}]) as object));
});
