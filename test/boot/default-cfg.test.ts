// test-lane: full (runs install.sh six times, two of them training the code caches)
// The default /etc/cloud/cloud.cfg the packages ship: the module lists of the family and
// the default user of the distro the package lands on, the same facts nimbus uses for a
// tree with no cloud.cfg (config/defaults.ts); and default-cloud-cfg, which the .deb's
// postinst and the .rpm's %post run to pick one, run here with --prefix on temp trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { distroFromOsRelease, loadYaml } from '../../packages/core/src/index.js';
import { builtinConfig } from '../../packages/core/src/config/defaults.js';
import { REPO, ls, tempRoot, write } from './helpers.js';

function stagePackage(family: 'debian' | 'rhel'): string {
  const d = tempRoot(`cfg-${family}`);
  const r = spawnSync('bash', [path.join(REPO, 'scripts/install.sh'), '--destdir', d, '--package', '--family', family, '--allow-missing-stages'], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  return d;
}

/** The shipped file as nimbus reads it, less datasource_list (the built-in one takes it from the registry). */
function shipped(file: string): Record<string, unknown> {
  const v = loadYaml(fs.readFileSync(file, 'utf8'), file).value as Record<string, unknown>;
  const { datasource_list: _d, ...rest } = v;
  return rest;
}

function builtin(id: string): Record<string, unknown> {
  const { datasource_list: _d, ...rest } = builtinConfig(distroFromOsRelease({ ID: id }), []) as Record<string, unknown>;
  return rest;
}

test('the .deb ships Debian’s cloud.cfg naming the debian user, and an Ubuntu one naming ubuntu, equal to the built-in defaults', () => {
  const d = stagePackage('debian');
  assert.deepEqual(
    ls(d, 'usr/share/nimbus').filter((n) => n.startsWith('cloud.cfg')),
    ['cloud.cfg', 'cloud.cfg.ubuntu'],
  );
  assert.deepEqual(shipped(path.join(d, 'usr/share/nimbus/cloud.cfg')), builtin('debian'));
  assert.deepEqual(shipped(path.join(d, 'usr/share/nimbus/cloud.cfg.ubuntu')), builtin('ubuntu'));
  const cfg = fs.readFileSync(path.join(d, 'usr/share/nimbus/cloud.cfg'), 'utf8');
  assert.match(cfg, /^datasource_list: \[ NoCloud, ConfigDrive, OpenStack, Ec2, None \]$/m);
  assert.match(cfg, /^ {4}name: debian$/m);
  assert.match(fs.readFileSync(path.join(d, 'usr/share/nimbus/cloud.cfg.ubuntu'), 'utf8'), /^ {4}name: ubuntu$/m);
});

test('the .rpm ships RHEL’s module lists with cloud-user, and centos, rocky, almalinux and fedora variants, equal to the built-in defaults', () => {
  const d = stagePackage('rhel');
  assert.deepEqual(
    ls(d, 'usr/share/nimbus').filter((n) => n.startsWith('cloud.cfg')),
    ['cloud.cfg', 'cloud.cfg.almalinux', 'cloud.cfg.centos', 'cloud.cfg.fedora', 'cloud.cfg.rocky'],
  );
  assert.deepEqual(shipped(path.join(d, 'usr/share/nimbus/cloud.cfg')), builtin('rhel'));
  for (const id of ['centos', 'rocky', 'almalinux', 'fedora']) assert.deepEqual(shipped(path.join(d, `usr/share/nimbus/cloud.cfg.${id}`)), builtin(id), id);
  const cfg = fs.readFileSync(path.join(d, 'usr/share/nimbus/cloud.cfg'), 'utf8');
  assert.match(cfg, /^ {4}name: cloud-user$/m);
  assert.match(cfg, /^cloud_config_modules:\n( {2}- .*\n)* {2}- yum-add-repo\n/m);
  assert.match(cfg, /^ {2}ssh_svcname: sshd$/m);
});

test('default-cloud-cfg picks the file for the distro it lands on, and never replaces a cloud.cfg that is there', () => {
  const deb = stagePackage('debian');
  const rpm = stagePackage('rhel');
  const pick = (pkg: string, release: Record<string, string>): string => {
    const tree = tempRoot('cfg-pick');
    fs.cpSync(path.join(pkg, 'usr'), path.join(tree, 'usr'), { recursive: true, verbatimSymlinks: true });
    for (const [rel, text] of Object.entries(release)) write(tree, rel, text);
    const r = spawnSync('sh', [path.join(tree, 'usr/lib/nimbus/default-cloud-cfg'), '--prefix', tree], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.statSync(path.join(tree, 'etc/cloud/cloud.cfg')).mode & 0o777, 0o644);
    assert.ok(fs.statSync(path.join(tree, 'etc/cloud/cloud.cfg.d')).isDirectory());
    const user = /^ {4}name: (\S+)$/m.exec(fs.readFileSync(path.join(tree, 'etc/cloud/cloud.cfg'), 'utf8'))?.[1];
    return user ?? '(none)';
  };
  assert.equal(pick(deb, { 'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\nVERSION_ID="13"\n' }), 'debian');
  assert.equal(pick(deb, { 'etc/os-release': 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n' }), 'ubuntu');
  assert.equal(pick(deb, { 'etc/os-release': 'ID=linuxmint\nID_LIKE="ubuntu debian"\n' }), 'debian');
  assert.equal(pick(rpm, { 'etc/redhat-release': 'CentOS release 6.10 (Final)\n' }), 'centos');
  assert.equal(pick(rpm, { 'etc/os-release': 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n' }), 'rocky');
  assert.equal(pick(rpm, { 'etc/os-release': 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.4"\n' }), 'cloud-user');
  assert.equal(pick(rpm, { 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.10 (Santiago)\n' }), 'cloud-user');

  // A cloud.cfg that is there (cloud-init's own, or the admin's) stays as it is.
  const tree = tempRoot('cfg-keep');
  fs.cpSync(path.join(deb, 'usr'), path.join(tree, 'usr'), { recursive: true, verbatimSymlinks: true });
  write(tree, 'etc/os-release', 'ID=ubuntu\n');
  write(tree, 'etc/cloud/cloud.cfg', 'datasource_list: [ None ]\n');
  assert.equal(spawnSync('sh', [path.join(tree, 'usr/lib/nimbus/default-cloud-cfg'), '--prefix', tree]).status, 0);
  assert.equal(fs.readFileSync(path.join(tree, 'etc/cloud/cloud.cfg'), 'utf8'), 'datasource_list: [ None ]\n');
});

test('install.sh into an image tree writes the cloud.cfg of the tree’s distro', () => {
  for (const [release, user, first] of [
    ['ID=ubuntu\nID_LIKE=debian\n', 'ubuntu', 'migrator'],
    ['ID="almalinux"\nID_LIKE="rhel centos fedora"\n', 'almalinux', 'disk_setup'],
  ] as const) {
    const d = tempRoot('cfg-tree');
    write(d, 'etc/os-release', release);
    const r = spawnSync('bash', [path.join(REPO, 'scripts/install.sh'), '--destdir', d, '--allow-missing-stages'], { encoding: 'utf8', cwd: REPO });
    assert.equal(r.status, 0, r.stderr);
    const cfg = fs.readFileSync(path.join(d, 'etc/cloud/cloud.cfg'), 'utf8');
    assert.match(cfg, new RegExp(`^ {4}name: ${user}$`, 'm'));
    assert.match(cfg, new RegExp(`^cloud_init_modules:\\n {2}- ${first}\\n`, 'm'));
  }
});
