import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, JsonError } from './json.js';

test('JSON errors name the line and column', () => {
  assert.throws(() => parseJson('{\n "a": 1,\n "b" 2}', 'f.json'), (e: unknown) => e instanceof JsonError && e.line === 3 && e.col === 6 && /^f.json line 3 col 6: not valid JSON/.test(e.message));
  assert.throws(() => parseJson('{"a": [1,2', 'g.json'), (e: unknown) => e instanceof JsonError && e.line === 1);
  assert.deepEqual(parseJson('{"a": 1}', 'x'), { a: 1 });
});
