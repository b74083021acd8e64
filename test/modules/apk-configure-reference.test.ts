// test-lane: full (the reference chroot: cloud-init 25.1's own Python)
// apk_configure against cloud-init 25.1's own module, from the Debian 13 reference
// chroot's Python with its file writes caught: the same /etc/apk/repositories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { apkConfigure } from '../../packages/core/src/modules/apk-configure.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { ALPINE } from './package-fixtures.js';

const PY = `
import json, sys
from unittest import mock
from cloudinit import util
from cloudinit.config import cc_apk_configure as mod
out = []
real_write = util.write_file
for cfg in json.loads(sys.stdin.read()):
    files = {}
    def w(fn, content=None, *a, **kw):
        content = content if content is not None else kw.get('content')
        if fn.endswith('.tmpl'):
            real_write(fn, content)
        else:
            files[fn] = content
    with mock.patch.object(util, 'write_file', side_effect=w):
        mod.handle('apk_configure', cfg, None, [])
    out.append(files)
print(json.dumps(out))
`;

test('differential: apk_configure writes the same file as cloud-init 25.1', async (t) => {
  const py = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_apk_configure.py'))) return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const docs = [
    ...apkConfigure.examples,
    '#cloud-config\napk_repos:\n  alpine_repo: {version: v3.18, testing_enabled: true}\n',
    '#cloud-config\napk_repos:\n  alpine_repo: {version: v3.18, community_enabled: true}\n  local_repo_base_url: http://l/x\n',
    '#cloud-config\napk_repos:\n  alpine_repo: {base_url: /srv/mirror}\n',
  ];
  const cfgs = docs.map((d) => loadYaml(d, 'u').value as Record<string, unknown>);
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(cfgs), encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  if (r.status !== 0 && /No module named|SyntaxError/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.trim().split('\n').at(-1)}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, string>[];
  for (const [i, d] of docs.entries()) {
    const k = makeKit({ osRelease: ALPINE });
    await k.run(apkConfigure, d);
    const ours: Record<string, string> = k.exists('etc/apk/repositories') ? { '/etc/apk/repositories': k.read('etc/apk/repositories') } : {};
    assert.deepEqual(ours, ref[i], d);
  }
});
