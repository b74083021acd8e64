// test-lane: full (builds and unpacks the .deb)
// scripts/install.sh and scripts/package.sh: the installed layout in a temp destdir,
// and the .deb inspected with dpkg-deb and extracted with dpkg-deb -x (never installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BOOT_STAGES } from '../../packages/core/src/index.js';
import { ensureCommand } from '../helpers/apt.js';
import { REPO, ls, rcLinks, tempRoot, write } from './helpers.js';

const STAGE_BUNDLES = BOOT_STAGES.map((s) => `nimbus-${s}.js`);
/** The stage daemons are built once their packages exist; until then the scripts must say so. */
const missingStages = STAGE_BUNDLES.filter((b) => !fs.existsSync(path.join(REPO, 'dist', b)));
const allow = missingStages.length > 0 ? ['--allow-missing-stages'] : [];

function sh(script: string, ...args: string[]) {
  return spawnSync('bash', [path.join(REPO, 'scripts', script), ...args], { encoding: 'utf8', cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('install.sh --destdir: bundles, wrapper, cloud-init link, units, SysV scripts, default cloud.cfg, man page and completions', () => {
  const d = tempRoot('install');
  if (missingStages.length > 0) {
    const strict = sh('install.sh', '--destdir', d);
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /stage daemons not built: .*nimbus-\w+\.js/);
  }
  const r = sh('install.sh', '--destdir', d, ...allow);
  assert.equal(r.status, 0, r.stderr);
  for (const m of missingStages) assert.match(r.stderr, new RegExp(`not supported yet: dist/${m} is not built`));
  // Each program is a loader and its bundle; the loader keeps its code cache in /var/cache/nimbus.
  const programs = ['nimbus.js', ...STAGE_BUNDLES.filter((b) => !missingStages.includes(b))];
  // The config and final stages load zod from nimbus-zod.js, beside them (schema/zod.ts).
  const zod = programs.some((p) => p === 'nimbus-config.js' || p === 'nimbus-final.js') ? ['nimbus-zod.js'] : [];
  assert.deepEqual(
    ls(d, 'usr/lib/nimbus'),
    [
      'cloud-init-per',
      'default-cloud-cfg',
      'hook-hotplug',
      'modules',
      'package.json',
      'post-install',
      'train-code-cache',
      ...zod,
      ...programs,
      ...programs.map((p) => p.replace(/\.js$/, '.bundle.js')),
    ].sort(),
  );
  assert.equal(fs.statSync(path.join(d, 'var/cache/nimbus')).mode & 0o777, 0o755);
  // The custom module directories exist, root-owned and writable by root only.
  for (const m of ['usr/lib/nimbus/modules', 'etc/cloud/modules.d']) assert.equal(fs.statSync(path.join(d, m)).mode & 0o777, 0o755, m);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(d, 'usr/lib/nimbus/package.json'), 'utf8')), { type: 'commonjs' });
  assert.equal(fs.readlinkSync(path.join(d, 'usr/bin/cloud-init')), 'nimbus');
  // cloud-init-per, for bootcmd: the link to nimbus's script, which runs `nimbus per`.
  assert.equal(fs.readlinkSync(path.join(d, 'usr/bin/cloud-init-per')), '../lib/nimbus/cloud-init-per');
  assert.equal(fs.statSync(path.join(d, 'usr/lib/nimbus/cloud-init-per')).mode & 0o777, 0o755);
  assert.match(fs.readFileSync(path.join(d, 'usr/bin/nimbus'), 'utf8'), /exec "\$NODE" \/usr\/lib\/nimbus\/nimbus\.js "\$@"/);
  assert.deepEqual(ls(d, 'lib/systemd/system'), [
    'nimbus-config.service',
    'nimbus-final.service',
    'nimbus-hotplugd.service',
    'nimbus-hotplugd.socket',
    'nimbus-init.service',
    'nimbus-local.service',
    'nimbus.target',
  ]);
  assert.deepEqual(ls(d, 'etc/init.d'), BOOT_STAGES.map((s) => `nimbus-${s}`).sort());
  assert.equal(fs.readFileSync(path.join(d, 'etc/init.d/nimbus-local'), 'utf8'), fs.readFileSync(path.join(REPO, 'sysvinit/debian/nimbus-local'), 'utf8'));
  const cfg = fs.readFileSync(path.join(d, 'etc/cloud/cloud.cfg'), 'utf8');
  assert.match(cfg, /^datasource_list: \[ NoCloud, ConfigDrive, OpenStack, Ec2, None \]$/m);
  assert.match(cfg, /^cloud_init_modules:\n {2}- migrator\n/m);
  assert.match(cfg, /^cloud_final_modules:\n( {2}- .*\n)* {2}- scripts-user\n/m);
  // The bundle runs from its installed place (CommonJS beside the package.json).
  const v = spawnSync(process.execPath, [path.join(d, 'usr/lib/nimbus/nimbus.js'), '--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^nimbus \d+\.\d+\.\d+/);
  // The man page (also as cloud-init.1) and the completions for both names.
  assert.equal(fs.readFileSync(path.join(d, 'usr/share/man/man1/nimbus.1'), 'utf8'), fs.readFileSync(path.join(REPO, 'packaging/man/nimbus.1'), 'utf8'));
  assert.equal(fs.readlinkSync(path.join(d, 'usr/share/man/man1/cloud-init.1')), 'nimbus.1');
  assert.ok(fs.existsSync(path.join(d, 'usr/share/bash-completion/completions/nimbus')));
  assert.equal(fs.readlinkSync(path.join(d, 'usr/share/bash-completion/completions/cloud-init')), 'nimbus');
  assert.ok(fs.existsSync(path.join(d, 'usr/share/zsh/vendor-completions/_nimbus')));

  // Again, onto a tree with cloud-init and a cloud.cfg of its own: neither is replaced.
  const e = tempRoot('install-existing');
  write(e, 'usr/bin/cloud-init', '#!/bin/sh\n', 0o755);
  write(e, 'etc/cloud/cloud.cfg', 'datasource_list: [ None ]\n');
  fs.mkdirSync(path.join(e, 'usr/lib/systemd/system'), { recursive: true });
  fs.mkdirSync(path.join(e, 'etc/rc.d/init.d'), { recursive: true });
  const r2 = sh('install.sh', '--destdir', e, ...allow);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /usr\/bin\/cloud-init exists \(cloud-init is installed\): not replaced/);
  assert.equal(fs.readFileSync(path.join(e, 'usr/bin/cloud-init'), 'utf8'), '#!/bin/sh\n');
  assert.equal(fs.readFileSync(path.join(e, 'etc/cloud/cloud.cfg'), 'utf8'), 'datasource_list: [ None ]\n');
  // Units go where the tree keeps them; a rhel-style tree gets the rhel scripts.
  assert.equal(ls(e, 'usr/lib/systemd/system').length, 7);
  assert.equal(ls(e, 'lib/systemd/system').length, 0);
  assert.match(fs.readFileSync(path.join(e, 'etc/rc.d/init.d/nimbus-local'), 'utf8'), /^# Default-Start:\s+2 3 4 5$/m);
});

test('package.sh: a .deb that dpkg-deb reads, with the layout, maintainer scripts and dependency', (t) => {
  assert.ok(ensureCommand('dpkg-deb', 'dpkg'), 'dpkg-deb is needed');
  const out = tempRoot('deb');
  const r = sh('package.sh', '--no-build', '--no-rpm', '--out', out, ...allow);
  assert.equal(r.status, 0, r.stderr);
  const deb = r.stdout.trim();
  assert.match(path.basename(deb), /^nimbus_\d+\.\d+\.\d+_all\.deb$/);
  t.diagnostic(`${path.basename(deb)}: ${fs.statSync(deb).size} bytes`);

  const info = spawnSync('dpkg-deb', ['-I', deb], { encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /^ Package: nimbus$/m);
  assert.match(info.stdout, /^ Architecture: all$/m);
  assert.match(info.stdout, /^ Depends: nodejs \(>= 18\)$/m);
  for (const f of ['postinst', 'prerm', 'postrm', 'conffiles']) assert.match(info.stdout, new RegExp(`\\s${f}\\b`));

  const list = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
  assert.equal(list.status, 0);
  const files = list.stdout
    .split('\n')
    .map((l) => l.split(/\s+/).slice(5).join(' '))
    .filter(Boolean);
  for (const f of [
    './usr/lib/nimbus/nimbus.js',
    './usr/lib/nimbus/package.json',
    './usr/bin/nimbus',
    './lib/systemd/system/nimbus-local.service',
    './lib/systemd/system/nimbus.target',
    './etc/init.d/nimbus-final',
    './usr/share/nimbus/cloud.cfg',
    './usr/lib/nimbus/cloud-init-per',
    './usr/lib/nimbus/hook-hotplug',
    './lib/systemd/system/nimbus-hotplugd.socket',
    './lib/systemd/system/nimbus-hotplugd.service',
  ]) {
    assert.ok(files.includes(f), `${f} in the package`);
  }
  // Files cloud-init's own package owns are made by postinst, not shipped.
  assert.ok(!files.includes('./usr/bin/cloud-init'));
  assert.ok(!files.includes('./usr/bin/cloud-init-per'));
  assert.ok(!files.includes('./etc/cloud/cloud.cfg'));
  assert.match(list.stdout, /^drwxr-xr-x root\/root\s+0 \S+ \S+ \.\/$/m);

  const x = tempRoot('deb-x');
  assert.equal(spawnSync('dpkg-deb', ['-x', deb, x]).status, 0);
  assert.equal(fs.statSync(path.join(x, 'etc/init.d/nimbus-init')).mode & 0o777, 0o755);
  const ctl = tempRoot('deb-ctl');
  assert.equal(spawnSync('dpkg-deb', ['-e', deb, ctl]).status, 0);
  const postinst = fs.readFileSync(path.join(ctl, 'postinst'), 'utf8');
  assert.match(postinst, /systemctl enable \$UNITS/);
  assert.match(postinst, /\/usr\/bin\/nimbus sysvinit install/);
  // The links, the default cloud.cfg and the code caches: the script both packages run.
  assert.match(postinst, /^\s+\/usr\/lib\/nimbus\/post-install$/m);
  const post = fs.readFileSync(path.join(x, 'usr/lib/nimbus/post-install'), 'utf8');
  assert.match(post, /ln -s nimbus \/usr\/bin\/cloud-init/);
  assert.match(post, /ln -s \.\.\/lib\/nimbus\/cloud-init-per \/usr\/bin\/cloud-init-per/);
  assert.match(postinst, /^UNITS=".* nimbus-hotplugd\.socket"$/m);
  assert.match(fs.readFileSync(path.join(ctl, 'postrm'), 'utf8'), /rm -f \/usr\/bin\/cloud-init-per/);

  // The packaged cloud-init-per is `nimbus per` with the package's node: run from the
  // extracted tree (its absolute /usr/lib/nimbus path pointed there), it keeps
  // cloud-init-per's semaphores: once, then never again.
  const wrapper = fs.readFileSync(path.join(x, 'usr/lib/nimbus/cloud-init-per'), 'utf8');
  assert.match(wrapper, /^exec "\$NODE" \/usr\/lib\/nimbus\/nimbus\.js per "\$@"$/m);
  const semRoot = tempRoot('deb-per');
  const perScript = path.join(semRoot, 'cloud-init-per');
  fs.writeFileSync(
    perScript,
    wrapper.replace('/usr/lib/nimbus/nimbus.js per', `${path.join(x, 'usr/lib/nimbus/nimbus.js')} --root ${semRoot} --exec host per`).replace('NODE=/usr/bin/node', `NODE=${process.execPath}`),
    { mode: 0o755 },
  );
  const once = () => spawnSync('sh', [perScript, 'once', 'deb-job', 'sh', '-c', 'echo ran'], { encoding: 'utf8' });
  assert.deepEqual([once().stdout, once().stdout], ['ran\n', '']);
  assert.match(fs.readFileSync(path.join(semRoot, 'var/lib/cloud/sem/bootper.deb_job.once'), 'utf8'), /^0\t\d+\n$/);
  assert.match(fs.readFileSync(path.join(ctl, 'prerm'), 'utf8'), /nimbus sysvinit remove --keep-scripts/);
  assert.deepEqual(
    fs.readFileSync(path.join(ctl, 'conffiles'), 'utf8').trim().split('\n'),
    BOOT_STAGES.map((s) => `/etc/init.d/nimbus-${s}`),
  );
  for (const m of ['postinst', 'prerm', 'postrm']) assert.equal(spawnSync('sh', ['-n', path.join(ctl, m)]).status, 0, `${m} is valid sh`);

  // What postinst runs on a SysV host, done by the extracted bundle on a Debian rc tree
  // laid over the extracted package: the links, and the conffiles left unchanged.
  rcLinks(x, 'debian', ['S'], 'S07mountall.sh', 'S12networking');
  rcLinks(x, 'debian', ['2', '3', '4', '5'], 'S02ssh');
  const before = fs.readFileSync(path.join(x, 'etc/init.d/nimbus-local'), 'utf8');
  const inst = spawnSync(process.execPath, [path.join(x, 'usr/lib/nimbus/nimbus.js'), '--root', x, 'sysvinit', 'install'], { encoding: 'utf8' });
  assert.equal(inst.status, 0, inst.stderr);
  assert.match(inst.stdout, /rcS\.d: S07mountall\.sh -> S11nimbus-local -> S12networking/);
  assert.equal(fs.readFileSync(path.join(x, 'etc/init.d/nimbus-local'), 'utf8'), before);
  const rm = spawnSync(process.execPath, [path.join(x, 'usr/lib/nimbus/nimbus.js'), '--root', x, 'sysvinit', 'remove', '--keep-scripts'], { encoding: 'utf8' });
  assert.equal(rm.status, 0, rm.stderr);
  assert.deepEqual(ls(x, 'etc/rcS.d'), ['S07mountall.sh', 'S12networking']);
  assert.equal(ls(x, 'etc/init.d').length, 4);
});
