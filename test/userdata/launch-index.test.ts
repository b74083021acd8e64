// Launch index: user-data parts and archive items that name a launch index are kept
// only on the instance the metadata gives that index, as cloud-init's filter does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '../../packages/core/src/index.js';
import { expandParts, type IncludeSource } from '../../packages/core/src/userdata/include.js';
import { splitUserdata } from '../../packages/core/src/userdata/parts.js';
import { filterLaunchIndex, launchIndexOf, safeInt } from '../../packages/core/src/userdata/launch-index.js';
import { bootExample } from '../modules/boot-example.js';

const none: IncludeSource = {
  fetch: async (u) => {
    throw new Error(`no network in this test: ${u}`);
  },
  cache: null,
};

const ARCHIVE = `#cloud-config-archive
- {type: text/cloud-config, launch-index: 0, content: "write_files: [{path: /etc/zero, content: zero}]"}
- {type: text/cloud-config, launch-index: 1, content: "write_files: [{path: /etc/one, content: one}]"}
- {type: text/cloud-config, content: "runcmd: [[echo, every]]"}
`;

test('archive items with another launch-index are left out; items without one stay on every instance', async () => {
  const log = new Logger({ file: () => undefined, stderr: () => undefined }, { stage: 'test', debug: false, quiet: true });
  const parts = splitUserdata(new Uint8Array(Buffer.from(ARCHIVE)), 'ud');
  const keep = (idx: number | null) => expandParts(parts, { log, source: none, label: () => 'ud', launchIndex: idx }).then((ps) => ps.map((p) => Buffer.from(p.body).toString()));
  assert.deepEqual(await keep(1), ['write_files: [{path: /etc/one, content: one}]', 'runcmd: [[echo, every]]']);
  assert.equal((await keep(null)).length, 3);
  // A MIME part's Launch-Index header counts the same.
  const mime = [
    'Content-Type: multipart/mixed; boundary="b"',
    'MIME-Version: 1.0',
    '',
    '--b',
    'Content-Type: text/x-shellscript',
    'Launch-Index: 2',
    '',
    '#!/bin/sh',
    '--b',
    'Content-Type: text/cloud-config',
    '',
    '{}',
    '--b--',
    '',
  ].join('\n');
  const mp = splitUserdata(new Uint8Array(Buffer.from(mime)), 'ud');
  assert.deepEqual(
    filterLaunchIndex(mp, 0).parts.map((p) => p.contentType),
    ['text/cloud-config'],
  );
  assert.equal(filterLaunchIndex(mp, 2).parts.length, 2);
});

test("the launch index comes from EC2's ami-launch-index or the metadata's launch-index", () => {
  assert.equal(launchIndexOf({ dsname: 'Ec2', metadata: { 'ami-launch-index': '3' } }), 3);
  assert.equal(launchIndexOf({ dsname: 'Oracle', metadata: { 'launch-index': 0 } }), 0);
  assert.equal(launchIndexOf({ dsname: 'ConfigDrive', metadata: {} }), null);
  assert.equal(safeInt('x'), null);
});

test('booted with launch-index 1 in the metadata, only the archive items for index 1 (and those for every index) are applied', () => {
  const b = bootExample(ARCHIVE, { metaData: { 'launch-index': 1 } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('etc/one'), 'one');
  assert.equal(b.exists('etc/zero'), false);
});
