// landscape: the documented examples booted on Ubuntu: landscape-client installed and
// landscape-config run with the merged settings, sorted, unless already registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootUbuntu, UBUNTU2404 } from './ubuntu-boot.js';
import { leaksOf } from './secret-leaks.js';
import { landscape, parseClientConf } from '../../packages/core/src/modules/landscape.js';

test('landscape: the documented example installs landscape-client and registers with every setting as --key value, sorted by key, the registration key logged nowhere', () => {
  const marker = 'Ls7MARKERkey';
  const b = bootUbuntu((landscape.examples[0] as string).replace('fookey', marker), { tools: ['apt-get'] });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.ok(b.argvs.some((a) => a[0] === 'apt-get' && a.includes('install') && a.includes('landscape-client')));
  assert.deepEqual(
    b.argvs.filter((a) => a[0] === 'landscape-config'),
    [
      ['landscape-config', '--silent', '--is-registered'],
      [
        'landscape-config',
        '--silent',
        '--account-name',
        'fooaccount',
        '--computer-title',
        'footitle',
        '--data-path',
        '/var/lib/landscape/client',
        '--http-proxy',
        'http://my.proxy.com/foobar',
        '--https-proxy',
        'https://my.proxy.com/foobar',
        '--log-level',
        'info',
        '--ping-url',
        'http://landscape.canonical.com/ping',
        '--registration-key',
        marker,
        '--tags',
        'server,cloud',
        '--url',
        'https://landscape.canonical.com/message-system',
      ],
    ],
  );
  // The registration key is in no log, status, instance data or journal stream.
  assert.deepEqual(leaksOf(b, marker), []);
});

test("landscape: the image's client.conf fills what the user does not set, and the user's settings win", async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  k.write('usr/bin/apt-get', '', 0o755);
  k.write('etc/landscape/client.conf', '[client]\nlog_level = warning\nurl = "https://ls.example/message-system"\n# comment = no\n[other]\nx = y\n');
  await k.run(landscape, landscape.examples[1] as string);
  const reg = k.argvs().at(-1) ?? [];
  assert.equal(reg[reg.indexOf('--log-level') + 1], 'debug');
  assert.equal(reg[reg.indexOf('--url') + 1], 'https://landscape.canonical.com/message-system');
  assert.deepEqual(parseClientConf('[client]\nlog_level = warning\nurl = "https://ls.example/m"  # c\n'), { log_level: 'warning', url: 'https://ls.example/m' });
});

test('landscape refuses a client that is not a mapping, naming the line, and installs nothing', async () => {
  const k = makeKit({ osRelease: UBUNTU2404 });
  await assert.rejects(k.run(landscape, 'landscape:\n  client: yes\n'), /line 2 col \d+: landscape\.client must be a mapping/);
  assert.deepEqual(k.argvs(), []);
});
