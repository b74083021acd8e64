import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fnv } from './fnv.js';

test('FNV-1a lanes: deterministic, sensitive to every input, seeds and lanes independent', () => {
  assert.equal(new Fnv(4).text('hello').hex(), new Fnv(4).text('hello').hex(), 'deterministic');
  assert.equal(new Fnv(4).text('hello').hex().length, 32);
  assert.notEqual(new Fnv(4).text('hello').hex(), new Fnv(4).text('hellp').hex());
  assert.notEqual(new Fnv(2, 1).text('x').hex(), new Fnv(2, 0).text('x').hex());
  const lanes = new Fnv(4).text('abc').hex().match(/.{8}/g) ?? [];
  assert.equal(new Set(lanes).size, 4, 'the lanes are independent');
  assert.equal(new Fnv(2).bytes(Buffer.from('ab')).hex(), new Fnv(2).text('ab').hex(), 'ASCII bytes and text agree');
});
