// test-lane: full (reference chroot: cloud-init 25.1's own cc_puppet)
// puppet against cloud-init's own handler: the documented examples (the download and
// the commands stubbed, the paths moved into a temp directory) through the reference's
// cc_puppet and through nimbus give the same puppet.conf, ca.pem and csr_attributes.yaml
// and the same service and agent steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { puppet, runPuppet } from '../../packages/core/src/modules/puppet.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { REF_MISSING, referenceBuilt, referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-root.js';

const HARNESS = `
import json, sys, os, types
from cloudinit.config import cc_puppet as m
cfg, d = json.loads(sys.argv[1]), sys.argv[2]
# Never this machine's /etc/puppet: every path is under the temp directory.
assert all(cfg['puppet'][k].startswith(d) for k in ('conf_file', 'ssl_dir', 'csr_attributes_path'))
calls = []
distro = types.SimpleNamespace(install_packages=lambda p: calls.append(['install', *[x if isinstance(x, str) else '='.join(x) for x in p]]), manage_service=lambda a, s: calls.append([a, s]), get_tmp_exec_path=lambda: d)
m.url_helper.readurl = lambda url, retries: types.SimpleNamespace(contents=b'#!/bin/sh\\n')
m.temp_utils.tempdir = __import__('contextlib').contextmanager(lambda **kw: (yield os.path.join(d, 'tmp')))
os.makedirs(os.path.join(d, 'tmp'), exist_ok=True)
def subp(argv, **kw):
    calls.append([os.path.basename(argv[0]) if argv[0].endswith('puppet-install') else argv[0], *argv[1:]])
    return ('', '')
m.subp.subp = subp
m.util.chownbyname = lambda *a: None
m.socket.getfqdn = lambda: 'web-1.example.org'
cloud = types.SimpleNamespace(distro=distro, get_instance_id=lambda: 'iid-kit-1')
m.handle('puppet', cfg, cloud, [])
files = {}
for root, _, names in os.walk(d):
    for f in names:
        p = os.path.join(root, f)
        if 'tmp' not in os.path.relpath(p, d).split(os.sep): files[os.path.relpath(p, d)] = open(p).read()
print(json.dumps({'files': files, 'calls': calls}))
`;

const ORIGINAL = '[main]\nlogdir = /var/log/puppet\n';

function walk(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  if (!fs.existsSync(dir)) return out;
  for (const n of fs.readdirSync(dir)) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) walk(p, base, out);
    else out[path.relative(base, p)] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

test('puppet: the documented examples give the files and steps cloud-init 25.1 gives', async (t) => {
  const root = referenceRoot('trixie');
  if (!referenceBuilt() || !fs.existsSync(path.join(root, 'usr/lib/python3/dist-packages/cloudinit/config/cc_puppet.py'))) return t.skip(REF_MISSING);
  for (const example of puppet.examples) {
    const d = tempDir('nimbus-puppet-ref-');
    // Both write under one directory: /etc/puppet and /var/lib/puppet become D/etc and D/var.
    const moved = example.includes('conf_file')
      ? example
      : example.replace('puppet:\n', 'puppet:\n  conf_file: /etc/puppet/puppet.conf\n  ssl_dir: /var/lib/puppet/ssl\n  csr_attributes_path: /etc/puppet/csr_attributes.yaml\n');
    const cfg = loadYaml(
      moved.replace(/\/(etc|var)\/(lib\/)?puppet/g, (_m, a: string, b: string | undefined) => `${d}/${a}/${b ?? ''}puppet`),
      'example',
    ).value as Record<string, unknown>;
    // cloud-init reads the image's puppet.conf (and fails without one).
    fs.mkdirSync(path.join(d, 'etc/puppet'), { recursive: true });
    fs.writeFileSync(path.join(d, 'etc/puppet/puppet.conf'), ORIGINAL);
    const py = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(cfg), d], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') } });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { files: Record<string, string>; calls: string[][] };
    const k = makeKit();
    k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
    k.write('etc/puppet/puppet.conf', ORIGINAL);
    const ctx = await k.run({ ...puppet, run: () => undefined }, moved, { localHostname: 'web-1.example.org' });
    await runPuppet(ctx, { fetchOnce: async () => ({ ok: true, body: Buffer.from('#!/bin/sh\n') }), pause: async () => undefined });
    const mine = { ...walk(path.join(k.root, 'etc'), k.root), ...walk(path.join(k.root, 'var/lib/puppet'), k.root) };
    for (const f of Object.keys(mine)) if (!f.includes('puppet')) delete mine[f];
    // cloud-init renames puppet.conf once per conf entry, so its .old is its own first
    // rewrite; nimbus keeps the image's file there.
    if (example.includes('conf:')) assert.equal(mine['etc/puppet/puppet.conf.old'], ORIGINAL);
    delete mine['etc/puppet/puppet.conf.old'];
    delete ref.files['etc/puppet/puppet.conf.old'];
    assert.deepEqual(mine, ref.files);
    const steps = k
      .argvs()
      .filter((a) => a[0] !== 'apt-cache' && !(a[0] === 'apt-get' && a.at(-1) === 'update') && a[1] !== 'config')
      .map((a) =>
        a[0] === 'apt-get' ? ['install', a.at(-1) as string] : a[0] === 'systemctl' ? [a[1] as string, a[2] as string] : a[0]?.endsWith('puppet-install') ? ['puppet-install', ...a.slice(1)] : a,
      );
    assert.deepEqual(
      steps,
      ref.calls.filter((c) => c[1] !== 'config'),
    );
  }
});
