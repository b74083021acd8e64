// apk_configure: cloud-init's documented examples booted on an Alpine tree (whose
// cloud.cfg lists the module, as Alpine's does), the repositories file byte for byte,
// bad URLs refused by line, a property test that no value adds a line, and the same
// file as cloud-init 25.1's own module renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit } from './kit.js';
import { boot, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';
import { apkConfigure, renderApkRepositories, repoUrlProblem } from '../../packages/core/src/modules/apk-configure.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';
// The module lists of cloud-init's cloud.cfg for Alpine (trimmed to what the tree has).
const ALPINE_CFG =
  'cloud_init_modules: [seed_random, bootcmd, write_files, set_hostname, update_hostname, update_etc_hosts, users_groups, ssh]\ncloud_config_modules: [apk_configure, runcmd]\ncloud_final_modules: [package_update_upgrade_install, scripts_user, final_message]\nsystem_info:\n  distro: alpine\n';
const HEAD = '#\n# Created by cloud-init\n#\n# This file is written on first boot of an instance\n#\n\n';

function bootAlpine(ud: string): string {
  const root = makeRoot({ osRelease: ALPINE, drive: driveWith((d) => setUserData(d, ud)) });
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg'), ALPINE_CFG);
  fs.mkdirSync(path.join(root, 'etc/apk'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/apk/repositories'), 'https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n');
  fs.mkdirSync(path.join(root, 'sbin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sbin/apk'), '', { mode: 0o755 });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string };
  assert.equal(st.extended_status, 'done', JSON.stringify(st));
  return root;
}

test("apk_configure: cloud-init's examples: the full one booted on an Alpine tree writes every line, a version alone main, preserve keeps the file", async () => {
  const [keep, plain, full] = apkConfigure.examples as [string, string, string];
  const k = makeKit({ osRelease: ALPINE });
  k.write('etc/apk/repositories', 'https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n');
  await k.run(apkConfigure, keep);
  assert.equal(k.read('etc/apk/repositories'), 'https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n');
  await k.run(apkConfigure, plain);
  assert.equal(k.read('etc/apk/repositories'), `${HEAD}https://alpine.global.ssl.fastly.net/alpine/v3.19/main\n\n`);
  assert.equal(k.mode('etc/apk/repositories'), 0o644);
  const root = bootAlpine(`${full}packages: [htop]\n`);
  assert.equal(fs.statSync(path.join(root, 'etc/apk/repositories')).mode & 0o777, 0o644);
  assert.equal(
    fs.readFileSync(path.join(root, 'etc/apk/repositories'), 'utf8'),
    `${HEAD}https://some-alpine-mirror/alpine/edge/main\nhttps://some-alpine-mirror/alpine/edge/community\nhttps://some-alpine-mirror/alpine/edge/testing\n\n#\n# Local repo\n#\nhttps://my-local-server/local-alpine/edge\n\n`,
  );
  // The packages are installed in the final stage, from the repositories just written.
  assert.deepEqual(
    recorded(root).filter((a) => a[0] === 'apk'),
    [
      ['apk', '--quiet', 'update'],
      ['apk', '--quiet', 'add', 'htop'],
    ],
  );
});

test('apk_configure refuses a URL or version that would add a line, naming its line; a missing version is a warning', async () => {
  const k = makeKit({ osRelease: ALPINE });
  await assert.rejects(
    k.run(apkConfigure, 'apk_repos:\n  alpine_repo:\n    version: v3.19\n    base_url: "https://m/alpine\\n@evil https://evil"\n'),
    /user-data line 4 col \d+: apk_repos\.alpine_repo\.base_url .*line break/,
  );
  await assert.rejects(k.run(apkConfigure, 'apk_repos:\n  alpine_repo: {version: "v3.19 x"}\n'), /user-data line 2 col \d+: apk_repos\.alpine_repo\.version .* is not a release name/);
  await assert.rejects(k.run(apkConfigure, 'apk_repos:\n  alpine_repo: {version: v3.19}\n  local_repo_base_url: "@tag"\n'), /user-data line 3 col \d+: .*expected a URL/);
  assert.ok(!k.exists('etc/apk/repositories'));
  await k.run(apkConfigure, 'apk_repos:\n  alpine_repo: {community_enabled: true}\n');
  assert.match(k.warnings().join('\n'), /user-data line 2 col \d+: apk_repos\.alpine_repo has no version/);
});

test('property: the repositories file has one line per repository, whatever URLs and version are accepted', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string(), fc.boolean(), fc.boolean(), (base, version, local, community, testing) => {
      const b = `https://${base}`;
      const l = local === '' ? '' : `http://${local}`;
      if (
        repoUrlProblem(b) !== null ||
        (l !== '' && repoUrlProblem(l) !== null) ||
        version === '' ||
        /[\s/]/.test(version) ||
        [...version].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
      )
        return;
      const text = renderApkRepositories({ baseUrl: b, version, community, testing, localRepo: l });
      const repos = text.split('\n').filter((x) => x !== '' && !x.startsWith('#'));
      assert.equal(repos.length, 1 + (community ? 1 : 0) + (testing ? 1 : 0) + (l !== '' ? 1 : 0));
      for (const r of repos) assert.ok(r.startsWith(b) || (l !== '' && r.startsWith(l)), r);
    }),
    { numRuns: 500, seed: 14 },
  );
});

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
