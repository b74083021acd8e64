// test-lane: full (hostile vendor-data: five spellings and disabled_handlers, each on its own booted tree)
// Vendor-data can always be turned off: by the image (cloud.cfg.d) and by the user
// (user-data), in every spelling cloud-init honours (false, 'no', 'off', 0, a
// vendor_data that is not a mapping), and part by part with disabled_handlers. The
// vendor's boothook then never runs and its cloud-config is never applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { driveWith, makeRoot, read, recorded, setUserData, stage } from '../helpers/boot.js';
import { isTrue, vendorDataPolicy } from '../../packages/core/src/config/vendor-data.js';

const IID = '8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10';
const INST = `var/lib/cloud/instances/${IID}`;

// A vendor's MIME message: a boothook (runs as root at once) and a cloud-config.
const VENDOR_MIME = [
  'Content-Type: multipart/mixed; boundary="VND"',
  'MIME-Version: 1.0',
  '',
  '--VND',
  'Content-Type: text/cloud-boothook; charset="us-ascii"',
  'Content-Disposition: attachment; filename="vendor-hook.sh"',
  '',
  '#!/bin/sh',
  'echo vendor-was-here > /root/vendor-owned',
  '--VND',
  'Content-Type: text/cloud-config; charset="us-ascii"',
  'Content-Disposition: attachment; filename="vendor.cfg"',
  '',
  '#cloud-config',
  'final_message: vendor-config-applied',
  '--VND--',
  '',
].join('\n');

function rootWith(opts: { userData?: string; systemCfg?: string }): string {
  const drive = driveWith((d) => {
    for (const v of fs.readdirSync(path.join(d, 'openstack'))) fs.writeFileSync(path.join(d, 'openstack', v, 'vendor_data.json'), JSON.stringify({ 'cloud-init': VENDOR_MIME }));
    setUserData(d, opts.userData ?? '#cloud-config\nhostname: web-1\n');
  });
  const root = makeRoot({ drive });
  if (opts.systemCfg !== undefined) {
    fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/99-vendor.cfg'), opts.systemCfg);
  }
  return root;
}

/** Runs init-local and init; returns whether the vendor boothook ran (was recorded) and the vendor cloud-config stored. */
function bootInit(root: string): { hookRan: boolean; vendorConfig: string } {
  for (const s of ['local', 'init'] as const) stage(root, s);
  const hookRan = recorded(root).some((argv) => argv.some((a) => a.includes('vendor-hook.sh')));
  const file = path.join(root, INST, 'vendor-cloud-config.txt');
  return { hookRan, vendorConfig: fs.existsSync(file) ? read(root, `${INST}/vendor-cloud-config.txt`) : '' };
}

test('without a setting, the vendor boothook runs and its cloud-config is applied (the control case)', () => {
  const r = bootInit(rootWith({}));
  assert.equal(r.hookRan, true);
  assert.match(r.vendorConfig, /vendor-config-applied/);
});

test('the image turns vendor-data off with vendor_data: {enabled: false} in cloud.cfg.d', () => {
  const r = bootInit(rootWith({ systemCfg: 'vendor_data:\n  enabled: false\n' }));
  assert.equal(r.hookRan, false, 'the vendor boothook must not run');
  assert.doesNotMatch(r.vendorConfig, /vendor-config-applied/);
});

for (const [spelling, ud] of [
  ["enabled: 'no'", "#cloud-config\nvendor_data:\n  enabled: 'no'\n"],
  ["enabled: 'off'", "#cloud-config\nvendor_data:\n  enabled: 'off'\n"],
  ['enabled: 0', '#cloud-config\nvendor_data:\n  enabled: 0\n'],
  ['enabled: false', '#cloud-config\nvendor_data:\n  enabled: false\n'],
  ['vendor_data: false', '#cloud-config\nvendor_data: false\n'],
] as const) {
  test(`the user turns vendor-data off with ${spelling} in user-data`, () => {
    const r = bootInit(rootWith({ userData: ud }));
    assert.equal(r.hookRan, false, 'the vendor boothook must not run');
    assert.doesNotMatch(r.vendorConfig, /vendor-config-applied/);
  });
}

test('disabled_handlers drops the vendor boothook and keeps the vendor cloud-config', () => {
  const r = bootInit(rootWith({ userData: '#cloud-config\nvendor_data:\n  disabled_handlers: [text/cloud-boothook]\n' }));
  assert.equal(r.hookRan, false, 'the vendor boothook must not run');
  assert.match(r.vendorConfig, /vendor-config-applied/);
  const r2 = bootInit(rootWith({ systemCfg: 'vendor_data:\n  disabled_handlers: [text/cloud-config, text/cloud-boothook]\n' }));
  assert.equal(r2.hookRan, false);
  assert.doesNotMatch(r2.vendorConfig, /vendor-config-applied/);
});

test("cloud-init's truthiness decides vendor_data.enabled; the user's setting lies over the image's", () => {
  for (const v of [true, 'true', 'True', 'yes', 'on', '1', 1]) assert.equal(isTrue(v), true, String(v));
  for (const v of [false, 'false', 'no', 'off', '0', 0, '', 'nope', null, undefined, 2]) assert.equal(isTrue(v), false, String(v));
  assert.equal(vendorDataPolicy({}, {}).enabled, true);
  assert.equal(vendorDataPolicy({ vendor_data: { enabled: true, prefix: [] } }, {}).enabled, true);
  assert.equal(vendorDataPolicy({ vendor_data: { prefix: ['/usr/bin/ltrace'] } }, {}).enabled, true);
  assert.equal(vendorDataPolicy({ vendor_data: { enabled: false } }, {}).enabled, false);
  assert.equal(vendorDataPolicy({ vendor_data: { enabled: false } }, { vendor_data: { enabled: true } }).enabled, true);
  assert.equal(vendorDataPolicy({}, { vendor_data: 'off' }).enabled, false);
  assert.equal(vendorDataPolicy({}, { vendor_data: { disabled_handlers: 7 } }).enabled, false);
  assert.deepEqual([...vendorDataPolicy({}, { vendor_data: { disabled_handlers: 'text/x-shellscript' } }).disabledHandlers], ['text/x-shellscript']);
});
