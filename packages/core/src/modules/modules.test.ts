import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeContent } from './lib/write-file-entries.js';
import { runcmdScript, shellQuote } from './lib/command-script.js';
import { renderFinalMessage } from './final-message.js';
import { rfc2822 } from './lib/rfc2822.js';

test('write_files encodings', () => {
  const text = 'hello\n';
  const b64 = Buffer.from(text).toString('base64');
  const gz = gzipSync(text);
  const dec = (c: unknown, e?: string) => Buffer.from(decodeContent(c, e, 'f')).toString();
  assert.equal(dec(text), text);
  assert.equal(dec(text, 'text/plain'), text);
  for (const e of ['b64', 'base64', 'B64']) assert.equal(dec(b64, e), text);
  for (const e of ['gz', 'gzip']) assert.equal(dec(new Uint8Array(gz), e), text);
  for (const e of ['gz+b64', 'gzip+base64', 'gz+base64', 'gzip+b64']) assert.equal(dec(gz.toString('base64'), e), text);
  assert.equal(dec(`${b64.slice(0, 4)}\n  ${b64.slice(4)}`, 'b64'), text, 'folded base64');
  assert.throws(() => decodeContent('x', 'rot13', 'f'), /unknown encoding "rot13"; expected one of b64/);
  assert.throws(() => decodeContent('not base64!', 'b64', 'f'), /not valid base64/);
  assert.throws(() => decodeContent('plain', 'gzip', 'f'), /not valid gzip/);
});

test('a gzip bomb in write_files is refused', () => {
  const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024));
  assert.throws(() => decodeContent(new Uint8Array(bomb), 'gzip', 'write_files[0]'), /decompresses to more than \d+ bytes/);
});

test('runcmd: lists are argv (each word quoted), strings are shell lines', () => {
  const { script, bad } = runcmdScript([['echo', "it's", 3], 'ls -l | wc -l', null, { x: 1 }]);
  assert.equal(script, `#!/bin/sh\n'echo' 'it'"'"'s' '3'\nls -l | wc -l\n`);
  assert.deepEqual(bad, [{ index: 3, got: 'object' }]);
  assert.equal(shellQuote("a'b"), `'a'"'"'b'`);
});

test('final_message templates', () => {
  const v = { uptime: '1.5', timestamp: 't', datasource: 'DS', version: '1.0' };
  assert.equal(renderFinalMessage('up $UPTIME at ${timestamp} via $datasource', v), 'up 1.5 at t via DS');
  assert.equal(renderFinalMessage('## template: jinja\nv{{ version }} {{ UPTIME }}', v), 'v1.0 1.5');
  assert.equal(renderFinalMessage('   ', v), 'nimbus v. 1.0 finished at t. Datasource DS.  Up 1.5 seconds');
  assert.throws(() => renderFinalMessage('x $OTHER', v), /uses \$OTHER, which is not one of/);
  assert.throws(() => renderFinalMessage('x $uptime.sub', v), /uptime\.sub/);
  assert.equal(rfc2822(0), 'Thu, 01 Jan 1970 00:00:00 +0000');
});
