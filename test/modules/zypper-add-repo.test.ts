// zypper_add_repo: cloud-init's documented example booted on an openSUSE tree (whose
// cloud.cfg lists the module, as openSUSE's does), the repo files and zypp.conf; a
// second boot adds nothing twice; bad ids and values refused by line; a property test
// that no value adds a line. The same files as cloud-init 25.1's own module:
// zypper-add-repo-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit } from './kit.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { renderZypperRepo, zyppConfWith, zypperAddRepo } from '../../packages/core/src/modules/zypper-add-repo.js';
import { checkRepoOptions, repoIdProblem } from '../../packages/core/src/modules/lib/repo-ini.js';
import { SUSE, ZYPP } from './package-fixtures.js';

const SUSE_CFG =
  'cloud_init_modules: [bootcmd, write_files, set_hostname, update_hostname, update_etc_hosts, users_groups, ssh]\ncloud_config_modules: [zypper_add_repo, runcmd]\ncloud_final_modules: [package_update_upgrade_install, scripts_user, final_message]\nsystem_info:\n  distro: opensuse\n';

test("zypper_add_repo: cloud-init's example booted on an openSUSE tree: repo files in reposdir, settings in zypp.conf, once even after a second boot", () => {
  const root = makeRoot({ osRelease: SUSE, drive: driveWith((d) => setUserData(d, `${zypperAddRepo.examples[0]}packages: [vim]\n`)) });
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg'), SUSE_CFG);
  fs.mkdirSync(path.join(root, 'etc/zypp'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/zypp/zypp.conf'), ZYPP);
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/zypper'), '', { mode: 0o755 });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string };
  assert.equal(st.extended_status, 'done', JSON.stringify(st));
  const oss = path.join(root, 'etc/zypp/repos.dir/opensuse-oss.repo');
  assert.equal(fs.readFileSync(oss, 'utf8'), '[opensuse-oss]\nname = os-oss\nbaseurl = http://dl.opensuse.org/dist/leap/v/repo/oss/\nenabled = 1\nautorefresh = 1');
  assert.equal(fs.statSync(oss).mode & 0o777, 0o644);
  assert.equal(
    fs.readFileSync(path.join(root, 'etc/zypp/repos.dir/opensuse-oss-update.repo'), 'utf8'),
    '[opensuse-oss-update]\nname = os-oss-up\nbaseurl = http://dl.opensuse.org/dist/leap/v/update\nenabled = 1\nautorefresh = 1',
  );
  const conf = `${ZYPP}# Added via cloud.cfg\nreposdir=/etc/zypp/repos.dir\nservicesdir=/etc/zypp/services.d\ndownload.use_deltarpm=True`;
  assert.equal(fs.readFileSync(path.join(root, 'etc/zypp/zypp.conf'), 'utf8'), conf);
  boot(root);
  assert.equal(fs.readFileSync(path.join(root, 'etc/zypp/zypp.conf'), 'utf8'), conf, 'the block is not appended again on the next boot');
});

test('zypper_add_repo refuses ids, keys and values that would add a line, naming the line; skips entries without id or baseurl', async () => {
  const k = makeKit({ osRelease: SUSE });
  k.write('etc/zypp/zypp.conf', ZYPP);
  await k.run(
    zypperAddRepo,
    'zypper:\n  repos:\n    - {id: "a]b", baseurl: http://x}\n    - {id: ok, baseurl: "http://x\\n[evil]"}\n    - {name: no-id}\n    - {id: good, baseurl: http://g, gpgcheck: false}\n  config:\n    "evil\\nkey": 1\n    configdir: /x\n',
  );
  const e = k.errors().join('\n');
  assert.match(e, /user-data line 3 col \d+: zypper\.repos\[0\]\.id "a\]b"/);
  assert.match(e, /user-data line 4 col \d+: zypper\.repos\[1\]: baseurl: it contains a line break/);
  assert.match(e, /zypper\.config\.evil\nkey|zypper\.config\.evil/);
  assert.match(k.warnings().join('\n'), /user-data line 5 col \d+: zypper\.repos\[2\] needs id and baseurl/);
  assert.match(k.warnings().join('\n'), /configdir: moving zypper's configuration is not supported/);
  assert.equal(k.read('etc/zypp/repos.d/good.repo'), '[good]\nbaseurl = http://g\ngpgcheck = 0\nenabled = 1\nautorefresh = 1');
  assert.ok(!k.exists('etc/zypp/repos.d/ok.repo'));
  assert.equal(k.read('etc/zypp/zypp.conf'), ZYPP);
});

test('property: a zypper repo file has one section and one line per option; zypp.conf gains one line per setting', () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean());
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.dictionary(fc.string({ minLength: 1 }), scalar), (id, opts) => {
      const { options, problems } = checkRepoOptions(opts);
      if (repoIdProblem(id) !== null || problems.length > 0) return;
      const lines = renderZypperRepo(id, options).split('\n');
      assert.equal(lines.filter((l) => l.startsWith('[')).length, 1);
      assert.equal(lines.length, 1 + new Set([...options.keys(), 'enabled', 'autorefresh']).size);
    }),
    { numRuns: 500, seed: 14 },
  );
  assert.equal(zyppConfWith('a\n', [['x', '1']]), 'a\n# Added via cloud.cfg\nx=1');
  assert.equal(zyppConfWith('a\n# Added via cloud.cfg\nx=1', [['y', '2']]), 'a\n# Added via cloud.cfg\ny=2');
});
