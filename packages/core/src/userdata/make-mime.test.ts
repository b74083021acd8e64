import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMime, parseAttachArg, MakeMimeError, MAKE_MIME_TYPES } from './make-mime.js';
import { parseMime } from './mime.js';

test('parseAttachArg splits at the first colon', () => {
  assert.deepEqual(parseAttachArg('dir/a.yaml:cloud-config'), { file: 'dir/a.yaml', type: 'cloud-config' });
  assert.deepEqual(parseAttachArg('a:text/x-shellscript'), { file: 'a', type: 'text/x-shellscript' });
  for (const bad of ['a.yaml', ':cloud-config', 'a.yaml:']) assert.throws(() => parseAttachArg(bad), MakeMimeError);
});

test('makeMime labels parts text/TYPE with the file\'s base name and reports unknown types', () => {
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
