// test-lane: full (builds the .deb and the .rpm with rpmbuild)
// The .rpm of `npm run package` (scripts/package-rpm.sh): its scriptlets read with
// `rpm -qp --scripts`, the package installed with `rpm --root` into a temp tree (never
// into this machine; --noscripts: the scriptlets would run chrooted in a tree with no
// shell), its files compared with the .deb's, and the boot order on a CentOS-6-like rc
// tree checked by `nimbus doctor` after what %post does there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BOOT_STAGES } from '../../packages/core/src/index.js';
import { ensureCommand } from '../helpers/apt.js';
import { REPO, link, ls, nimbus, rcLinks, tempRoot, write } from './helpers.js';

const missingStages = BOOT_STAGES.filter((s) => !fs.existsSync(path.join(REPO, 'dist', `nimbus-${s}.js`)));
const allow = missingStages.length > 0 ? ['--allow-missing-stages'] : [];

interface Packages {
  deb: string;
  rpm: string;
}
let built: Packages | null = null;
function packages(): Packages {
  if (built) return built;
  assert.ok(ensureCommand('dpkg-deb', 'dpkg'), 'dpkg-deb is needed');
  assert.ok(ensureCommand('rpmbuild', 'rpm'), 'rpmbuild is needed');
  const out = tempRoot('pkgs');
  const r = spawnSync('bash', [path.join(REPO, 'scripts/package.sh'), '--no-build', '--out', out, ...allow], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const deb = lines.find((l) => l.endsWith('.deb'));
  const rpm = lines.find((l) => l.endsWith('.rpm'));
  assert.ok(deb && rpm, `package.sh printed both packages: ${r.stdout}`);
  assert.match(path.basename(rpm), /^nimbus-\d+\.\d+\.\d+(~[\w.]+)?-1\.noarch\.rpm$/);
  built = { deb, rpm };
  return built;
}

function rpmq(...args: string[]): string {
  const r = spawnSync('rpm', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Installs the .rpm into a new temp tree (its rpm database inside the tree too). */
function rpmInstall(rpm: string): string {
  const root = tempRoot('rpm-root');
  const r = spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--nodeps', '--noscripts', '-i', rpm], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

/** Files and links (not directories) under a tree, with their modes, as "path mode". */
function fileList(root: string, skip: (rel: string) => boolean = () => false): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (skip(r)) continue;
      if (e.isDirectory()) walk(r);
      else out.set(`/${r}`, fs.lstatSync(path.join(root, r)).mode & 0o7777);
    }
  };
  walk('');
  return out;
}

test('rpm -qp --scripts shows the chkconfig and systemctl scriptlets, the cloud.cfg and the code-cache training', () => {
  const { rpm } = packages();
  const info = rpmq('-qpi', rpm);
  assert.match(info, /^Name\s+: nimbus$/m);
  assert.match(info, /^Architecture: noarch$/m);
  assert.match(rpmq('-qpR', rpm), /^nodejs >= 18$/m);
  const scripts = rpmq('-qp', '--scripts', rpm);
  const post = scripts.slice(scripts.indexOf('postinstall scriptlet'), scripts.indexOf('preuninstall scriptlet'));
  assert.match(post, /chkconfig --add "nimbus-\$s"/);
  assert.match(post, /for s in local init config final/);
  assert.match(post, /systemctl enable \$UNITS/);
  assert.match(post, /\/usr\/bin\/nimbus sysvinit install/);
  // The links, the default cloud.cfg and the code caches: the script the .deb's postinst runs too.
  assert.match(post, /^\/usr\/lib\/nimbus\/post-install$/m);
  const preun = scripts.slice(scripts.indexOf('preuninstall scriptlet'), scripts.indexOf('postuninstall scriptlet'));
  assert.match(preun, /if \[ "\$1" -eq 0 \]/);
  assert.match(preun, /chkconfig --del "nimbus-\$s"/);
  assert.match(preun, /systemctl disable nimbus-local\.service/);
  const postun = scripts.slice(scripts.indexOf('postuninstall scriptlet'));
  assert.match(postun, /rm -rf \/var\/cache\/nimbus/);
  assert.match(postun, /rm -f \/usr\/bin\/cloud-init-per/);
  // rpm expanded %% to % once: the shell sees its own ${link%%:*}.
  assert.match(postun, /"\$\{link%%:\*\}"/);
  for (const [name, body] of [
    ['post', post],
    ['preun', preun],
    ['postun', postun],
  ] as const) {
    const f = path.join(tempRoot('scriptlet'), `${name}.sh`);
    fs.writeFileSync(f, body.split('\n').slice(1).join('\n'));
    assert.equal(spawnSync('sh', ['-n', f]).status, 0, `${name} is valid sh`);
  }
  // The init scripts are configuration the admin may edit, as the .deb's conffiles.
  assert.deepEqual(rpmq('-qp', '--configfiles', rpm).trim().split('\n'), BOOT_STAGES.map((s) => `/etc/rc.d/init.d/nimbus-${s}`).sort());
});

test('installed with rpm --root, the .rpm lays out the .deb’s files, in the RHEL family’s places', () => {
  const { deb, rpm } = packages();
  const root = rpmInstall(rpm);
  const x = tempRoot('deb-x');
  assert.equal(spawnSync('dpkg-deb', ['-x', deb, x]).status, 0);
  // The documented differences (docs/packaging.md): units in /usr/lib/systemd/system,
  // SysV scripts in /etc/rc.d/init.d, and each package's per-distro cloud.cfg variants.
  const fromDeb = new Map<string, number>();
  for (const [f, mode] of fileList(x)) {
    if (/^\/usr\/share\/nimbus\/cloud\.cfg\./.test(f)) continue;
    fromDeb.set(f.replace(/^\/lib\/systemd\/system\//, '/usr/lib/systemd/system/').replace(/^\/etc\/init\.d\//, '/etc/rc.d/init.d/'), mode);
  }
  const fromRpm = fileList(root, (rel) => rel === 'var/lib/rpm' || /^usr\/share\/nimbus\/cloud\.cfg\./.test(rel));
  assert.deepEqual([...fromRpm.entries()].sort(), [...fromDeb.entries()].sort());
  assert.deepEqual(
    ls(root, 'usr/share/nimbus').filter((n) => n.startsWith('cloud.cfg.')),
    ['cloud.cfg.almalinux', 'cloud.cfg.centos', 'cloud.cfg.fedora', 'cloud.cfg.rocky'],
  );
  assert.deepEqual(
    ls(x, 'usr/share/nimbus').filter((n) => n.startsWith('cloud.cfg.')),
    ['cloud.cfg.ubuntu'],
  );
  // Same bundles byte for byte; the rhel-style init scripts; RHEL's default user.
  for (const b of ls(x, 'usr/lib/nimbus').filter((n) => n.endsWith('.js'))) {
    assert.ok(fs.readFileSync(path.join(root, 'usr/lib/nimbus', b)).equals(fs.readFileSync(path.join(x, 'usr/lib/nimbus', b))), b);
  }
  for (const s of BOOT_STAGES) {
    assert.equal(fs.readFileSync(path.join(root, `etc/rc.d/init.d/nimbus-${s}`), 'utf8'), fs.readFileSync(path.join(REPO, `sysvinit/rhel/nimbus-${s}`), 'utf8'));
  }
  assert.match(fs.readFileSync(path.join(root, 'usr/share/nimbus/cloud.cfg'), 'utf8'), /^ {4}name: cloud-user$/m);
  // The database records what rpm would remove again.
  assert.equal(rpmq('--root', root, '--dbpath', '/var/lib/rpm', '-q', 'nimbus').trim().split('-')[0], 'nimbus');
});

/** What `chkconfig --add NAME` does with a script's "# chkconfig: LEVELS START STOP" line. */
function chkconfigAdd(root: string, name: string): void {
  const text = fs.readFileSync(path.join(root, 'etc/rc.d/init.d', name), 'utf8');
  const m = /^# chkconfig:\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(text);
  assert.ok(m, `${name} has a chkconfig line`);
  const [, levels, start, stop] = m as unknown as [string, string, string, string];
  for (const d of ['0', '1', '2', '3', '4', '5', '6']) {
    const l = levels.includes(d) ? `S${start.padStart(2, '0')}` : `K${stop.padStart(2, '0')}`;
    link(root, `etc/rc.d/rc${d}.d/${l}${name}`, `../init.d/${name}`);
  }
}

test('on a CentOS-6-like rc tree, the links %post makes (chkconfig --add, then nimbus sysvinit install) pass nimbus doctor', () => {
  const { rpm } = packages();
  const root = rpmInstall(rpm);
  // CentOS 6: SysV init, network at S10, NetworkManager at S23, sshd at S55.
  write(root, 'etc/redhat-release', 'CentOS release 6.10 (Final)\n');
  write(root, 'sbin/init', '', 0o755);
  for (const d of ['0', '1', '2', '3', '4', '5', '6']) fs.mkdirSync(path.join(root, `etc/rc.d/rc${d}.d`), { recursive: true });
  for (const s of ['network', 'NetworkManager', 'sshd']) write(root, `etc/rc.d/init.d/${s}`, '#!/bin/sh\n', 0o755);
  rcLinks(root, 'rhel', ['2', '3', '4', '5'], 'S10network', 'S23NetworkManager', 'S55sshd');
  rcLinks(root, 'rhel', ['0', '1', '6'], 'K90network', 'K84NetworkManager', 'K25sshd');

  for (const s of BOOT_STAGES) chkconfigAdd(root, `nimbus-${s}`);
  const links = ls(root, 'etc/rc.d/rc3.d');
  assert.deepEqual(links, ['S09nimbus-local', 'S10network', 'S23NetworkManager', 'S24nimbus-init', 'S25nimbus-config', 'S55sshd', 'S99nimbus-final']);
  const d1 = nimbus(root, 'doctor');
  assert.doesNotMatch(d1.stdout, /problem \[sysv\]/, d1.stdout);
  assert.equal(d1.code, 0, d1.stdout);

  // %post then checks the numbers against the host's own links: nothing to move here.
  const inst = nimbus(root, 'sysvinit', 'install');
  assert.equal(inst.code, 0, inst.stdout + inst.stderr);
  assert.deepEqual(ls(root, 'etc/rc.d/rc3.d'), links);
  assert.deepEqual(ls(root, 'etc/rc.d/rc0.d'), ['K01nimbus-final', 'K25sshd', 'K75nimbus-config', 'K76nimbus-init', 'K84NetworkManager', 'K90network', 'K91nimbus-local']);
  const d2 = nimbus(root, 'doctor');
  assert.equal(d2.code, 0, d2.stdout);
  assert.match(d2.stdout, /no problems found/);
});
