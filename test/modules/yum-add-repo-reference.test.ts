// test-lane: full (the reference chroot: cloud-init 25.1's own Python)
// yum_add_repo against cloud-init 25.1's own module, from the Debian 13 reference
// chroot's Python with its file writes caught: the same repo files for its documented
// examples and for list, boolean and priority values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, RHEL8 } from './kit.js';
import { yumAddRepo } from '../../packages/core/src/modules/yum-add-repo.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { yumBody as body } from './package-fixtures.js';

const PY = String.raw`
import json, sys
from unittest import mock
from cloudinit import util
from cloudinit.config import cc_yum_add_repo as mod
out = []
for cfg in json.loads(sys.stdin.read()):
    files = {}
    with mock.patch.object(util, 'write_file', side_effect=lambda fn, content, *a, **kw: files.__setitem__(fn, content)), \
         mock.patch.object(util, 'time_rfc2822', return_value='Thu, 01 Jan 1970 00:00:00 +0000'), \
         mock.patch('os.path.exists', return_value=False):
        mod.handle('yum_add_repo', cfg, None, [])
    out.append(files)
print(json.dumps(out))
`;

test('differential: yum_add_repo writes the same files as cloud-init 25.1 for its documented examples', async (t) => {
  const py = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_yum_add_repo.py'))) return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const docs = [...yumAddRepo.examples, '#cloud-config\nyum_repos:\n  a: {baseurl: [http://a, http://b], Gpg-Check: true, priority: 5}\n  b: {name: no url}\n'];
  const cfgs = docs.map((d) => loadYaml(d, 'u').value as Record<string, unknown>);
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(cfgs), encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  if (r.status !== 0 && /No module named|SyntaxError/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.trim().split('\n').at(-1)}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, string>[];
  for (const [i, d] of docs.entries()) {
    const k = makeKit({ osRelease: RHEL8 });
    await k.run(yumAddRepo, d);
    const theirs = ref[i] ?? {};
    const ours: Record<string, string> = {};
    for (const f of Object.keys(theirs)) if (k.exists(f.replace(/^\/+/, '').replace(/\/\//g, '/'))) ours[f] = body(k.read(f.replace(/^\/+/, '').replace(/\/\//g, '/')));
    assert.deepEqual(ours, Object.fromEntries(Object.entries(theirs).map(([f, c]) => [f, body(c)])), d);
  }
});
