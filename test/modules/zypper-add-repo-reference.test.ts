// test-lane: full (the reference chroot: cloud-init 25.1's own Python)
// zypper_add_repo against cloud-init 25.1's own module, from the Debian 13 reference
// chroot's Python with its file writes caught: the same repo files and zypp.conf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { zypperAddRepo } from '../../packages/core/src/modules/zypper-add-repo.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { SUSE, ZYPP } from './package-fixtures.js';

const PY = `
import json, sys
from unittest import mock
from cloudinit import util
from cloudinit.config import cc_zypper_add_repo as mod
out = []
for case in json.loads(sys.stdin.read()):
    files = {}
    with mock.patch.object(util, 'write_file', side_effect=lambda fn, content, *a, **kw: files.__setitem__(fn, content)), \\
         mock.patch.object(util, 'load_text_file', return_value=case['zypp']), \\
         mock.patch('os.path.exists', return_value=False):
        mod.handle('zypper_add_repo', case['cfg'], None, [])
    out.append(files)
print(json.dumps(out))
`;

test('differential: zypper_add_repo writes the same files as cloud-init 25.1', async (t) => {
  const py = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_zypper_add_repo.py'))) return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const docs = [...zypperAddRepo.examples, '#cloud-config\nzypper:\n  repos:\n    - {id: r1, baseurl: http://x, Gpg-Check: true, priority: 90, type: rpm-md}\n'];
  const cases = docs.map((d) => ({ cfg: loadYaml(d, 'u').value, zypp: ZYPP }));
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  if (r.status !== 0 && /No module named|SyntaxError/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.trim().split('\n').at(-1)}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, string>[];
  for (const [i, d] of docs.entries()) {
    const k = makeKit({ osRelease: SUSE });
    k.write('etc/zypp/zypp.conf', ZYPP);
    await k.run(zypperAddRepo, d);
    const theirs = ref[i] ?? {};
    const ours: Record<string, string> = {};
    for (const f of Object.keys(theirs)) {
      const rel = path.posix.normalize(f).slice(1);
      if (k.exists(rel)) ours[f] = k.read(rel);
    }
    assert.deepEqual(ours, theirs, d);
  }
});
