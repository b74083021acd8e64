// test-lane: full (the reference chroot: cloud-init 22.4's own Python)
// `nimbus devel make-mime` against cloud-init's own user-data processor from Debian's
// package in the reference chroot: the message it prints splits into the same parts,
// types, file names and bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tempDir } from '../helpers/temp-root.js';
import { REF_PYTHON } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { composeSample } from './make-mime-sample.js';

test("make-mime output splits into the same parts in cloud-init's own user-data processor", (t) => {
  const ref = REF_PYTHON;
  if (!existsSync(`${ref}/cloudinit/user_data.py`)) return t.skip('reference cloud-init not set up; skipped its check');
  const dir = tempDir('nimbus-make-mime-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { run: r, want } = composeSample(dir);
  assert.equal(r.status, 0, r.stderr);
  const ci = `
import importlib.util, json, sys
from cloudinit import user_data, util
proc = user_data.UserDataProcessor.__new__(user_data.UserDataProcessor)
out = proc.process(sys.stdin.buffer.read())
print(json.dumps([dict(type=p.get_content_type(), filename=p.get_filename(), body=util.fully_decoded_payload(p)) for p in out.walk() if not p.is_multipart()]))
`;
  const c = spawnSync(PYTHON3, ['-c', ci], { input: r.stdout, encoding: 'utf8', env: { ...process.env, PYTHONPATH: ref } });
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), want);
});
