// test-lane: full (Debian's insserv and init scripts in a chroot of a temp tree)
// `nimbus sysvinit install|remove` on a Debian 12 SysV tree with Debian's own insserv and
// init scripts (test/helpers/debian-sysv.ts): insserv runs inside the tree (--exec
// chroot), never on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDependOrder, parseDependFile } from '../../packages/core/src/index.js';
import { debianSysvRoot, insservIn } from '../helpers/debian-sysv.js';
import { REPO, link, ls, nimbus } from './helpers.js';

// The test images' NetworkManager script, as CentOS 6 wrote it (chkconfig 2345 03 84).
const NM_SCRIPT = fs.readFileSync(path.join(REPO, 'test/vm/image/sysv/NetworkManager'), 'utf8');

const seq = (root: string, dir: string, name: string): number => {
  const f = ls(root, `etc/rc${dir}.d`).find((x) => x.slice(3) === name && x.startsWith('S'));
  assert.ok(f, `no S link for ${name} in rc${dir}.d: ${ls(root, `etc/rc${dir}.d`).join(' ')}`);
  return Number(f.slice(1, 3));
};
const depend = (root: string, which: 'boot' | 'start') => parseDependFile(fs.readFileSync(path.join(root, `etc/init.d/.depend.${which}`), 'utf8'));

function skipWithout(t: { skip: (m: string) => void }, root: string | null): root is string {
  if (root === null) t.skip('no Debian SysV tree (needs root and Debian’s package mirror)');
  return root !== null;
}

test('on a Debian SysV host with insserv, install registers the scripts through insserv: .depend.boot starts nimbus-local before networking, .depend.start nimbus-init before ssh', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  const r = nimbus(root, '--exec', 'chroot', 'sysvinit', 'install');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /registered with insserv from the LSB headers: \/sbin\/insserv nimbus-local nimbus-init nimbus-config nimbus-final/);
  const boot = depend(root, 'boot');
  const start = depend(root, 'start');
  assert.ok(boot.targets.includes('nimbus-local'), `.depend.boot targets: ${boot.targets.join(' ')}`);
  assert.ok(boot.deps.get('networking')?.includes('nimbus-local'), `networking: ${boot.deps.get('networking')}`);
  for (const s of ['nimbus-init', 'nimbus-config', 'nimbus-final']) assert.ok(start.targets.includes(s), `.depend.start lacks ${s}`);
  assert.deepEqual(checkDependOrder(boot, start), []);
  // The links insserv numbered agree, for a boot without startpar (CONCURRENCY=none).
  assert.ok(seq(root, 'S', 'nimbus-local') < seq(root, 'S', 'networking'));
  assert.ok(seq(root, 'S', 'udev') <= seq(root, 'S', 'nimbus-local'));
  for (const d of ['2', '3', '4', '5']) {
    assert.ok(seq(root, d, 'nimbus-init') < seq(root, d, 'ssh'), `rc${d}.d: ${ls(root, `etc/rc${d}.d`).join(' ')}`);
    assert.ok(seq(root, d, 'nimbus-config') > seq(root, d, 'nimbus-init'));
    assert.ok(seq(root, d, 'nimbus-final') >= seq(root, d, 'nimbus-config'));
    assert.ok(!ls(root, `etc/rc${d}.d`).some((f) => f.endsWith('nimbus-local')), 'nimbus-local starts from rcS.d only');
  }
  // Running it again changes nothing.
  const again = nimbus(root, '--exec', 'chroot', 'sysvinit', 'install');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /rc links: already in order, unchanged/);
});

test('links an older nimbus made by hand (S09 in rcS.d, S00 in rc2.d) are renumbered by insserv and listed in the .depend files', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  for (const s of ['local', 'init', 'config', 'final']) fs.writeFileSync(path.join(root, `etc/init.d/nimbus-${s}`), nimbus(root, 'sysvinit', 'show', s, '--style', 'debian').stdout, { mode: 0o755 });
  link(root, 'etc/rcS.d/S09nimbus-local', '../init.d/nimbus-local');
  for (const d of ['2', '3', '4', '5']) {
    link(root, `etc/rc${d}.d/S00nimbus-init`, '../init.d/nimbus-init');
    link(root, `etc/rc${d}.d/S01nimbus-config`, '../init.d/nimbus-config');
    link(root, `etc/rc${d}.d/S99nimbus-final`, '../init.d/nimbus-final');
  }
  assert.ok(!fs.readFileSync(path.join(root, 'etc/init.d/.depend.boot'), 'utf8').includes('nimbus'), 'the hand-made links are not in .depend.boot');
  const r = nimbus(root, '--exec', 'chroot', 'sysvinit', 'install');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(checkDependOrder(depend(root, 'boot'), depend(root, 'start')), []);
  assert.ok(!ls(root, 'etc/rc2.d').includes('S00nimbus-init'), ls(root, 'etc/rc2.d').join(' '));
  assert.equal(ls(root, 'etc/rc2.d').filter((f) => f.endsWith('nimbus-init')).length, 1);
  assert.ok(seq(root, '2', 'nimbus-init') < seq(root, '2', 'ssh'));
});

test('a CentOS-6-style NetworkManager script (S03, knowing nothing of nimbus) starts after nimbus-local and before nimbus-init, whichever is registered first', (t) => {
  // NetworkManager there before nimbus: the postinst orders nimbus against it.
  const first = debianSysvRoot({ NetworkManager: NM_SCRIPT });
  if (!skipWithout(t, first)) return;
  assert.equal(nimbus(first, '--exec', 'chroot', 'sysvinit', 'install').code, 0);
  const start = depend(first, 'start');
  assert.ok(start.targets.includes('NetworkManager'));
  assert.deepEqual(checkDependOrder(depend(first, 'boot'), start), []);
  assert.ok(start.deps.get('nimbus-init')?.includes('NetworkManager'), `nimbus-init: ${start.deps.get('nimbus-init')}`);
  // NetworkManager installed after nimbus: its update-rc.d (insserv) reorders every link,
  // and nimbus's headers keep the order.
  const later = debianSysvRoot();
  if (!skipWithout(t, later)) return;
  assert.equal(nimbus(later, '--exec', 'chroot', 'sysvinit', 'install').code, 0);
  fs.writeFileSync(path.join(later, 'etc/init.d/NetworkManager'), NM_SCRIPT, { mode: 0o755 });
  const nm = insservIn(later, 'NetworkManager');
  assert.equal(nm.code, 0, nm.stderr);
  assert.deepEqual(checkDependOrder(depend(later, 'boot'), depend(later, 'start')), []);
  for (const d of ['2', '3', '4', '5']) assert.ok(seq(later, d, 'NetworkManager') < seq(later, d, 'nimbus-init'), ls(later, `etc/rc${d}.d`).join(' '));
  const check = nimbus(later, '--exec', 'chroot', 'doctor');
  assert.doesNotMatch(check.stdout + check.stderr, /sysv.*(does not wait|neither)/);
});

test('an order insserv cannot make is reported with insserv’s words, and the command fails', (t) => {
  // A site script that starts after networking yet before nimbus-local, which must
  // start before networking: a loop.
  const loop = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          site-loop
# Required-Start:    networking
# Required-Stop:
# X-Start-Before:    nimbus-local
# Default-Start:     S
# Default-Stop:
# Short-Description: a site script ordered against nimbus both ways
### END INIT INFO
exit 0
`;
  const root = debianSysvRoot({ 'site-loop': loop });
  if (!skipWithout(t, root)) return;
  const before = fs.readFileSync(path.join(root, 'etc/init.d/.depend.boot'), 'utf8');
  const r = nimbus(root, '--exec', 'chroot', 'sysvinit', 'install');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /cannot order the nimbus scripts on this host/);
  assert.match(r.stderr, /\/sbin\/insserv nimbus-local nimbus-init nimbus-config nimbus-final failed \(exit 1\)/);
  assert.match(r.stderr, /There is a loop between service nimbus-local and site-loop/);
  assert.equal(fs.readFileSync(path.join(root, 'etc/init.d/.depend.boot'), 'utf8'), before, 'insserv changed nothing');
  assert.ok(!ls(root, 'etc/rcS.d').some((f) => f.includes('nimbus')));
});

test('remove takes the scripts out through insserv -r: no links, no .depend entries', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  assert.equal(nimbus(root, '--exec', 'chroot', 'sysvinit', 'install').code, 0);
  const r = nimbus(root, '--exec', 'chroot', 'sysvinit', 'remove', '--keep-scripts');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rcS\.d\/S\d\dnimbus-local/);
  for (const d of ['S', '0', '1', '2', '3', '4', '5', '6']) assert.ok(!ls(root, `etc/rc${d}.d`).some((f) => f.includes('nimbus')), `rc${d}.d: ${ls(root, `etc/rc${d}.d`)}`);
  for (const w of ['boot', 'start', 'stop']) assert.ok(!fs.readFileSync(path.join(root, `etc/init.d/.depend.${w}`), 'utf8').includes('nimbus'));
  assert.ok(fs.existsSync(path.join(root, 'etc/init.d/nimbus-local')), '--keep-scripts keeps the scripts');
});

test('on another root, insserv is recorded (default) or refused from outside the tree, never run on this machine', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  const rec = nimbus(root, 'sysvinit', 'install');
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /\/sbin\/insserv nimbus-local nimbus-init nimbus-config nimbus-final \(recorded, not run\)/);
  assert.match(fs.readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8'), /"argv":\["\/sbin\/insserv","nimbus-local","nimbus-init","nimbus-config","nimbus-final"\]/);
  assert.ok(!fs.readFileSync(path.join(root, 'etc/init.d/.depend.boot'), 'utf8').includes('nimbus'));
  const host = nimbus(root, '--exec', 'host', 'sysvinit', 'install');
  assert.equal(host.code, 1);
  assert.match(host.stderr, /not supported: running insserv for the tree .* from outside it; pass --exec chroot/);
});

test('a Debian tree without insserv keeps the computed S-numbers (no .depend files to follow)', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  fs.rmSync(path.join(root, 'etc/insserv.conf'));
  for (const w of ['boot', 'start', 'stop']) fs.rmSync(path.join(root, `etc/init.d/.depend.${w}`));
  const r = nimbus(root, '--exec', 'chroot', 'sysvinit', 'install');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /insserv/);
  assert.ok(seq(root, 'S', 'nimbus-local') < seq(root, 'S', 'networking'), ls(root, 'etc/rcS.d').join(' '));
  assert.ok(seq(root, '2', 'nimbus-init') < seq(root, '2', 'ssh'));
});

test('doctor on an insserv host with hand-made nimbus links reports them missing from the .depend files, and --fix registers them with insserv', (t) => {
  const root = debianSysvRoot();
  if (!skipWithout(t, root)) return;
  for (const s of ['local', 'init', 'config', 'final']) fs.writeFileSync(path.join(root, `etc/init.d/nimbus-${s}`), nimbus(root, 'sysvinit', 'show', s, '--style', 'debian').stdout, { mode: 0o755 });
  link(root, 'etc/rcS.d/S09nimbus-local', '../init.d/nimbus-local');
  for (const d of ['2', '3', '4', '5']) {
    link(root, `etc/rc${d}.d/S00nimbus-init`, '../init.d/nimbus-init');
    link(root, `etc/rc${d}.d/S01nimbus-config`, '../init.d/nimbus-config');
    link(root, `etc/rc${d}.d/S99nimbus-final`, '../init.d/nimbus-final');
  }
  const bad = nimbus(root, '--exec', 'chroot', 'doctor');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /nimbus-local is in neither \/etc\/init\.d\/\.depend\.boot nor \/etc\/init\.d\/\.depend\.start: startpar \(CONCURRENCY=makefile\) does not start it at all/);
  assert.match(bad.stdout + bad.stderr, /nimbus sysvinit install \(it runs \/sbin\/insserv on the four scripts/);
  const fix = nimbus(root, '--exec', 'chroot', 'doctor', '--fix');
  assert.equal(fix.code, 0, fix.stdout + fix.stderr);
  assert.deepEqual(checkDependOrder(depend(root, 'boot'), depend(root, 'start')), []);
  const good = nimbus(root, '--exec', 'chroot', 'doctor');
  assert.match(good.stdout, /nimbus in \/etc\/init\.d\/\.depend\.boot and \.depend\.start, in order/);
});
