// The order startpar follows on a Debian SysV host (/etc/init.d/.depend.boot and
// .depend.start as insserv writes them), checked on made-up files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDependOrder, dependsOn, parseDependFile } from '../../packages/core/src/index.js';

const BOOT = `TARGETS = mountkernfs.sh hostname.sh udev mountdevsubfs.sh checkroot.sh urandom nimbus-local networking
INTERACTIVE = udev checkroot.sh
udev: mountkernfs.sh
mountdevsubfs.sh: mountkernfs.sh udev
checkroot.sh: mountdevsubfs.sh hostname.sh
urandom: checkroot.sh
nimbus-local: mountkernfs.sh checkroot.sh udev
networking: mountkernfs.sh urandom nimbus-local
`;
const START = `TARGETS = dbus nimbus-init ssh nimbus-config nimbus-final
INTERACTIVE =
nimbus-init: dbus
ssh: nimbus-init
nimbus-config: nimbus-init
nimbus-final: dbus nimbus-init ssh nimbus-config
`;

test('the .depend files are read: targets and each script’s dependencies, followed transitively', () => {
  const g = parseDependFile(BOOT);
  assert.deepEqual(g.targets.slice(0, 3), ['mountkernfs.sh', 'hostname.sh', 'udev']);
  assert.deepEqual(g.deps.get('networking'), ['mountkernfs.sh', 'urandom', 'nimbus-local']);
  assert.ok(dependsOn(g, 'networking', 'udev'), 'networking waits for udev through nimbus-local and urandom');
  assert.ok(!dependsOn(g, 'udev', 'networking'));
});

test('insserv’s order for nimbus passes: nimbus-local before networking, nimbus-init before ssh, the stages in turn', () => {
  assert.deepEqual(checkDependOrder(parseDependFile(BOOT), parseDependFile(START)), []);
});

test('networking not waiting for nimbus-local is reported: startpar may start them together', () => {
  const boot = BOOT.replace('networking: mountkernfs.sh urandom nimbus-local', 'networking: mountkernfs.sh urandom');
  const p = checkDependOrder(parseDependFile(boot), parseDependFile(START));
  assert.equal(p.length, 1, p.join('\n'));
  assert.match(p[0]!, /\.depend\.boot: networking does not wait for nimbus-local/);
});

test('scripts whose links exist but which the .depend files do not list are reported as never started', () => {
  const boot = BOOT.replace(' nimbus-local networking', ' networking')
    .replace(/^nimbus-local:.*\n/m, '')
    .replace(' nimbus-local\n', '\n');
  const start = START.replace('TARGETS = dbus nimbus-init ssh', 'TARGETS = dbus ssh');
  const p = checkDependOrder(parseDependFile(boot), parseDependFile(start));
  assert.ok(
    p.some((m) => /^nimbus-local is in neither .*does not start it at all/.test(m)),
    p.join('\n'),
  );
  assert.ok(
    p.some((m) => /^nimbus-init is in neither/.test(m)),
    p.join('\n'),
  );
});

test('a NetworkManager in the runlevel must finish before nimbus-init, and ssh must wait for nimbus-init', () => {
  const start = `TARGETS = dbus NetworkManager nimbus-init ssh nimbus-config nimbus-final
NetworkManager: dbus
nimbus-init: dbus
ssh: dbus
nimbus-config: nimbus-init
nimbus-final: nimbus-config
`;
  const p = checkDependOrder(parseDependFile(BOOT), parseDependFile(start));
  assert.ok(
    p.some((m) => /nimbus-init does not wait for NetworkManager/.test(m)),
    p.join('\n'),
  );
  assert.ok(
    p.some((m) => /ssh does not wait for nimbus-init/.test(m)),
    p.join('\n'),
  );
  const fixed = start.replace('nimbus-init: dbus', 'nimbus-init: dbus NetworkManager').replace('ssh: dbus', 'ssh: nimbus-init');
  assert.deepEqual(checkDependOrder(parseDependFile(BOOT), parseDependFile(fixed)), []);
});

test('a network manager started from .depend.boot while nimbus-local is in .depend.start is reported', () => {
  const boot = BOOT.replace(' nimbus-local networking', ' networking')
    .replace(/^nimbus-local:.*\n/m, '')
    .replace('urandom nimbus-local', 'urandom');
  const start = START.replace('TARGETS = dbus', 'TARGETS = dbus nimbus-local').concat('nimbus-init: nimbus-local\n');
  const p = checkDependOrder(parseDependFile(boot), parseDependFile(start));
  assert.ok(
    p.some((m) => /networking starts from .*\.depend\.boot, before nimbus-local/.test(m)),
    p.join('\n'),
  );
});
