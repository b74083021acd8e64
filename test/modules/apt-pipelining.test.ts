// apt_pipelining: apt's pipeline depth from cloud-config, booted on a Debian tree, each
// documented value, and the same file as cloud-init 25.1's own module writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, RHEL8 } from './kit.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { aptPipelining, PIPELINING_FILE, pipeliningDepth } from '../../packages/core/src/modules/apt-pipelining.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const FILE = PIPELINING_FILE.slice(1);

test("apt_pipelining: cloud-init's examples: false booted on Debian writes depth 0 without degrading the boot, a number its depth, os nothing", async () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, aptPipelining.examples[0] as string)) });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string };
  assert.equal(st.extended_status, 'done', 'turning pipelining off never degrades the boot');
  const p = path.join(root, FILE);
  assert.equal(fs.readFileSync(p, 'utf8'), '//Written by cloud-init per \'apt_pipelining\'\nAcquire::http::Pipeline-Depth "0";\n');
  assert.equal(fs.statSync(p).mode & 0o777, 0o644);
  const os = makeKit();
  await os.run(aptPipelining, aptPipelining.examples[1] as string);
  assert.ok(!os.exists(FILE));
  const three = makeKit();
  await three.run(aptPipelining, aptPipelining.examples[2] as string);
  assert.equal(three.read(FILE), '//Written by cloud-init per \'apt_pipelining\'\nAcquire::http::Pipeline-Depth "3";\n');
  assert.deepEqual([os.warnings(), three.warnings()], [[], []]);
});

test('apt_pipelining: a value it does not understand is a warning naming the line; deprecated spellings are noted; nothing on a RHEL tree', async () => {
  const k = makeKit();
  await k.run(aptPipelining, 'apt_pipelining: 9\n');
  assert.ok(!k.exists(FILE));
  assert.match(k.warnings().join('\n'), /user-data line 1 col \d+: apt_pipelining: 9 is not false, os or a depth from 0 to 5/);
  const d = makeKit();
  await d.run(aptPipelining, 'apt_pipelining: unchanged\n');
  assert.ok(!d.exists(FILE));
  assert.equal(d.logger.report.recoverable.DEPRECATED.length, 1);
  const r = makeKit({ osRelease: RHEL8 });
  await r.run(aptPipelining, 'apt_pipelining: false\n');
  assert.ok(!r.exists(FILE));
  assert.deepEqual(pipeliningDepth('2'), { depth: 2 });
  assert.deepEqual(pipeliningDepth('False'), { depth: 0 });
});

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
