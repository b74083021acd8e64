// test-lane: full (the reference's Python: base64.b64decode, as cloud-init and PyYAML call it)
// Random text with base64 letters, padding, blanks and stray characters decodes to the
// same bytes, or fails, exactly where Python's decoder does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { pyB64Decode } from '../../packages/core/src/userdata/py-base64.js';
import { PYTHON3 } from '../helpers/python.js';

const HARNESS = `
import base64, binascii, json, sys
out = []
for s in json.loads(sys.stdin.read()):
    try:
        out.append(base64.b64decode(s.encode('latin1')).hex())
    except (binascii.Error, ValueError):
        out.append(None)
sys.stdout.write(json.dumps(out))
`;

test("base64 decoding agrees with Python's b64decode on random input", () => {
  const ch = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/==== \n\t!*-_.'.split(''));
  const inputs = fc.sample(
    fc.array(ch, { maxLength: 40 }).map((a) => a.join('')),
    { numRuns: 2000, seed: 14 },
  );
  const r = spawnSync(PYTHON3, ['-c', HARNESS], { input: JSON.stringify(inputs), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as (string | null)[];
  inputs.forEach((s, i) => {
    let got: string | null;
    try {
      got = Buffer.from(pyB64Decode(s)).toString('hex');
    } catch {
      got = null;
    }
    assert.equal(got, want[i], JSON.stringify(s));
  });
});
