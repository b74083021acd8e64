// `nimbus sysvinit install|remove|show` on rc trees written by the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BOOT_STAGES, renderInitScript, type RcStyle } from '../../packages/core/src/index.js';
import { REPO, ls, nimbus, rcLinks, sysvRoot } from './helpers.js';

const RUN = ['2', '3', '4', '5'];

test("rhel layout: scripts in /etc/rc.d/init.d, S links from the host's numbers, K links in 0 1 6, order printed", () => {
  const root = sysvRoot('rhel');
  rcLinks(root, 'rhel', RUN, 'S10network', 'S23NetworkManager', 'S55sshd', 'S99local');
  const r = nimbus(root, 'sysvinit', 'install');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rc3\.d: S09nimbus-local -> S10network -> S23NetworkManager -> S24nimbus-init -> S25nimbus-config -> S55sshd -> S99nimbus-final/);
  for (const d of RUN)
    assert.deepEqual(ls(root, `etc/rc.d/rc${d}.d`), ['S09nimbus-local', 'S10network', 'S23NetworkManager', 'S24nimbus-init', 'S25nimbus-config', 'S55sshd', 'S99local', 'S99nimbus-final']);
  for (const d of ['0', '1', '6']) assert.deepEqual(ls(root, `etc/rc.d/rc${d}.d`), ['K01nimbus-final', 'K75nimbus-config', 'K76nimbus-init', 'K91nimbus-local']);
  assert.equal(fs.readlinkSync(path.join(root, 'etc/rc.d/rc3.d/S09nimbus-local')), '../init.d/nimbus-local');
  for (const s of BOOT_STAGES) {
    const p = path.join(root, 'etc/rc.d/init.d', `nimbus-${s}`);
    assert.equal(fs.statSync(p).mode & 0o777, 0o755);
    assert.match(fs.readFileSync(p, 'utf8'), /^# chkconfig: 2345 \d\d \d\d$/m);
  }
  // Installing again changes nothing.
  const again = nimbus(root, 'sysvinit', 'install');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /rc links: already in order, unchanged/);
  // A locally edited script is kept unless asked.
  const edited = path.join(root, 'etc/rc.d/init.d/nimbus-final');
  fs.appendFileSync(edited, '# local edit\n');
  const keep = nimbus(root, 'sysvinit', 'install');
  assert.match(keep.stdout, /kept \/etc\/rc\.d\/init\.d\/nimbus-final: it differs from this version's/);
  assert.match(fs.readFileSync(edited, 'utf8'), /# local edit\n$/);
  assert.equal(nimbus(root, 'sysvinit', 'install', '--rewrite-scripts').code, 0);
  assert.equal(fs.readFileSync(edited, 'utf8'), renderInitScript('final', 'rhel'));
  // remove undoes it, leaving the host's own links.
  const rm = nimbus(root, 'sysvinit', 'remove');
  assert.equal(rm.code, 0);
  assert.deepEqual(ls(root, 'etc/rc.d/rc3.d'), ['S10network', 'S23NetworkManager', 'S55sshd', 'S99local']);
  assert.deepEqual(ls(root, 'etc/rc.d/rc0.d'), []);
  assert.deepEqual(ls(root, 'etc/rc.d/init.d'), []);
});

test('debian layout: nimbus-local in rcS.d before networking, the rest in rc2-5 before ssh', () => {
  const root = sysvRoot('debian');
  rcLinks(root, 'debian', ['S'], 'S03udev', 'S07mountall.sh', 'S12networking');
  rcLinks(root, 'debian', RUN, 'S01rsyslog', 'S02dbus', 'S03ssh');
  const r = nimbus(root, 'sysvinit', 'install');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rcS\.d: S03udev -> S07mountall\.sh -> S11nimbus-local -> S12networking/);
  assert.match(r.stdout, /rc2\.d: S01nimbus-init -> S02nimbus-config -> S03ssh -> S99nimbus-final/);
  assert.ok(ls(root, 'etc/rcS.d').includes('S11nimbus-local'));
  assert.ok(!ls(root, 'etc/rc2.d').some((f) => f.includes('nimbus-local')));
  assert.match(fs.readFileSync(path.join(root, 'etc/init.d/nimbus-local'), 'utf8'), /^# Default-Start:\s+S$/m);
});

test('an impossible order is reported and nothing is changed', () => {
  const root = sysvRoot('rhel');
  rcLinks(root, 'rhel', RUN, 'S05sshd', 'S10network');
  const r = nimbus(root, 'sysvinit', 'install');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot order the nimbus scripts on this host; nothing was changed/);
  assert.match(r.stderr, /rc3\.d: no S-number fits nimbus-init: it must start after S10network, S09nimbus-local and before S05sshd, but S05sshd already starts before S10network; reorder those first/);
  assert.deepEqual(ls(root, 'etc/rc.d/init.d'), []);
  assert.deepEqual(ls(root, 'etc/rc.d/rc3.d'), ['S05sshd', 'S10network']);
});

test('no rc tree: not supported, unless a layout is given', () => {
  const root = sysvRoot('rhel');
  fs.rmSync(path.join(root, 'etc'), { recursive: true });
  const r = nimbus(root, 'sysvinit', 'install');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not supported: no SysV rc tree/);
  const forced = nimbus(root, 'sysvinit', 'install', '--style', 'debian');
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(ls(root, 'etc/rc3.d'), ['S09nimbus-local', 'S10nimbus-init', 'S11nimbus-config', 'S99nimbus-final']);
});

test('the SysV scripts under sysvinit/ are executable, valid sh, with an LSB block and their daemon', () => {
  for (const style of ['rhel', 'debian'] as RcStyle[]) {
    for (const s of BOOT_STAGES) {
      const file = path.join(REPO, 'sysvinit', style, `nimbus-${s}`);
      assert.ok((fs.statSync(file).mode & 0o111) !== 0, `${file} is not executable`);
      const sh = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
      assert.equal(sh.status, 0, sh.stderr);
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /^### BEGIN INIT INFO\n(# .*\n)+### END INIT INFO$/m);
      assert.match(text, new RegExp(`^DAEMON=/usr/lib/nimbus/nimbus-${s}\\.js$`, 'm'));
    }
  }
});

test('the init script honours cloud-init.disabled and cloud-init=disabled, and reports its run', (t) => {
  // The script's absolute paths are rewritten into a temp tree, and node is a stand-in
  // that records its arguments: the script runs for real without touching this machine.
  const root = sysvRoot('debian');
  const script = renderInitScript('init', 'debian')
    .replaceAll('/etc/cloud/', `${root}/etc/cloud/`)
    .replaceAll('/proc/cmdline', `${root}/proc/cmdline`)
    .replaceAll('/lib/lsb/init-functions', `${root}/lib/lsb/init-functions`)
    .replaceAll('/var/run/nimbus', `${root}/var/run/nimbus`)
    .replaceAll('/var/lock/subsys', `${root}/var/lock/subsys`)
    .replace('NODE=/usr/bin/node', `NODE=${root}/usr/bin/node`);
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'proc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/node'), `#!/bin/sh\necho ran "$@" >> ${root}/ran\nexit 3\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'script'), script, { mode: 0o755 });
  const run = (arg: string) => spawnSync('sh', [path.join(root, 'script'), arg], { encoding: 'utf8' });
  fs.writeFileSync(path.join(root, 'proc/cmdline'), 'ro quiet\n');
  assert.equal(run('status').status, 3);
  const started = run('start');
  assert.equal(started.status, 3, "start passes the stage's exit code on");
  assert.equal(fs.readFileSync(path.join(root, 'ran'), 'utf8'), 'ran /usr/lib/nimbus/nimbus-init.js\n');
  const st = run('status');
  assert.equal(st.status, 1);
  assert.match(st.stdout, /ran this boot, exit code 3/);
  fs.writeFileSync(path.join(root, 'proc/cmdline'), 'ro cloud-init=disabled quiet\n');
  assert.equal(run('restart').status, 0);
  fs.writeFileSync(path.join(root, 'proc/cmdline'), 'ro\n');
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud-init.disabled'), '');
  const dis = run('start');
  assert.equal(dis.status, 0);
  assert.match(dis.stdout, /disabled/);
  assert.equal(fs.readFileSync(path.join(root, 'ran'), 'utf8'), 'ran /usr/lib/nimbus/nimbus-init.js\n', 'a disabled stage never runs');
  assert.equal(run('bogus').status, 2);
  t.diagnostic('script exit codes: start passes through, status 0/1/3, usage 2');
});
