import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, JsonError } from './json.js';

test('JSON errors name the line and column', () => {
  assert.throws(
    () => parseJson('{\n "a": 1,\n "b" 2}', 'f.json'),
    (e: unknown) => e instanceof JsonError && e.line === 3 && e.col === 6 && /^f.json line 3 col 6: not valid JSON/.test(e.message),
  );
  assert.throws(
    () => parseJson('{"a": [1,2', 'g.json'),
    (e: unknown) => e instanceof JsonError && e.line === 1,
  );
  assert.deepEqual(parseJson('{"a": 1}', 'x'), { a: 1 });
});

test('every JSON error has a line and column, and never quotes the text (it may hold secrets)', () => {
  const cases: [string, number, number, RegExp][] = [
    [':', 1, 1, /expected a value, found ':'/],
    ['{"admin_pass": "hunter2",}', 1, 26, /expected a double-quoted property name, found '}'/],
    ['[1,\n2,,]', 2, 3, /expected a value, found ','/],
    ['\ufeff{}', 1, 1, /found character U\+FEFF/],
    ['{"a": tru}', 1, 10, /expected 'true'/],
    ['{"a": "x\u0001"}', 1, 9, /control character U\+0001/],
    ['"\\uZZ"', 1, 4, /bad \\u escape/],
    ['1 2', 1, 3, /expected end of input, found '2'/],
    ['{"a":1', 1, 7, /expected ',' or '}', found end of input/],
  ];
  for (const [text, line, col, reason] of cases) {
    assert.throws(
      () => parseJson(text, 'f.json'),
      (e: unknown) => {
        assert.ok(e instanceof JsonError);
        assert.equal(`${e.line}:${e.col}`, `${line}:${col}`, `${JSON.stringify(text)}: ${e.message}`);
        assert.match(e.message, reason);
        assert.ok(!e.message.includes('hunter2'));
        return true;
      },
    );
  }
});
