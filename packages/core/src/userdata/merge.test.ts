// mergeCloudConfigs and merge_how on plain values. The same merges as cloud-init's own
// mergers: merge-reference.test.ts (full lane).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mergeCloudConfigs, MergeError, parseMergeHow, mergeHowFrom, MergeHowError, partMergeHow, formatMergeHow, DEFAULT_PART_MERGE_HOW } from './merge.js';

test('the user-data default replaces keys of earlier parts, lists included', () => {
  const a = { runcmd: ['a'], packages: ['x'], users: { u: { shell: '/bin/sh' } } };
  const b = { runcmd: ['b'], users: { u: { groups: 'adm' } } };
  assert.deepEqual(mergeCloudConfigs(a, b), { runcmd: ['b'], packages: ['x'], users: { u: { groups: 'adm' } } });
  assert.deepEqual(mergeCloudConfigs(a, b, DEFAULT_PART_MERGE_HOW), mergeCloudConfigs(a, b));
});

test('list(append)+dict(recurse_array)+str(): a three-part merge appends runcmd', () => {
  const how = 'list(append)+dict(recurse_array)+str()';
  let cfg = mergeCloudConfigs({}, { runcmd: ['one'], hostname: 'a' }, how);
  cfg = mergeCloudConfigs(cfg, { runcmd: ['two'], hostname: 'b' }, how);
  cfg = mergeCloudConfigs(cfg, { runcmd: [['three', 'x']] }, how);
  // dict() defaults to no_replace: hostname stays; lists recurse and append.
  assert.deepEqual(cfg, { runcmd: ['one', 'two', ['three', 'x']], hostname: 'a' });
});

test('list options: prepend, replace index by index, no_replace', () => {
  const base = { l: [1, 2, 3] };
  assert.deepEqual(mergeCloudConfigs(base, { l: [9] }, 'list(prepend)+dict(recurse_list)'), { l: [9, 1, 2, 3] });
  assert.deepEqual(mergeCloudConfigs(base, { l: [9] }, 'list(replace)+dict(recurse_list)'), { l: [9, 2, 3] });
  assert.deepEqual(mergeCloudConfigs(base, { l: [9, 8, 7, 6] }, 'list(no_replace)+dict(recurse_list)'), { l: [1, 2, 3] });
  assert.deepEqual(mergeCloudConfigs({ l: [{ a: 1 }] }, { l: [{ b: 2 }] }, 'list(recurse_dict)+dict(recurse_list)'), { l: [{ a: 1, b: 2 }] });
  assert.deepEqual(mergeCloudConfigs({ l: [{ a: 1 }] }, { l: [{ b: 2 }] }, 'list()+dict(recurse_list)'), { l: [{ b: 2 }] });
});

test('dict options: replace, no_replace, recurse_str, allow_delete; str append', () => {
  const base = { s: 'ab', n: 1, d: { x: 1 }, gone: 'y' };
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd', n: 2, d: { y: 2 }, gone: null }, 'dict(no_replace)'), { s: 'ab', n: 1, d: { x: 1, y: 2 }, gone: 'y' });
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd', gone: null }, 'dict(no_replace,allow_delete)'), { s: 'ab', n: 1, d: { x: 1 } });
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd' }, 'dict(recurse_str)+str(append)'), { ...base, s: 'abcd' });
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd' }, 'dict(recurse_str)+str()'), { ...base, s: 'cd' });
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd', d: 5 }, 'dict(replace)'), { ...base, s: 'cd', d: 5 });
  // No dict merger named: cloud-init leaves the config as it was.
  assert.deepEqual(mergeCloudConfigs(base, { s: 'cd', z: 1 }, 'list(append)'), base);
});

test('inputs are not modified and __proto__ is only a key', () => {
  const base = { l: [1], d: { a: 1 } };
  const next = JSON.parse('{"l":[2],"d":{"b":2},"__proto__":{"polluted":true}}') as Record<string, unknown>;
  const out = mergeCloudConfigs(base, next, 'list(append)+dict(recurse_list)');
  assert.deepEqual(base, { l: [1], d: { a: 1 } });
  assert.deepEqual(out.l, [1, 2]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
});

test('values that cannot be merged are errors naming the path', () => {
  assert.throws(
    () => mergeCloudConfigs({ a: { s: 'x' } }, { a: { s: ['y'] } }, 'dict(recurse_list,recurse_str)+str(append)'),
    (e: unknown) => e instanceof MergeError && e.message === 'a.s: cannot append a list to a string (str(append) needs a string)',
  );
  assert.throws(() => mergeCloudConfigs({ l: [1] }, { l: 'abc' }, 'dict(recurse_str)+list(append)'), /l: cannot append a string to a list/);
  assert.throws(() => mergeCloudConfigs({}, ['a']), /\(top level\): a cloud-config must be a mapping of keys, found a list/);
  assert.deepEqual(mergeCloudConfigs({ a: 1 }, null), { a: 1 });
});

test('merge_how strings and lists parse; mistakes name the column or item', () => {
  assert.equal(formatMergeHow(parseMergeHow(' List( Append , Recurse-Dict)+DICT()+ +m_str(append)')), 'list(append,recurse_dict)+dict()+str(append)');
  assert.equal(
    formatMergeHow(mergeHowFrom([{ name: 'list', settings: ['append'] }, { name: 'dict', settings: ['recurse_array', 'no_replace'] }, ['str', 'append']])),
    'list(append)+dict(recurse_array,no_replace)+str(append)',
  );
  assert.deepEqual(parseMergeHow(''), []);
  assert.throws(
    () => parseMergeHow('list(append)+dict', 'part 2 merge_how'),
    (e: unknown) => e instanceof MergeHowError && e.message === 'part 2 merge_how "list(append)+dict" at column 14: expected name(options) such as list(append), found "dict"',
  );
  assert.throws(() => parseMergeHow('list(append)+ hash()'), /at column 15: unknown merger "hash" \(known: dict, list, str\)/);
  assert.throws(() => parseMergeHow('str(prepend)'), /not supported: option "prepend" for str\(\) \(cloud-init's str merger only appends\)/);
  assert.throws(() => parseMergeHow('list(apend)'), /not supported: option "apend" for list\(\); known: append, prepend/);
  assert.throws(() => mergeHowFrom([{ name: 'list', settings: 'append' }]), /merge_how\[0\]: settings must be a list of strings/);
  assert.throws(() => mergeHowFrom(5), /expected a string like/);
});

test("partMergeHow: the part's merge_how, then the Merge-Type header, else the default", () => {
  const p = partMergeHow({ merge_how: 'list(append)', merge_type: 'dict()', a: 1 }, 'dict(no_replace)');
  assert.deepEqual(p.config, { merge_type: 'dict()', a: 1 }); // merge_type stays when merge_how was given, as in cloud-init
  assert.equal(formatMergeHow(p.mergeHow), 'list(append)+dict(no_replace)');
  const q = partMergeHow({ merge_type: [{ name: 'list', settings: ['prepend'] }], a: 1 }, null);
  assert.deepEqual(q.config, { a: 1 });
  assert.equal(formatMergeHow(q.mergeHow), 'list(prepend)');
  assert.equal(formatMergeHow(partMergeHow({ a: 1 }, null).mergeHow), 'dict(replace)+list()+str()');
  assert.equal(formatMergeHow(partMergeHow({ a: 1 }, 'list(append)').mergeHow), 'list(append)');
});

test('property: merge_how parsing throws nothing but MergeHowError', () => {
  const token = fc.constantFrom('list', 'dict', 'str', '(', ')', '+', ',', 'append', 'no-replace', ' ', 'Recurse_Array', 'x');
  const text = fc.oneof(
    fc.string(),
    fc.array(token, { maxLength: 20 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(fc.oneof(text, fc.jsonValue()), (v) => {
      try {
        mergeHowFrom(v);
      } catch (e) {
        if (!(e instanceof MergeHowError)) throw e;
      }
    }),
    { numRuns: 3000 },
  );
});
