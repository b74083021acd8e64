// package_update_upgrade_install: cloud-init's documented examples booted on Debian,
// Ubuntu, RHEL, openSUSE and Alpine trees with commands recorded; the argv and
// environment of each package manager; the dpkg lock waited out; bad entries named by
// line. The same commands as cloud-init 25.1's own module given the same config:
// package-update-upgrade-install-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit, RHEL8 } from './kit.js';
import { boot, cli, driveWith, instanceDir, makeRoot, setUserData } from '../helpers/boot.js';
import { packageUpdateUpgradeInstall, readPackages } from '../../packages/core/src/modules/package-update-upgrade-install.js';
import { APT_GET_COMMAND, installArgv, runPackageCommand, failedOnAptLock, managerFamily, type Manager } from '../../packages/core/src/modules/lib/package-manager.js';
import type { ExecResult } from '../../packages/core/src/host/exec.js';
import { checkText } from '../../packages/core/src/schema/check.js';
import { formatProblem } from '../../packages/core/src/schema/problems.js';
import { ALPINE, SUSE, tools, UBUNTU } from './package-fixtures.js';

const APT = APT_GET_COMMAND;
const ENV = { DEBIAN_FRONTEND: 'noninteractive' };
const EXAMPLE1 = packageUpdateUpgradeInstall.examples[0] as string;

interface Rec {
  argv: string[];
  env?: Record<string, string>;
}
function records(root: string): Rec[] {
  const p = path.join(root, 'var/log/nimbus-commands.log');
  if (!fs.existsSync(p)) return [];
  return fs
    .readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}
const pkgCommands = (root: string) =>
  records(root).filter((r) => ['apt-get', 'apt-cache', 'snap', 'dnf', 'yum', 'zypper', 'apk', '/sbin/reboot', 'transactional-update'].includes(r.argv[0] as string));

function bootWith(osRelease: string, userData: string, have: string[]): { root: string; status: { status: string; errors: string[]; recoverable_errors?: Record<string, string[]> } } {
  const root = makeRoot({ osRelease, drive: driveWith((d) => setUserData(d, userData)) });
  tools(root, have);
  const runs = boot(root);
  runs.forEach((r, i) => assert.ok(r.code === 0 || r.code === 1, `stage ${i}: ${r.stderr}`));
  const st = cli(root, 'status', '--long', '--format', 'json');
  return { root, status: JSON.parse(st.stdout) as { status: string; errors: string[]; recoverable_errors?: Record<string, string[]> } };
}

test("package_update_upgrade_install: cloud-init's first example on Debian: apt-get update, dist-upgrade, install, snap, reboot", () => {
  const { root, status } = bootWith('ID=debian\nVERSION_ID="12"\n', EXAMPLE1, ['apt-get', 'apt-cache', 'snap', '/sbin/reboot']);
  assert.equal(status.status, 'done', JSON.stringify(status));
  assert.deepEqual(status.errors, []);
  assert.deepEqual(pkgCommands(root), [
    { argv: [...APT, 'update'], env: ENV },
    { argv: [...APT, 'dist-upgrade'], env: ENV },
    { argv: ['apt-cache', 'pkgnames'] },
    { argv: [...APT, 'install', 'mg', 'pwgen', 'pastebinit', 'libpython3.8=3.8.10-0ubuntu1~20.04.2'], env: ENV },
    { argv: ['snap', 'install', 'certbot'] },
    { argv: ['snap', 'install', 'juju', '--edge'] },
    { argv: ['snap', 'install', 'lxd', '--channel=5.15/stable'] },
  ]);
  assert.ok(fs.existsSync(path.join(root, instanceDir(root), 'sem/update_sources')), 'the indexes are refreshed once per instance');
});

test('package_update_upgrade_install reboots when an upgrade leaves /var/run/reboot-required and the user asked for it', async () => {
  const k = makeKit();
  tools(k.root, ['apt-get', 'apt-cache']);
  k.write('var/run/reboot-required', '*** System restart required ***\n');
  await k.run(packageUpdateUpgradeInstall, 'package_upgrade: true\npackage_reboot_if_required: true\n');
  assert.deepEqual(k.argvs(), [[...APT, 'update'], [...APT, 'dist-upgrade'], ['/sbin/reboot']]);
  const no = makeKit();
  tools(no.root, ['apt-get', 'apt-cache']);
  no.write('run/reboot-needed', '');
  await no.run(packageUpdateUpgradeInstall, 'package_upgrade: true\n');
  assert.ok(!no.argvs().some((a) => a[0] === '/sbin/reboot'), 'no reboot unless package_reboot_if_required');
  assert.match(no.lines.join('\n'), /\/run\/reboot-needed asks for a reboot; package_reboot_if_required is not set/);
});

test('package_update_upgrade_install on Ubuntu: what apt does not know is tried as a snap; upgrade refreshes snaps', async () => {
  const k = makeKit({ osRelease: UBUNTU });
  tools(k.root, ['apt-get', 'apt-cache', 'snap']);
  await k.run(packageUpdateUpgradeInstall, 'package_upgrade: true\npackages: [htop]\n');
  assert.deepEqual(k.argvs(), [
    [...APT, 'update'],
    [...APT, 'dist-upgrade'],
    ['snap', 'get', 'system', '-d'],
    ['snap', 'refresh'],
    ['apt-cache', 'pkgnames'],
    [...APT, 'install', 'htop'],
  ]);
});

test('package_update_upgrade_install on RHEL, openSUSE and Alpine boots: dnf/yum, zypper and apk with the options cloud-init passes', async () => {
  const ud = "#cloud-config\npackage_update: true\npackage_upgrade: true\npackages: [httpd, [php, '8.0.30']]\n";
  const rhel = bootWith(RHEL8, ud, ['dnf', 'yum', '/usr/sbin/NetworkManager']);
  assert.equal(rhel.status.status, 'done', JSON.stringify(rhel.status));
  assert.deepEqual(
    pkgCommands(rhel.root).map((r) => r.argv),
    [
      ['dnf', '-y', 'makecache'],
      ['dnf', '-y', 'upgrade'],
      ['dnf', '-y', 'install', 'httpd', 'php-8.0.30'],
    ],
  );
  const yum = makeKit({ osRelease: 'ID=centos\nVERSION_ID="7"\nID_LIKE="rhel fedora"\n' });
  tools(yum.root, ['yum']);
  await yum.run(packageUpdateUpgradeInstall, ud);
  assert.deepEqual(yum.argvs(), [
    ['yum', '-t', '-y', 'makecache'],
    ['yum', '-t', '-y', 'upgrade'],
    ['yum', '-t', '-y', 'install', 'httpd', 'php-8.0.30'],
  ]);
  const suse = bootWith(SUSE, ud, ['zypper']);
  assert.equal(suse.status.status, 'done', JSON.stringify(suse.status));
  assert.deepEqual(
    pkgCommands(suse.root).map((r) => r.argv),
    [
      ['zypper', '--non-interactive', 'refresh'],
      ['zypper', '--non-interactive', 'update'],
      ['zypper', '--non-interactive', 'install', '--auto-agree-with-licenses', 'httpd', 'php-8.0.30'],
    ],
  );
  const alpine = bootWith(ALPINE, ud, ['/sbin/apk']);
  assert.equal(alpine.status.status, 'done', JSON.stringify(alpine.status));
  assert.deepEqual(
    pkgCommands(alpine.root).map((r) => r.argv),
    [
      ['apk', '--quiet', 'update'],
      ['apk', '--quiet', 'upgrade', '--update-cache', '--available'],
      ['apk', '--quiet', 'add', 'httpd', 'php-8.0.30'],
    ],
  );
});

test('package_update_upgrade_install on a transactional openSUSE (MicroOS) installs with transactional-update', async () => {
  const k = makeKit({ osRelease: 'ID="opensuse-microos"\nID_LIKE="suse opensuse opensuse-tumbleweed"\n' });
  tools(k.root, ['zypper', '/usr/sbin/transactional-update']);
  await k.run(packageUpdateUpgradeInstall, 'package_upgrade: true\npackages: [vim]\n');
  assert.deepEqual(k.argvs(), [
    ['zypper', '--non-interactive', 'refresh'],
    ['transactional-update', '--non-interactive', '--drop-if-no-change', 'up'],
    ['transactional-update', '--non-interactive', '--drop-if-no-change', 'pkg', 'install', '--auto-agree-with-licenses', 'vim'],
  ]);
});

test('package_update_upgrade_install: apt_get_wrapper (eatmydata when the image has it), apt_get_command and the upgrade subcommand from system_info', async () => {
  const k = makeKit();
  tools(k.root, ['apt-get', 'apt-cache', 'eatmydata']);
  await k.run(packageUpdateUpgradeInstall, 'package_upgrade: true\n');
  assert.deepEqual(k.argvs()[1], ['eatmydata', ...APT, 'dist-upgrade']);
  const c = makeKit();
  tools(c.root, ['apt-get', 'apt-cache', 'eatmydata']);
  await c.run(
    packageUpdateUpgradeInstall,
    'package_upgrade: true\nsystem_info:\n  apt_get_wrapper: {enabled: false}\n  apt_get_command: [apt-get, --assume-yes]\n  apt_get_upgrade_subcommand: upgrade\n',
  );
  assert.deepEqual(c.argvs(), [
    ['apt-get', '--assume-yes', 'update'],
    ['apt-get', '--assume-yes', 'upgrade'],
  ]);
});

test('package_update_upgrade_install: the indexes are refreshed once per instance, and the deprecated apt_update still works', async () => {
  const k = makeKit();
  tools(k.root, ['apt-get', 'apt-cache']);
  await k.run(packageUpdateUpgradeInstall, 'apt_update: true\n');
  await k.run(packageUpdateUpgradeInstall, 'package_update: true\npackages: [jq, {apt: [jq]}, jq]\n');
  assert.deepEqual(k.argvs(), [
    [...APT, 'update'],
    ['apt-cache', 'pkgnames'],
    [...APT, 'install', 'jq'],
  ]);
  assert.match(k.logger.report.recoverable.DEPRECATED.join('\n'), /user-data line 1 col \d+: apt_update is deprecated since cloud-init 22\.2; use package_update/);
});

test('package_update_upgrade_install refuses a package word that apt or dnf would read as an option, naming its line; the others install', async () => {
  const k = makeKit();
  tools(k.root, ['apt-get', 'apt-cache']);
  await assert.doesNotReject(
    k.run(packageUpdateUpgradeInstall, 'packages:\n  - good\n  - "-oAPT::Get::AllowUnauthenticated=1"\n  - [curl, "1.0 --allow-downgrades"]\n  - [a, b, c]\n  - {yum: [x]}\n'),
  );
  const e = k.errors().join('\n');
  assert.match(e, /user-data line 3 col \d+: packages\[1\] "-oAPT.*starts with "-"/);
  assert.match(e, /user-data line 4 col \d+: packages\[2\] .*the version: it contains a blank/);
  assert.match(e, /user-data line 5 col \d+: packages\[3\] .*expected a package name or a \[name, version\] pair/);
  assert.match(e, /user-data line 6 col \d+: packages\[4\]\.yum: not a package manager/);
  assert.deepEqual(k.argvs().at(-1), [...APT, 'install', 'good']);
  const none = makeKit();
  await assert.rejects(none.run(packageUpdateUpgradeInstall, 'packages: [jq]\n'), /user-data line 1 col \d+: cannot install 1 package\(s\): apt-get is not installed in this image/);
  const rh = makeKit({ osRelease: RHEL8 });
  tools(rh.root, ['dnf']);
  await assert.rejects(rh.run(packageUpdateUpgradeInstall, 'packages: [{apt: [mg]}]\n'), /failed to install mg/);
});

test('package_update_upgrade_install: a bad `packages` is a schema error with file:line:col and its key path; the boot goes on', () => {
  const lines = checkText('cloud-config', '#cloud-config\nruncmd: [x]\npackages: 5\n', 'user-data.yaml').problems.map(formatProblem);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0] as string, /^user-data\.yaml:3:\d+: error: packages: expected a list/);
  const nested = checkText('cloud-config', '#cloud-config\npackages:\n  - [a, b, c]\n  - {apt: [x], rpm: [y]}\npackage_update: "yes"\n', 'u.yaml').problems.map(formatProblem);
  assert.ok(
    nested.some((l) => /^u\.yaml:3:5: error: packages\.0/.test(l)),
    nested.join('\n'),
  );
  assert.ok(
    nested.some((l) => /^u\.yaml:4:16: warning: packages\.1\.rpm: unknown key/.test(l)),
    nested.join('\n'),
  );
  assert.ok(
    nested.some((l) => /^u\.yaml:5:1: error: package_update: expected a boolean/.test(l)),
    nested.join('\n'),
  );
  const { root, status } = bootWith('ID=debian\nVERSION_ID="12"\n', '#cloud-config\npackages: 5\nwrite_files: [{path: /etc/still-written, content: x}]\n', ['apt-get', 'apt-cache']);
  assert.ok(fs.existsSync(path.join(root, 'etc/still-written')));
  assert.equal(status.status, 'error');
  assert.ok(
    status.errors.some((e) => /^package_update_upgrade_install: .*line 2 col \d+: packages must be a list/.test(e)),
    status.errors.join('\n'),
  );
});

test('apt-get is retried while another process holds the dpkg lock, up to its budget', async () => {
  const m: Manager = { family: 'apt', tool: 'apt', apt: { wrapper: [], command: APT, upgradeSubcommand: 'dist-upgrade' } };
  const locked: ExecResult = { code: 100, stdout: '', stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 812 (unattended-upgr)\n', recorded: false };
  const ok: ExecResult = { code: 0, stdout: 'done\n', stderr: '', recorded: false };
  let t = 0;
  const seen: { argv: readonly string[]; env?: Record<string, string> }[] = [];
  const answers = [locked, locked, ok];
  const deps = {
    run: (argv: readonly string[], opts: { env?: Record<string, string> }) => {
      seen.push({ argv, ...(opts.env ? { env: opts.env } : {}) });
      return answers.shift() ?? ok;
    },
    keepOutput: () => undefined,
    sleep: async (ms: number) => {
      t += ms;
    },
    lockBudgetMs: 30_000,
    now: () => t,
  };
  const r = await runPackageCommand(m, installArgv(m, [{ name: 'jq' }]), deps);
  assert.equal(r.result.code, 0);
  assert.equal(r.lockRetries, 2);
  assert.deepEqual(seen[0], { argv: [...APT, 'install', 'jq'], env: { DEBIAN_FRONTEND: 'noninteractive' } });
  // Always locked: it gives up once the budget is spent, with apt's own failure.
  t = 0;
  const forever = await runPackageCommand(m, installArgv(m, [{ name: 'jq' }]), { ...deps, run: () => locked });
  assert.equal(forever.result.code, 100);
  assert.equal(forever.lockRetries, 30);
  // Any other failure is not retried.
  assert.equal(failedOnAptLock({ code: 100, stdout: '', stderr: 'E: Unable to locate package nope\n', recorded: false }), false);
  assert.equal(failedOnAptLock({ code: 100, stdout: '', stderr: 'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend)\n', recorded: false }), true);
  // A translated message still names the lock file; a lock that cannot be opened is not waited for.
  assert.equal(failedOnAptLock({ code: 100, stdout: '', stderr: 'E: Sperre /var/lib/dpkg/lock-frontend konnte nicht erhalten werden.\n', recorded: false }), true);
  assert.equal(failedOnAptLock({ code: 100, stdout: '', stderr: 'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n', recorded: false }), false);
});

test('the package manager is chosen from system_info.distro, else os-release ID and ID_LIKE, as cloud-init picks its distro class', () => {
  assert.equal(managerFamily(undefined, { ID: 'debian' }), 'apt');
  assert.equal(managerFamily(undefined, { ID: 'rocky', ID_LIKE: 'rhel centos fedora' }), 'rpm');
  assert.equal(managerFamily(undefined, { ID: 'opensuse-tumbleweed', ID_LIKE: 'opensuse suse' }), 'suse');
  assert.equal(managerFamily(undefined, { ID: 'sles' }), 'suse');
  assert.equal(managerFamily(undefined, { ID: 'alpine' }), 'alpine');
  assert.equal(managerFamily(undefined, { ID: 'someos', ID_LIKE: 'ubuntu debian' }), 'apt');
  assert.equal(managerFamily('opensuse', { ID: 'debian' }), 'suse');
  assert.equal(managerFamily(undefined, { ID: 'gentoo' }), null);
});

test('property: every package word reaches the argv as one word that no manager reads as an option, or is refused', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.tuple(fc.string(), fc.string())), { minLength: 1, maxLength: 5 }), (items) => {
      const { request, problems } = readPackages(items);
      for (const tool of ['apt', 'dnf', 'yum', 'zypper', 'apk'] as const) {
        const m: Manager = { family: 'apt', tool };
        const argv = installArgv(m, request.generic);
        const words = argv.slice(argv.indexOf(tool === 'apk' ? 'add' : 'install') + 1).filter((w) => w !== '--auto-agree-with-licenses');
        assert.equal(words.length, request.generic.length);
        for (const w of words) assert.ok(!w.startsWith('-') && !/\s/.test(w) && ![...w].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), JSON.stringify(w));
      }
      assert.equal(request.generic.length + problems.length >= new Set(items.map((i) => JSON.stringify(i))).size, true);
    }),
    { numRuns: 500, seed: 14 },
  );
});
