// No input makes the schema check crash: random text, random YAML-shaped documents
// with real and near-real keys, for both schema types, through annotate too. Every
// problem has a line within the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { annotate, checkText, dumpYaml, type SchemaType } from '../../packages/core/src/index.js';

const keys = fc.constantFrom(
  'runcmd',
  'runcmnd',
  'write_files',
  'path',
  'content',
  'encoding',
  'permissions',
  'final_message',
  'manage-resolv-conf',
  'version',
  'config',
  'ethernets',
  'type',
  'name',
  'subnets',
  'vlans',
  'id',
  'x',
  '',
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), tie('list'), tie('map')),
  list: fc.array(tie('v'), { maxLength: 4 }),
  map: fc.dictionary(keys, tie('v'), { maxKeys: 5 }),
})).v;
const type = fc.constantFrom<SchemaType>('cloud-config', 'network-config');

function checkAll(t: SchemaType, text: string): void {
  const r = checkText(t, text, 'f');
  const count = text.split('\n').length;
  for (const p of r.problems) {
    assert.ok(p.pos === null || (p.pos.line >= 1 && p.pos.line <= count + 1), `line ${p.pos?.line} outside the ${count}-line file`);
    assert.equal(typeof p.message, 'string');
  }
  assert.equal(typeof annotate(text, r.problems), 'string');
}

test('schema check: arbitrary text never throws', () => {
  fc.assert(
    fc.property(type, fc.string({ maxLength: 300 }), fc.boolean(), (t, s, header) => checkAll(t, header ? `#cloud-config\n${s}` : s)),
    { numRuns: 1500 },
  );
});

test('schema check: arbitrary documents with real keys never throw', () => {
  fc.assert(
    fc.property(type, fc.dictionary(keys, value, { maxKeys: 6 }), fc.constantFrom(1, 2, 3, 'x'), (t, doc, version) => {
      const d = t === 'network-config' ? { ...doc, version } : doc;
      checkAll(t, `#cloud-config\n${dumpYaml(d, { skipInvalid: true })}`);
    }),
    { numRuns: 1500 },
  );
});
