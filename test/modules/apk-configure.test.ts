// apk_configure: cloud-init's documented examples booted on an Alpine tree (whose
// cloud.cfg lists the module, as Alpine's does), the repositories file byte for byte,
// bad URLs refused by line, a property test that no value adds a line. The same file as
// cloud-init 25.1's own module renders: apk-configure-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit } from './kit.js';
import { boot, cli, driveWith, makeRoot, recorded, setUserData } from '../helpers/boot.js';
import { apkConfigure, renderApkRepositories, repoUrlProblem } from '../../packages/core/src/modules/apk-configure.js';
import { ALPINE } from './package-fixtures.js';

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
