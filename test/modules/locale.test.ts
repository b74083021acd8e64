// locale: the documented examples booted on Debian, the default run with nothing
// configured, `locale: false`, the rhel family's locale.conf, and names refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeKit, CENTOS6, RHEL8 } from './kit.js';
import { bootExample } from './boot-example.js';
import { readShellVar, setShellVars } from '../../packages/core/src/modules/lib/shell-vars.js';
import { locale, localeProblem } from '../../packages/core/src/modules/locale.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const localeCmds = (argvs: string[][]) => argvs.filter((a) => ['locale-gen', 'update-locale', 'apt-get'].includes(a[0] as string));

test('locale: the documented example on Debian generates ar_AE and sets LANG with update-locale; the boot is done', () => {
  const b = bootExample(locale.examples[0] as string, { files: { 'etc/default/locale': 'LANG=C.UTF-8\n' } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  // The image had no locale-gen: the locales package is installed first, as cloud-init does.
  assert.deepEqual(localeCmds(b.argvs), [
    ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet', 'install', 'locales'],
    ['locale-gen', 'ar_AE'],
    ['update-locale', '--locale-file=/etc/default/locale', 'LANG=ar_AE'],
  ]);
});

test('locale with nothing configured runs on Debian: the image without a locale file gets LANG=C.UTF-8, one that has one is left alone', async () => {
  const b = bootExample('#cloud-config\nruncmd: [[true]]\n');
  assert.equal(b.status, 'done');
  assert.equal(b.read('etc/default/locale'), 'LANG=C.UTF-8\n');
  assert.equal(b.mode('etc/default/locale'), 0o644);
  assert.deepEqual(localeCmds(b.argvs), []);
  const k = makeKit();
  k.write('etc/default/locale', 'LANG=en_US.UTF-8\n');
  await k.run(locale, '{}\n');
  assert.deepEqual(k.argvs(), [], 'the image locale is already set: nothing to do');
  assert.equal(k.read('etc/default/locale'), 'LANG=en_US.UTF-8\n');
});

test('locale with locale-gen and update-locale in the image runs them with locale_configfile; a C locale is not generated', async () => {
  const k = makeKit();
  for (const t of ['usr/sbin/locale-gen', 'usr/sbin/update-locale']) k.write(t, '#!/bin/sh\n', 0o755);
  await k.run(locale, locale.examples[1] as string);
  assert.deepEqual(k.argvs(), [
    ['locale-gen', 'fr_CA'],
    ['update-locale', '--locale-file=/etc/alternate_path/locale', 'LANG=fr_CA'],
  ]);
  const c = makeKit();
  c.write('usr/sbin/update-locale', '#!/bin/sh\n', 0o755);
  await c.run(locale, 'locale: C.UTF-8\n');
  assert.deepEqual(c.argvs(), [['update-locale', '--locale-file=/etc/default/locale', 'LANG=C.UTF-8']]);
});

test('locale: false leaves the locale alone and the boot is done, not degraded', async () => {
  for (const off of ['false', '"off"', 'no']) {
    const k = makeKit();
    await k.run(locale, `locale: ${off}\n`);
    assert.deepEqual(k.argvs(), [], off);
    assert.equal(k.exists('etc/default/locale'), false, off);
    assert.deepEqual([...k.errors(), ...k.warnings()], [], off);
  }
  const b = bootExample(locale.examples[2] as string);
  assert.equal(b.status, 'done');
  assert.equal(b.exists('etc/default/locale'), false);
});

test('locale on the rhel family sets LANG in /etc/locale.conf (en_US.UTF-8 by default), on CentOS 6 in /etc/sysconfig/i18n', async () => {
  const k = makeKit({ osRelease: RHEL8 });
  await k.run(locale, '{}\n');
  assert.equal(k.read('etc/locale.conf'), 'LANG=en_US.UTF-8\n');
  k.write('etc/locale.conf', 'LANG=C.UTF-8\nLC_TIME=en_GB.UTF-8\n');
  await k.run(locale, 'locale: de_DE.UTF-8\n');
  assert.equal(k.read('etc/locale.conf'), 'LANG=de_DE.UTF-8\nLC_TIME=en_GB.UTF-8\n');
  const c6 = makeKit({ osRelease: CENTOS6 });
  await c6.run(locale, 'locale: ja_JP.UTF-8\n');
  assert.equal(c6.read('etc/sysconfig/i18n'), 'LANG=ja_JP.UTF-8\n');
  assert.deepEqual(c6.argvs(), []);
});

test('locale refuses a value that is not a locale name, naming the line; nothing is run', async () => {
  const k = makeKit();
  await assert.rejects(k.run(locale, 'runcmd: []\nlocale: "en_US.UTF-8\\nLC_ALL=evil"\n'), /user-data line 2 col \d+: locale: .* is not a locale name/);
  await assert.rejects(k.run(locale, 'locale: "--help"\n'), /is not a locale name/);
  await assert.rejects(k.run(locale, 'locale: fr_CA\nlocale_configfile: relative/path\n'), /user-data line 2 col \d+: locale_configfile: "relative\/path" is not an absolute path/);
  assert.deepEqual(k.argvs(), []);
  const r = checkCloudConfigText('#cloud-config\nlocale: [en_US]\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 2, 'locale']],
  );
});

test('locale property: an accepted name is one assignment in the locale file and reads back the same, never an option', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[a-z]{2}_[A-Z]{2}(\.[A-Za-z0-9-]{1,8})?(@[a-z]{1,8})?$/)), (s) => {
      if (localeProblem(s) !== null) return;
      const text = setShellVars('LC_TIME=C\n', { LANG: s });
      assert.equal(text.split('\n').length, 3, text);
      assert.equal(readShellVar(text, 'LANG'), s);
      assert.ok(!s.startsWith('-'));
    }),
    { numRuns: 3000 },
  );
});
