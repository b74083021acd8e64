// yum_add_repo: cloud-init's documented examples booted on a RHEL tree, the files and
// their modes; bad ids, keys and values refused by line; a property test that no value
// opens another section or line. The same files as cloud-init 25.1's own module:
// yum-add-repo-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit, RHEL8 } from './kit.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { renderYumRepo, yumAddRepo } from '../../packages/core/src/modules/yum-add-repo.js';
import { checkRepoOptions, repoIdProblem } from '../../packages/core/src/modules/lib/repo-ini.js';
import { YUM_HEADER as HEADER, yumBody as body } from './package-fixtures.js';

function bootRhel(ud: string): string {
  const root = makeRoot({ osRelease: RHEL8, drive: driveWith((d) => setUserData(d, ud)) });
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/sbin/NetworkManager'), '', { mode: 0o755 });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string; errors: string[] };
  assert.equal(st.extended_status, 'done', JSON.stringify(st));
  return root;
}

test("yum_add_repo: cloud-init's examples booted on a RHEL tree write one .repo file each, 0644, as ConfigParser lays them out", () => {
  const [ex1, ex2, ex3, ex4] = yumAddRepo.examples as [string, string, string, string];
  const r1 = bootRhel(ex1);
  const f1 = path.join(r1, 'store/custom/yum.repos.d/my_repo.repo');
  assert.match(fs.readFileSync(f1, 'utf8'), HEADER);
  assert.equal(body(fs.readFileSync(f1, 'utf8')), '[my_repo]\nbaseurl = http://blah.org/pub/epel/testing/5/$basearch/\n\n');
  assert.equal(fs.statSync(f1).mode & 0o777, 0o644);
  // Examples 2 to 4 in one user-data: their yum_repos merge into one mapping.
  const merged = ['#cloud-config\nyum_repos:\n', ...[ex2, ex3, ex4].map((e) => e.replace(/^#cloud-config\nyum_repos:\n/, ''))].join('');
  const r2 = bootRhel(merged);
  assert.equal(
    body(fs.readFileSync(path.join(r2, 'etc/yum.repos.d/cloud-init-daily.repo'), 'utf8')),
    '[cloud-init-daily]\nname = Copr repo for cloud-init-dev owned by @cloud-init\nbaseurl = https://download.copr.fedorainfracloud.org/results/@cloud-init/cloud-init-dev/epel-8-$basearch/\ntype = rpm-md\nskip_if_unavailable = 1\ngpgcheck = 1\ngpgkey = https://download.copr.fedorainfracloud.org/results/@cloud-init/cloud-init-dev/pubkey.gpg\nenabled_metadata = 1\n\n',
  );
  assert.match(fs.readFileSync(path.join(r2, 'etc/yum.repos.d/epel-testing.repo'), 'utf8'), /\nenabled = 0\nfailovermethod = priority\ngpgcheck = 1\n/);
  assert.match(fs.readFileSync(path.join(r2, 'etc/yum.repos.d/my-package-stream.repo'), 'utf8'), /^\[my-package-stream\]\nbaseurl = .*\nmirrorlist = .*\nrepo_gpgcheck = 1\nenable_gpgcheck = 1\n/m);
});

test('yum_add_repo keeps an existing file, skips a repo without a URL, refuses bad ids, keys and values by line', async () => {
  const k = makeKit({ osRelease: RHEL8 });
  k.write('etc/yum.repos.d/mine.repo', '[mine]\nbaseurl=file:///srv\n');
  await k.run(
    yumAddRepo,
    'yum_repos:\n  mine: {baseurl: http://x}\n  nourl: {name: n}\n  "a/b": {baseurl: http://x}\n  inj: {baseurl: "http://x\\n[evil]\\ngpgcheck=0"}\n  keyinj: {"gpgcheck = 0\\nx": 1, baseurl: http://x}\n  listy: {baseurl: [http://a, http://b]}\n',
  );
  assert.equal(k.read('etc/yum.repos.d/mine.repo'), '[mine]\nbaseurl=file:///srv\n');
  assert.ok(!k.exists('etc/yum.repos.d/nourl.repo') && !k.exists('etc/yum.repos.d/inj.repo') && !k.exists('etc/yum.repos.d/keyinj.repo'));
  assert.match(k.warnings().join('\n'), /user-data line 3 col \d+: repository nourl has none of baseurl, metalink, mirrorlist; skipped/);
  const e = k.errors().join('\n');
  assert.match(e, /user-data line 4 col \d+: yum_repos: repository id "a\/b": it must not contain/);
  assert.match(e, /user-data line 5 col \d+: yum_repos\.inj: baseurl: it contains a line break/);
  assert.match(e, /yum_repos\.keyinj: option name .* must be letters/);
  assert.equal(body(k.read('etc/yum.repos.d/listy.repo')), '[listy]\nbaseurl = http://a\n\thttp://b\n\n');
  await assert.rejects(makeKit().run(yumAddRepo, 'yum_repos: {a: {baseurl: x}}\nyum_repo_dir: ../etc\n'), /user-data line 2 col \d+: yum_repo_dir: "\.\.\/etc" is not an absolute path/);
});

test('property: a .repo file has exactly one section and one line per option, whatever the id, keys and values', () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean());
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(scalar, fc.array(scalar, { minLength: 1, maxLength: 3 }))), (id, opts) => {
      const { options, problems } = checkRepoOptions(opts);
      if (repoIdProblem(id) !== null || problems.length > 0) return;
      const text = renderYumRepo(id, options, 0);
      const lines = text.split('\n');
      assert.equal(lines.filter((l) => l.startsWith('[')).length, 1);
      const keyLines = lines.filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('[') && !l.startsWith('\t'));
      assert.deepEqual(
        keyLines.map((l) => l.split(' = ')[0]),
        [...options.keys()],
      );
    }),
    { numRuns: 500, seed: 14 },
  );
});
