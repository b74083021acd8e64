// test-lane: full (the reference chroot: cloud-init 22.4's own mergers)
// Merges against cloud-init's own mergers from Debian's package in the reference chroot:
// 1500 random pairs of configs and merge_how strings give the same result, or nimbus
// refuses where cloud-init fails or splices a string into a list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { mergeCloudConfigs, MergeError } from './merge.js';
import { REF_MISSING, REF_PYTHON } from '../../../../test/helpers/reference.js';
import { PYTHON3 } from '../../../../test/helpers/python.js';

// The reference: cloud-init's own mergers from Debian's package, when it is on this machine.
const REF = REF_PYTHON;

const small = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.integer({ min: 0, max: 9 }), fc.constantFrom('a', 'b', ''), fc.constant(null), fc.boolean(), tie('list'), tie('dict')),
  list: fc.array(tie('value'), { maxLength: 3 }),
  dict: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
}));
const mergeHowArb = fc
  .tuple(
    fc.option(fc.subarray(['replace', 'no_replace', 'allow_delete', 'recurse_str', 'recurse_list', 'recurse_array'])),
    fc.option(fc.subarray(['append', 'prepend', 'replace', 'no_replace', 'recurse_str', 'recurse_dict', 'recurse_list'])),
    fc.option(fc.subarray(['append'])),
  )
  .map(([d, l, s]) => [d && `dict(${d.join(',')})`, l && `list(${l.join(',')})`, s && `str(${s.join(',')})`].filter((x) => x).join('+'));

test("differential: the same merges as cloud-init's mergers", (t) => {
  if (!existsSync(`${REF}/cloudinit/mergers/m_dict.py`)) return t.skip(REF_MISSING);
  const cases = JSON.parse(JSON.stringify(fc.sample(fc.tuple(small.dict, small.dict, mergeHowArb), { numRuns: 1500, seed: 42 }))) as Array<[Record<string, unknown>, Record<string, unknown>, string]>;
  const py = `
import importlib.util, json, sys
from cloudinit import mergers
out = []
for base, nxt, how in json.load(sys.stdin):
    try:
        out.append({"ok": mergers.construct(mergers.string_extract_mergers(how)).merge(base, nxt)})
    except Exception as e:
        out.append({"err": repr(e)})
json.dump(out, sys.stdout)
`;
  const r = spawnSync(PYTHON3, ['-c', py], { input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, PYTHONPATH: REF }, maxBuffer: 64 << 20 });
  if (r.status !== 0) return t.skip(`python3 failed: ${r.stderr}`);
  const ref = JSON.parse(r.stdout) as Array<{ ok?: unknown; err?: string }>;
  let refused = 0;
  cases.forEach(([base, next, how], i) => {
    const want = ref[i] as { ok?: unknown; err?: string };
    let got: unknown;
    try {
      got = mergeCloudConfigs(base, next, how);
    } catch (e) {
      assert.ok(e instanceof MergeError, `case ${i} ${how}: ${String(e)}`);
      refused++; // where cloud-init fails or splices a string into a list, nimbus refuses
      return;
    }
    assert.ok(want.err === undefined, `case ${i}: cloud-init failed (${want.err}) where nimbus gave ${JSON.stringify(got)}`);
    assert.deepEqual(got, want.ok, `case ${i}: ${JSON.stringify([base, next, how])}`);
  });
  assert.ok(refused < cases.length / 10, `${refused} refusals`);
});
