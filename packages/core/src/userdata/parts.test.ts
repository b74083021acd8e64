import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { splitUserdata, typeByFirstLine, looksLikeMime } from './parts.js';

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
  const parts = splitUserdata(new Uint8Array(gzipSync('#!/bin/sh\necho hi\n')), 'ud', null);
  assert.equal(parts.length, 1);
  assert.equal(parts[0]?.contentType, 'text/x-shellscript');
  assert.equal(parts[0]?.filename, 'part-001');
  assert.deepEqual(splitUserdata(b('  \n'), 'ud', null), []);
});

test('oversized user-data and gzip bombs are refused with a clear error', () => {
  assert.throws(() => splitUserdata(new Uint8Array(17 * 1024 * 1024), 'ud', null), /ud: \d+ bytes is more than the \d+-byte limit/);
  assert.throws(() => splitUserdata(new Uint8Array(gzipSync(Buffer.alloc(70 * 1024 * 1024))), 'ud', null), /decompresses to more than/);
});

test('MIME is recognised and needs the MIME parser', () => {
  const msg = b('Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/cloud-config\n\na: 1\n--XX--\n');
  assert.ok(looksLikeMime(msg));
  assert.throws(() => splitUserdata(msg, 'ud', null), /not supported: MIME multipart/);
  assert.ok(!looksLikeMime(b('#cloud-config\nContent-Type: multipart/mixed\n')));
});
