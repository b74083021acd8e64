// ubuntu_pro: the documented examples booted on Ubuntu: pro config set and unset,
// attach with the token kept out of every argv, log and record, services enabled, the
// old ubuntu_advantage key applied with a deprecation warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { leaksOf } from './secret-leaks.js';
import { proConfigCommands, ubuntuPro } from '../../packages/core/src/modules/ubuntu-pro.js';

const TOKEN = 'C1ZqMARKERtok9';

test('ubuntu_pro: the documented example with config, enable and enable_beta sets each pro config, attaches without auto-enable and enables the services, the token shown nowhere', () => {
  const b = bootUbuntu((ubuntuPro.examples[2] as string).replace('<ubuntu_pro_token>', TOKEN), { tools: ['pro'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'pro'),
    [
      ['pro', 'config', 'set', 'global_apt_http_proxy=http://some-global-apt-proxy:8088/'],
      ['pro', 'config', 'set', 'global_apt_https_proxy=https://some-global-apt-proxy:8088/'],
      ['pro', 'config', 'set', 'http_proxy=http://some-proxy:8088'],
      ['pro', 'config', 'set', 'https_proxy=https://some-proxy:8088'],
      ['pro', 'config', 'set', 'ua_apt_http_proxy=http://10.0.10.10:3128'],
      ['pro', 'config', 'set', 'ua_apt_https_proxy=https://10.0.10.10:3128'],
      ['pro', 'api', 'u.pro.attach.auto.should_auto_attach.v1'],
      ['pro', 'attach', '--no-auto-enable', '--attach-config', '/run/cloud-init/nimbus-pro-attach.yaml'],
      ['pro', 'enable', '--assume-yes', '--format', 'json', 'fips', 'esm-apps'],
    ],
  );
  assert.equal(b.exists('run/cloud-init/nimbus-pro-attach.yaml'), false, 'the attach config holding the token is removed');
  // The token is in no log, command record, status, instance data or journal stream.
  assert.deepEqual(leaksOf(b, TOKEN), []);
  assert.ok(!b.read('var/log/nimbus-commands.log').includes(TOKEN));
});

test('ubuntu_pro: without pro in the image ubuntu-advantage-tools is installed first; features alone attach nothing', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/apt-get', '', 0o755);
  await k.run(ubuntuPro, ubuntuPro.examples[3] as string);
  const argvs = k.argvs();
  assert.ok(argvs.some((a) => a[0] === 'apt-get' && a.includes('ubuntu-advantage-tools')));
  assert.deepEqual(
    argvs.filter((a) => a[0] === 'pro'),
    [],
    'auto-attach disabled and nothing but features given',
  );
});

test('ubuntu_pro: the old ubuntu_advantage key is applied with a deprecation warning; enable without a token on a non-Pro instance is an error', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/pro', '', 0o755);
  await k.run(ubuntuPro, `ubuntu_advantage:\n  token: ${TOKEN}\n`);
  assert.match(k.warnings().join('\n'), /deprecated configuration key ubuntu_advantage: use ubuntu_pro/);
  assert.deepEqual(k.argvs().at(-1), ['pro', 'attach', '--attach-config', '/run/cloud-init/nimbus-pro-attach.yaml']);
  assert.ok(!k.lines.join('\n').includes(TOKEN));
  const k2 = makeKit({ osRelease: UBUNTU2404 });
  k2.write('usr/bin/pro', '', 0o755);
  await assert.rejects(k2.run(ubuntuPro, ubuntuPro.examples[4] as string), /line 2 col \d+: ubuntu_pro\.token is required/);
});

test('ubuntu_pro config: null unsets, a value with blanks is escaped, a non-URL proxy is refused without repeating it, unknown keys are passed on', () => {
  const r = proConfigCommands({ https_proxy: null, http_proxy: 'ftp://user:pw@x', apt_news: 'false', ua_apt_http_proxy: 'http://a b' });
  assert.deepEqual(r.argvs, [
    ['pro', 'config', 'set', 'apt_news=false'],
    ['pro', 'config', 'unset', 'https_proxy'],
    ['pro', 'config', 'set', 'ua_apt_http_proxy=http\\:\\/\\/a\\ b'],
  ]);
  assert.deepEqual(r.unknown, ['apt_news']);
  assert.equal(r.problems.length, 1);
  assert.ok(!r.problems[0]?.why.includes('pw@x'));
});
