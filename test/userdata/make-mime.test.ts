// make-mime: the composer (packages/core/src/userdata/make-mime.ts) on plain values, and
// `nimbus devel make-mime` end to end: the message it prints parses in Python's email
// module and in nimbus's parser to the same parts. cloud-init's own user-data processor
// reads it to the same parts too: make-mime-reference.test.ts (full lane).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseMime } from '../../packages/core/src/index.js';
import { makeMime, parseAttachArg, MakeMimeError, MAKE_MIME_TYPES } from '../../packages/core/src/userdata/make-mime.js';
import { tempDir } from '../helpers/temp-root.js';
import { composeSample, nimbus } from './make-mime-sample.js';
import { PYTHON3 } from '../helpers/python.js';

test('parseAttachArg splits at the first colon', () => {
  assert.deepEqual(parseAttachArg('dir/a.yaml:cloud-config'), { file: 'dir/a.yaml', type: 'cloud-config' });
  assert.deepEqual(parseAttachArg('a:text/x-shellscript'), { file: 'a', type: 'text/x-shellscript' });
  for (const bad of ['a.yaml', ':cloud-config', 'a.yaml:']) assert.throws(() => parseAttachArg(bad), MakeMimeError);
});

test("makeMime labels parts text/TYPE with the file's base name and reports unknown types", () => {
  const { message, unknownTypes } = makeMime([
    { file: 'dir/a.yaml', type: 'cloud-config', content: Buffer.from('#cloud-config\n') },
    { file: 'b.sh', type: 'text/X-ShellScript', content: Buffer.from('#!/bin/sh\n') },
    { file: 'c', type: 'upstart-job', content: Buffer.from('x') },
  ]);
  assert.deepEqual(
    parseMime(message).map((p) => [p.contentType, p.filename]),
    [
      ['text/cloud-config', 'a.yaml'],
      ['text/x-shellscript', 'b.sh'],
      ['text/upstart-job', 'c'],
    ],
  );
  assert.equal(unknownTypes.length, 1);
  assert.match(unknownTypes[0] ?? '', /attachment 3 \(c\): content type "text\/upstart-job"/);
  assert.equal(MAKE_MIME_TYPES.length, 12);
});

test('makeMime refuses content that is not UTF-8 text', () => {
  assert.throws(() => makeMime([{ file: 'x.gz', type: 'cloud-config', content: Buffer.from([0x1f, 0x8b, 0x08, 0xff]) }]), /x\.gz: not UTF-8 text/);
});

test('make-mime output parses in Python email and in parseMime to the same parts', (t) => {
  const dir = tempDir('nimbus-make-mime-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { run: r, want } = composeSample(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');

  const ours = parseMime(r.stdout, 'make-mime output');
  assert.deepEqual(
    ours.map((p) => ({ type: p.contentType, filename: p.filename, body: p.body.toString('utf8') })),
    want,
  );

  const py = `
import email, json, sys
msg = email.message_from_bytes(sys.stdin.buffer.read())
assert msg.get_content_type() == 'multipart/mixed', msg.get_content_type()
print(json.dumps([dict(type=p.get_content_type(), filename=p.get_filename(), body=p.get_payload(decode=True).decode(p.get_content_charset())) for p in msg.walk() if not p.is_multipart()]))
`;
  const p = spawnSync(PYTHON3, ['-c', py], { input: r.stdout, encoding: 'utf8' });
  if (p.status === null || p.error) return t.skip('python3 is not available');
  assert.equal(p.status, 0, p.stderr);
  assert.deepEqual(JSON.parse(p.stdout), want);
});

test('make-mime --list-types, unknown types, --force and bad arguments', (t) => {
  const dir = tempDir('nimbus-make-mime-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  const list = nimbus(['devel', 'make-mime', '--list-types'], dir);
  assert.equal(list.status, 0);
  assert.ok(list.stdout.toString().split('\n').includes('x-shellscript-per-instance'));
  assert.ok(list.stdout.toString().startsWith('cloud-boothook\ncloud-config\n'));

  const bad = nimbus(['devel', 'make-mime', '-a', 'a.txt:foo'], dir);
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout.length, 0);
  assert.match(bad.stderr, /ERROR: attachment 1 \(a\.txt\): content type "text\/foo"/);

  const forced = nimbus(['devel', 'make-mime', '-a', 'a.txt:foo', '--force'], dir);
  assert.equal(forced.status, 0);
  assert.match(forced.stderr, /WARNING: attachment 1/);
  assert.equal(parseMime(forced.stdout)[0]?.contentType, 'text/foo');

  const missing = nimbus(['devel', 'make-mime', '-a', 'nope.txt:cloud-config'], dir);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.txt: cannot read it/);

  const noType = nimbus(['devel', 'make-mime', '-a', 'a.txt'], dir);
  assert.equal(noType.status, 2, 'a malformed argument is a usage error: exit 2, as argparse');
  assert.match(noType.stderr, /expected FILE:TYPE/);
});
