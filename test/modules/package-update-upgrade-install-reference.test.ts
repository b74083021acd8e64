// test-lane: full (the reference chroot: cloud-init 25.1's own Python)
// package_update_upgrade_install against cloud-init 25.1's own module, from the Debian
// 13 reference chroot's Python, with its commands caught instead of run: the same
// config must give the same commands on Debian, Ubuntu, RHEL, openSUSE and Alpine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, RHEL8 } from './kit.js';
import { packageUpdateUpgradeInstall } from '../../packages/core/src/modules/package-update-upgrade-install.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { ALPINE, SUSE, tools, UBUNTU } from './package-fixtures.js';

const EXAMPLE1 = packageUpdateUpgradeInstall.examples[0] as string;

// cloud-init 25.1's own module, from the Debian 13 reference chroot's Python, with its
// commands caught instead of run: the same config must give the same commands. cloud-init
// installs from a set (its order varies from run to run), so the package words compare
// as sets.
const DIFF_PY = String.raw`
import json, sys, tempfile
from unittest import mock
cases = json.loads(sys.stdin.read())
from cloudinit import helpers, distros, subp
from cloudinit.config import cc_package_update_upgrade_install as mod
out = []
for case in cases:
    tmp = tempfile.mkdtemp()
    paths = helpers.Paths({'cloud_dir': tmp, 'run_dir': tmp + '/run'})
    class DS:
        def get_instance_id(self): return 'iid-1'
    paths.datasource = DS()
    calls = []
    def fake(args=None, *a, **kw):
        args = args if args is not None else kw.get('args')
        calls.append({'argv': list(args), 'env': kw.get('update_env')})
        if list(args[:2]) == ['apt-cache', 'pkgnames']:
            return subp.SubpResult('\n'.join(case['known']), '')
        return subp.SubpResult('{}', '')
    with mock.patch.object(subp, 'subp', side_effect=fake), \
         mock.patch.object(subp, 'which', side_effect=lambda c, **kw: '/usr/bin/' + c if c in case['have'] else None), \
         mock.patch('os.path.isfile', side_effect=lambda p: p in case['files']), mock.patch('time.sleep'):
        d = distros.fetch(case['distro'])(case['distro'], {}, paths)
        class C: pass
        c = C(); c.distro = d
        try:
            mod.handle('package_update_upgrade_install', case['cfg'], c, [])
        except Exception:
            pass
    out.append(calls)
print(json.dumps(out))
`;

test('differential: the same commands as cloud-init 25.1 for the same packages config (Debian, Ubuntu, RHEL, openSUSE, Alpine)', async (t) => {
  const refPython = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(refPython, 'cloudinit/config/cc_package_update_upgrade_install.py')))
    return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const yamlCfg = (ex: string) => ex;
  const cases = [
    {
      distro: 'debian',
      os: 'ID=debian\nVERSION_ID="13"\n',
      have: ['apt-get', 'apt-cache', 'snap'],
      known: ['pwgen', 'pastebinit', 'libpython3.8', 'mg'],
      files: ['/var/run/reboot-required'],
      yaml: yamlCfg(EXAMPLE1),
    },
    { distro: 'debian', os: 'ID=debian\nVERSION_ID="13"\n', have: ['apt-get', 'apt-cache'], known: ['jq'], files: [], yaml: '#cloud-config\napt_update: true\npackages: [jq, [curl, "8.0"]]\n' },
    { distro: 'ubuntu', os: UBUNTU, have: ['apt-get', 'apt-cache', 'snap'], known: ['htop'], files: [], yaml: '#cloud-config\npackage_upgrade: true\npackages: [htop]\n' },
    { distro: 'rhel', os: RHEL8, have: ['dnf'], known: [], files: [], yaml: '#cloud-config\npackage_update: true\npackage_upgrade: true\npackages: [httpd, [php, "8.0.30"]]\n' },
    { distro: 'opensuse', os: SUSE, have: ['zypper'], known: [], files: [], yaml: '#cloud-config\npackage_update: true\npackage_upgrade: true\npackages: [vim, [git, "2.43"]]\n' },
    { distro: 'alpine', os: ALPINE, have: ['apk'], known: [], files: [], yaml: '#cloud-config\npackage_update: true\npackage_upgrade: true\npackages: [nginx]\n' },
  ];
  const { loadYaml } = await import('../../packages/core/src/yaml/load.js');
  const input = cases.map((c) => ({ distro: c.distro, have: c.have, known: c.known, files: c.files, cfg: loadYaml(c.yaml, 'u').value }));
  const r = spawnSync(PYTHON3, ['-c', DIFF_PY], { input: JSON.stringify(input), encoding: 'utf8', env: { ...process.env, PYTHONPATH: refPython } });
  if (r.status !== 0 && /No module named|SyntaxError/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.split('\n').slice(-2).join(' ')}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { argv: string[]; env: Record<string, string> | null }[][];
  const norm = (argv: string[]) => {
    const i = argv.findIndex((w) => w === 'install' || w === 'add');
    return i < 0 || argv[0] === 'snap' ? argv : [...argv.slice(0, i + 1), ...argv.slice(i + 1).sort()];
  };
  for (const [i, c] of cases.entries()) {
    const k = makeKit({ osRelease: c.os });
    tools(
      k.root,
      c.have.map((h) => (h === 'apk' ? '/sbin/apk' : h)),
    );
    for (const f of c.files) k.write(f.slice(1), '');
    await k.run(packageUpdateUpgradeInstall, c.yaml).catch(() => undefined);
    // snap installs run one by one from a set too: compared as a set.
    const shape = (list: { argv: string[]; env?: Record<string, string> | null }[]) => {
      const all = list.map((x) => ({ argv: norm(x.argv), env: x.env ?? null }));
      const snaps = all.filter((x) => x.argv[0] === 'snap' && x.argv[1] === 'install');
      return { ordered: all.filter((x) => !snaps.includes(x)), snaps: snaps.map((x) => JSON.stringify(x)).sort() };
    };
    const ours = shape(k.commands());
    const theirs = shape(ref[i] ?? []);
    assert.deepEqual(ours, theirs, `${c.distro}: ${c.yaml}`);
  }
});
