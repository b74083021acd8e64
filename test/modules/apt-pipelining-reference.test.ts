// test-lane: full (the reference chroot: cloud-init 25.1's own Python)
// apt_pipelining against cloud-init 25.1's own module, from the Debian 13 reference
// chroot's Python with its file writes caught: the same file for every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { aptPipelining, PIPELINING_FILE } from '../../packages/core/src/modules/apt-pipelining.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const FILE = PIPELINING_FILE.slice(1);

const PY = `
import json, sys
from unittest import mock
from cloudinit import util
from cloudinit.config import cc_apt_pipelining as mod
out = []
for v in json.loads(sys.stdin.read()):
    files = {}
    with mock.patch.object(util, 'write_file', side_effect=lambda fn, content, *a, **kw: files.__setitem__(fn, content)):
        mod.handle('apt_pipelining', {} if v == '__unset__' else {'apt_pipelining': v}, None, [])
    out.append(files)
print(json.dumps(out))
`;

test('differential: apt_pipelining writes the same file as cloud-init 25.1 for every value', async (t) => {
  const py = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_apt_pipelining.py'))) return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const values: unknown[] = [false, 0, 1, 3, 5, 'os', 'none', 'unchanged', '2', 'False', 6, -1, 'fast', '__unset__'];
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(values), encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  if (r.status !== 0 && /No module named|SyntaxError/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.trim().split('\n').at(-1)}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, string>[];
  for (const [i, v] of values.entries()) {
    const k = makeKit();
    await k.run(aptPipelining, v === '__unset__' ? '{}' : `apt_pipelining: ${JSON.stringify(v)}\n`);
    const ours: Record<string, string> = k.exists(FILE) ? { [PIPELINING_FILE]: k.read(FILE) } : {};
    assert.deepEqual(ours, ref[i], `apt_pipelining: ${JSON.stringify(v)}`);
  }
});
