// test-lane: full (reference chroot: cloud-init 25.1's own cc_salt_minion)
// salt_minion against cloud-init's own handler: the documented example through the
// reference's cc_salt_minion (its distro calls recorded) and through nimbus give the
// same files and the same steps; only the private key's mode differs (0600 here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { saltMinion } from '../../packages/core/src/modules/salt-minion.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { REF_MISSING, referenceBuilt, referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-root.js';

const HARNESS = `
import json, sys, os, types
from cloudinit.config import cc_salt_minion as m
cfg, d = json.loads(sys.argv[1]), sys.argv[2]
# Never this machine's /etc/salt: everything goes under the temp directory.
cfg['salt_minion'].setdefault('config_dir', d)
assert all(cfg['salt_minion'][k].startswith(d) for k in ('config_dir', 'pki_dir') if k in cfg['salt_minion'])
calls = []
distro = types.SimpleNamespace(install_packages=lambda p: calls.append(['install', *p]), manage_service=lambda a, s: calls.append([a, s]))
m.subp.subp = lambda argv, **kw: calls.append(list(argv))
m.handle('salt_minion', cfg, types.SimpleNamespace(distro=distro), [])
files = {}
for root, _, names in os.walk(d):
    for f in names:
        p = os.path.join(root, f)
        files[os.path.relpath(p, d)] = open(p).read()
print(json.dumps({'files': files, 'calls': calls}))
`;

function walk(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const n of fs.readdirSync(dir)) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) walk(p, base, out);
    else out[path.relative(base, p)] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

test('salt_minion: the documented example gives the files and steps cloud-init 25.1 gives', async (t) => {
  const root = referenceRoot('trixie');
  if (!referenceBuilt() || !fs.existsSync(path.join(root, 'usr/lib/python3/dist-packages/cloudinit/config/cc_salt_minion.py'))) return t.skip(REF_MISSING);
  for (const example of saltMinion.examples) {
    const d = tempDir('nimbus-salt-ref-');
    const cfg = loadYaml(example.replace(/\/etc\/salt/g, d), 'example').value as Record<string, unknown>;
    const py = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(cfg), d], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') } });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { files: Record<string, string>; calls: string[][] };
    const k = makeKit();
    k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
    await k.run(saltMinion, example);
    assert.deepEqual(walk(path.join(k.root, 'etc/salt')), ref.files);
    const steps = k
      .argvs()
      .filter((a) => a[0] !== 'apt-cache' && !(a[0] === 'apt-get' && a.at(-1) === 'update'))
      .map((a) => (a[0] === 'apt-get' ? ['install', a.at(-1) as string] : a[0] === 'systemctl' ? [a[1] as string, a[2] as string] : a));
    assert.deepEqual(steps, ref.calls);
  }
});
