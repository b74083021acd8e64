import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { splitUserdata, typeByFirstLine } from './parts.js';

const b = (s: string) => new Uint8Array(Buffer.from(s));

test('types by first line', () => {
  assert.equal(typeByFirstLine(b('#cloud-config\na: 1')), 'text/cloud-config');
  assert.equal(typeByFirstLine(b('#!/bin/bash\necho')), 'text/x-shellscript');
  assert.equal(typeByFirstLine(b('#include-once\nhttp://x')), 'text/x-include-once-url');
  assert.equal(typeByFirstLine(b('#include\nhttp://x')), 'text/x-include-url');
  assert.equal(typeByFirstLine(b('#cloud-config-archive\n- a')), 'text/cloud-config-archive');
  assert.equal(typeByFirstLine(b('## template: jinja\n#cloud-config')), 'text/jinja2');
  assert.equal(typeByFirstLine(b('\uFEFF#cloud-config\n')), 'text/cloud-config');
  assert.equal(typeByFirstLine(b('hello')), null);
});

test('gzip is detected by its magic number; empty data has no parts', () => {
  const parts = splitUserdata(new Uint8Array(gzipSync('#!/bin/sh\necho hi\n')), 'ud');
  assert.equal(parts.length, 1);
  assert.equal(parts[0]?.contentType, 'text/x-shellscript');
  assert.equal(parts[0]?.filename, 'part-001');
  assert.deepEqual(splitUserdata(b('  \n'), 'ud'), []);
});

test('oversized user-data and gzip bombs are refused with a clear error', () => {
  assert.throws(() => splitUserdata(new Uint8Array(17 * 1024 * 1024), 'ud'), /ud: \d+ bytes is more than the \d+-byte limit/);
  assert.throws(() => splitUserdata(new Uint8Array(gzipSync(Buffer.alloc(70 * 1024 * 1024))), 'ud'), /decompresses to more than/);
});

test('MIME parts: leaf parts in order, text/plain typed by content, gzip parts opened, Merge-Type kept', () => {
  const zipped = gzipSync('#!/bin/sh\necho zipped\n').toString('base64');
  const msg = b(
    'Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n' +
      '--XX\nContent-Type: text/cloud-config\nMerge-Type: list(append)+dict(recurse_array)\n\na: 1\n' +
      '--XX\nContent-Type: text/plain\nContent-Disposition: attachment; filename="go.sh"\n\n#!/bin/sh\necho hi\n' +
      '--XX\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n' +
      zipped +
      '\n' +
      '--XX--\n',
  );
  const parts = splitUserdata(msg, 'ud');
  assert.deepEqual(
    parts.map((p) => [p.index, p.filename, p.contentType]),
    [
      [1, 'part-001', 'text/cloud-config'],
      [2, 'go.sh', 'text/x-shellscript'],
      [3, 'part-003', 'text/x-shellscript'],
    ],
  );
  assert.equal(parts[0]?.mergeType, 'list(append)+dict(recurse_array)');
  assert.equal(Buffer.from(parts[2]?.body ?? []).toString(), '#!/bin/sh\necho zipped\n');
  // Without a MIME-Version header it is one part, as cloud-init reads it.
  assert.equal(splitUserdata(b('#cloud-config\nContent-Type: multipart/mixed\n'), 'ud').length, 1);
});
