// apt_configure against cloud-init 25.1's own module from the Debian 13 reference
// chroot: the same config gives the same sources stanzas, source files, key files,
// proxy and conf files and commands.
// test-lane: full (reference chroot)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { aptConfigure } from '../../packages/core/src/modules/apt-configure.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const TRIXIE = 'ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n';
const KEY = Buffer.from('99010d0452a1b2c3010800deadbeef', 'hex').toString('base64');
const ARMORED = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${KEY}\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n`;

// cloud-init's module with its effects caught: files written, files removed, commands.
// gpg is not in the chroot, so --dearmor is played by base64 (which is what it does).
// rename_apt_lists would rename the host's own apt lists: it is switched off.
const PY = String.raw`
import json, sys, os, base64
from unittest import mock
from cloudinit import util, subp, gpg as gpgmod
from cloudinit.config import cc_apt_configure as mod
TPL = sys.argv[1]
out = []
for cfg in json.loads(sys.stdin.read()):
    files, removed, calls = {}, [], []
    def write_file(fn, content, mode=0o644, omode='wb', **kw):
        if isinstance(content, bytes): content = 'b64:' + base64.b64encode(content).decode()
        if 'a' in omode and fn in files: content = files[fn] + content
        files[fn] = content
    def fake_subp(args=None, *a, **kw):
        args = list(args if args is not None else kw['args'])
        if args[0] != 'gpgconf': calls.append(args)
        return subp.SubpResult('', '')
    def dearmor(self, key):
        lines = key.strip().split('\n')[1:-1]
        return base64.b64decode(''.join(l for l in lines if l and not l.startswith('=') and ':' not in l))
    class Distro:
        name = 'debian'
        def update_package_sources(self, force=False): calls.append(['apt-get', 'update'])
        def install_packages(self, p): calls.append(['install'] + list(p))
    class DS:
        def get_package_mirror_info(self): return {'primary': 'https://deb.debian.org/debian', 'security': 'https://deb.debian.org/debian-security'}
    class Cloud:
        distro = Distro(); datasource = DS()
        def get_template_filename(self, name):
            p = os.path.join(TPL, name + '.tmpl')
            return p if os.path.isfile(p) else None
    real_exists, real_isfile = os.path.exists, os.path.isfile
    with mock.patch.object(util, 'write_file', side_effect=write_file), \
         mock.patch.object(util, 'del_file', side_effect=lambda p: removed.append(p)), \
         mock.patch.object(subp, 'subp', side_effect=fake_subp), \
         mock.patch.object(subp, 'which', side_effect=lambda c, **kw: '/usr/bin/' + c), \
         mock.patch.object(mod.shutil, 'which', side_effect=lambda c, *a, **kw: '/usr/bin/' + c), \
         mock.patch.object(util, 'lsb_release', return_value={'codename': 'trixie'}), \
         mock.patch.object(util, 'get_dpkg_architecture', return_value='amd64'), \
         mock.patch.object(util, 'get_installed_packages', return_value=[]), \
         mock.patch.object(mod, 'get_apt_cfg', return_value={'sourcelist': '/etc/apt/sources.list', 'sourceparts': '/etc/apt/sources.list.d/'}), \
         mock.patch.object(mod, 'rename_apt_lists'), \
         mock.patch.object(gpgmod.GPG, 'dearmor', dearmor), \
         mock.patch('os.path.exists', side_effect=lambda p: p == '/etc/apt/sources.list' or (str(p).startswith(TPL) and real_exists(p))), \
         mock.patch('os.path.isfile', side_effect=lambda p: str(p).startswith(TPL) and real_isfile(p)):
        mod.handle('apt_configure', cfg, Cloud(), [])
    out.append({'files': files, 'removed': removed, 'calls': calls})
print(json.dumps(out))
`;

const CASES = [
  aptConfigure.examples[0] as string,
  `apt:\n  primary: [{arches: [amd64], uri: "http://amd/debian"}, {arches: [default], uri: "http://other/debian"}]\n  https_proxy: http://p:8080\n  ftp_proxy: ftp://f/\n  sources:\n    repo1:\n      source: deb [signed-by=$KEY_FILE] http://repo.example/debian $RELEASE main\n      key: |\n${ARMORED.trimEnd()
    .split('\n')
    .map((l) => `        ${l}`)
    .join(
      '\n',
    )}\n    two:\n      filename: shared\n      source: deb $PRIMARY $RELEASE main\n    three:\n      filename: shared\n      source: deb $SECURITY $RELEASE-security main\n    ppa: {source: "ppa:user/repo"}\n`,
  'apt:\n  disable_suites: [security, updates]\n  security: [{arches: [default], uri: "http://sec/debian-security"}]\n',
  'apt:\n  disable_suites: [updates, $RELEASE-backports]\n  sources_list: |\n    deb $MIRROR $RELEASE main\n    deb [ arch=amd64 ] $PRIMARY $RELEASE-updates main\n    deb $SECURITY $RELEASE-backports main\n',
];

/** The lines of rendered sources that mean something to apt (nimbus's comment header is its own). */
const meaning = (text: string) => text.split('\n').filter((l) => l !== '' && (!l.startsWith('#') || l.includes('disabled by cloud-init')));

test('differential: apt_configure writes the same sources, keys, proxy and conf files and runs the same commands as cloud-init 25.1', async (t) => {
  const py = path.join(referenceRoot('trixie'), 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_apt_configure.py'))) return t.skip('reference cloud-init 25.1 not set up (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)');
  const tpl = path.join(referenceRoot('trixie'), 'etc/cloud/templates');
  const cfgs = CASES.map((y) => loadYaml(y, 'u').value);
  const r = spawnSync(PYTHON3, ['-c', PY, tpl], { input: JSON.stringify(cfgs), encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  if (r.status !== 0 && /No module named/.test(r.stderr)) return t.skip(`cloud-init 25.1's modules cannot load here: ${r.stderr.trim().split('\n').at(-1)}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { files: Record<string, string>; removed: string[]; calls: string[][] }[];
  for (const [i, yaml] of CASES.entries()) {
    const k = makeKit({ osRelease: TRIXIE });
    for (const tool of ['apt-get', 'gpg', 'add-apt-repository']) k.write(`usr/bin/${tool}`, '#!/bin/sh\n', 0o755);
    k.write('etc/apt/sources.list', 'deb http://old/ bookworm main\n');
    await k.run(aptConfigure, yaml);
    const want = ref[i] as (typeof ref)[number];
    for (const [file, content] of Object.entries(want.files)) {
      const p = file.slice(1);
      assert.ok(k.exists(p), `case ${i}: ${file} written`);
      if (content.startsWith('b64:')) assert.equal(fs.readFileSync(path.join(k.root, p)).toString('base64'), content.slice(4), `case ${i}: ${file}`);
      else if (file.endsWith('.sources') || file === '/etc/apt/sources.list') assert.deepEqual(meaning(k.read(p)), meaning(content), `case ${i}: ${file}`);
      else assert.equal(k.read(p), content, `case ${i}: ${file}`);
    }
    for (const f of want.removed) assert.ok(!k.exists(f.slice(1)), `case ${i}: ${f} removed`);
    const ours = k.argvs().map((a) => (a.includes('apt-get') && a.at(-1) === 'update' ? ['apt-get', 'update'] : a));
    assert.deepEqual(ours, want.calls, `case ${i}: commands`);
  }
});
