// byobu: the documented examples booted on Debian turn byobu on for the default user
// and the system, or off for the system; byobu is installed first when missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { byobu, byobuPlan } from '../../packages/core/src/modules/byobu.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const BYOBU = { 'usr/bin/byobu': { text: '', mode: 0o755 } };

test('byobu: the documented enable-user example on Debian launches byobu for the default user and the system, and the boot is done', () => {
  const b = bootExample(byobu.examples[0] as string, { files: BYOBU });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  const mine = b.argvs.filter((a) => /byobu|debconf/.test(a.join(' ')));
  assert.deepEqual(mine, [['sudo', '-Hu', 'debian', 'byobu-launcher-install'], ['debconf-set-selections'], ['dpkg-reconfigure', 'byobu', '--frontend=noninteractive']]);
});

test('byobu: disable-system answers debconf false and reconfigures byobu, without touching the user', async () => {
  const k = makeKit();
  k.write('usr/bin/byobu', '', 0o755);
  await k.run(byobu, 'byobu_by_default: disable-system\n');
  assert.deepEqual(k.argvs(), [['debconf-set-selections'], ['dpkg-reconfigure', 'byobu', '--frontend=noninteractive']]);
});

test('byobu reads each value as cloud-init does: user and system mean enable-, disable covers both', () => {
  assert.deepEqual(byobuPlan('user'), { enable: true, user: true, system: true, known: true });
  assert.deepEqual(byobuPlan('system'), { enable: true, user: false, system: true, known: true });
  assert.deepEqual(byobuPlan('enable'), { enable: true, user: false, system: true, known: true });
  assert.deepEqual(byobuPlan('disable-user'), { enable: false, user: true, system: false, known: true });
  assert.deepEqual(byobuPlan('disable'), { enable: false, user: true, system: true, known: true });
  assert.equal(byobuPlan('sometimes').known, false);
});

test('byobu installs the byobu package first when the image lacks it, warns when there is no default user, and schema refuses an unknown value', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(byobu, 'byobu_by_default: enable-user\n');
  const argvs = k.argvs();
  assert.ok(
    argvs.some((a) => a.includes('install') && a.at(-1) === 'byobu'),
    JSON.stringify(argvs),
  );
  assert.ok(!argvs.some((a) => a[0] === 'sudo'));
  assert.ok(k.warnings().some((w) => /no default user/.test(w)));
  const r = checkCloudConfigText('#cloud-config\nbyobu_by_default: always\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.pos?.line, p.path.join('.')]),
    [[2, 'byobu_by_default']],
  );
});
