// apt_configure: cloud-init's documented `apt:` examples booted on a Debian tree with
// commands recorded; the deb822 sources, proxies, conf, sources entries with inline
// keys, debconf selections; bad values named by line; and a property test that no
// user-data value adds a line to a sources or conf file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit } from './kit.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { aptConfigure } from '../../packages/core/src/modules/apt-configure.js';
import { dearmor, disableSuitesList, proxyConf, renderBasic } from '../../packages/core/src/modules/lib/apt-sources.js';

const TRIXIE = 'ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n';
// A made-up OpenPGP public-key packet body: dearmoring is base64, whatever the packets hold.
const KEY_BYTES = Buffer.from('99010d0452a1b2c3010800deadbeef', 'hex');
const ARMORED = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${KEY_BYTES.toString('base64')}\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n`;
const indent = (s: string, n: number) =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

test('apt_configure: the documented example booted on Debian 13 writes debian.sources with the mirrors, the proxy and conf files, the source file, and records debconf-set-selections and apt-get update', () => {
  const root = makeRoot({ osRelease: TRIXIE, drive: driveWith((d) => setUserData(d, aptConfigure.examples[0] as string)) });
  fs.mkdirSync(path.join(root, 'etc/apt'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/apt/sources.list'), 'deb http://old.example/debian bookworm main\n');
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/apt-get'), '#!/bin/sh\n', { mode: 0o755 });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string };
  assert.equal(st.extended_status, 'done');
  const src = fs.readFileSync(path.join(root, 'etc/apt/sources.list.d/debian.sources'), 'utf8');
  assert.match(src, /\nURIs: http:\/\/mirror\.example\.org\/debian\nSuites: trixie trixie-updates\nComponents: main\n/, 'backports disabled');
  assert.match(src, /\nURIs: http:\/\/security\.example\.org\/debian-security\nSuites: trixie-security\n/);
  assert.equal(fs.statSync(path.join(root, 'etc/apt/sources.list.d/debian.sources')).mode & 0o777, 0o644);
  assert.ok(!fs.existsSync(path.join(root, 'etc/apt/sources.list')), 'the one-line sources.list gives way to deb822');
  assert.equal(fs.readFileSync(path.join(root, 'etc/apt/apt.conf.d/90cloud-init-aptproxy'), 'utf8'), 'Acquire::http::Proxy "http://proxy.example.org:3128";\n');
  assert.match(fs.readFileSync(path.join(root, 'etc/apt/apt.conf.d/94cloud-init-config'), 'utf8'), /Assume-Yes "true";/);
  assert.equal(fs.readFileSync(path.join(root, 'etc/apt/sources.list.d/example.list'), 'utf8'), 'deb http://mirror.example.org/debian trixie main contrib\n');
  const rec = fs.readFileSync(path.join(root, 'var/log/nimbus-commands.log'), 'utf8');
  assert.match(rec, /"argv":\["debconf-set-selections"\]/);
  assert.match(rec, /"argv":\[[^\]]*"apt-get"[^\]]*"update"\]/);
});

test('apt_configure: an inline key with $KEY_FILE becomes a keyring named by signed-by; without it a trusted.gpg.d keyring', async () => {
  const k = makeKit({ osRelease: TRIXIE });
  await k.run(
    aptConfigure,
    `apt:\n  preserve_sources_list: true\n  sources:\n    repo1:\n      source: deb [signed-by=$KEY_FILE] http://repo.example/debian $RELEASE main\n      key: |\n${indent(ARMORED, 8)}\n    repo2.list:\n      source: deb http://two.example/ $RELEASE main\n      key: |\n${indent(ARMORED, 8)}\n`,
  );
  assert.equal(k.read('etc/apt/sources.list.d/repo1.list'), 'deb [signed-by=/etc/apt/cloud-init.gpg.d/repo1.gpg] http://repo.example/debian trixie main\n');
  assert.deepEqual(fs.readFileSync(path.join(k.root, 'etc/apt/cloud-init.gpg.d/repo1.gpg')), KEY_BYTES);
  assert.deepEqual(fs.readFileSync(path.join(k.root, 'etc/apt/trusted.gpg.d/repo2.gpg')), KEY_BYTES);
  assert.ok(!k.exists('etc/apt/sources.list.d/debian.sources'), 'preserve_sources_list keeps the sources');
});

test('apt_configure: a keyid is fetched with recorded gpg commands, never the network; a ppa goes to add-apt-repository; append false replaces', async () => {
  const k = makeKit({ osRelease: TRIXIE });
  k.write('etc/apt/sources.list.d/x.list', 'deb http://old/ x main\n');
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  await k.run(aptConfigure, aptConfigure.examples[1] as string);
  const recv = k.argvs().findIndex((a) => a[0] === 'gpg');
  const install = k.argvs().findIndex((a) => a.includes('install') && a.at(-1) === 'gnupg');
  assert.ok(install >= 0 && install < recv, 'gpg is installed first when the image lacks it');
  assert.deepEqual(k.argvs().slice(recv, recv + 2), [
    ['gpg', '--no-tty', '--keyserver=keyserver.ubuntu.com', '--recv-keys', '573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62'],
    ['gpg', '--export', '--armour', '573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62'],
  ]);
  assert.match(k.read('etc/apt/sources.list.d/nginx.list'), /^deb \[signed-by=\/etc\/apt\/cloud-init\.gpg\.d\/nginx\.gpg\] http:\/\/nginx\.org\/packages\/debian trixie nginx\n$/);
  const p = makeKit({ osRelease: TRIXIE });
  p.write('usr/bin/add-apt-repository', '#!/bin/sh\n', 0o755);
  p.write('etc/apt/sources.list.d/x.list', 'deb http://old/ x main\n');
  await p.run(aptConfigure, 'apt:\n  preserve_sources_list: true\n  sources:\n    a: {source: "ppa:user/repo"}\n    x: {source: "deb http://new/ $RELEASE main", append: false}\n');
  assert.deepEqual(p.argvs()[0], ['add-apt-repository', '--no-update', 'ppa:user/repo']);
  assert.equal(p.read('etc/apt/sources.list.d/x.list'), 'deb http://new/ trixie main\n');
});

test('apt_configure: bad values name the line: a source with a line break, a quote in a proxy, a key that is not armored; search_dns and generate_mirrorlists say not supported', async () => {
  const k = makeKit({ osRelease: TRIXIE });
  await assert.rejects(
    k.run(aptConfigure, 'apt:\n  sources:\n    a:\n      source: "deb http://x/ main\\nType: evil"\n'),
    /user-data line 4 col \d+: apt\.sources\.a\.source: it contains a line break/,
  );
  await assert.rejects(makeKit({ osRelease: TRIXIE }).run(aptConfigure, 'apt:\n  http_proxy: \'http://p/";\\nAPT::Evil "1\'\n'), /user-data line 2 col \d+: apt\.http_proxy/);
  await assert.rejects(
    makeKit({ osRelease: TRIXIE }).run(aptConfigure, 'apt:\n  sources:\n    a:\n      key: not a key\n'),
    /user-data line 4 col \d+: apt\.sources\.a\.key: not an ASCII-armored OpenPGP key/,
  );
  const w = makeKit({ osRelease: TRIXIE });
  await w.run(aptConfigure, 'apt:\n  generate_mirrorlists: true\n  primary:\n    - arches: [default]\n      search_dns: true\n');
  assert.match(w.warnings().join('\n'), /not supported: apt\.generate_mirrorlists/);
  assert.match(w.warnings().join('\n'), /line 5 col \d+: not supported: apt\.primary\[0\]\.search_dns/);
  assert.match(w.read('etc/apt/sources.list.d/debian.sources'), /URIs: https:\/\/deb\.debian\.org\/debian\n/);
});

test('apt_configure: a one-line sources_list template goes to sources.list with suites disabled; the pure helpers', async () => {
  const k = makeKit({ osRelease: TRIXIE });
  await k.run(
    aptConfigure,
    'apt:\n  disable_suites: [updates]\n  primary: [{arches: [default], uri: "http://m/debian"}]\n  sources_list: |\n    deb $MIRROR $RELEASE main\n    deb $PRIMARY $RELEASE-updates main\n    deb $SECURITY ${RELEASE}-security main\n',
  );
  assert.equal(k.read('etc/apt/sources.list'), 'deb http://m/debian trixie main\n# suite disabled by cloud-init: deb http://m/debian trixie-updates main\ndeb http://m/debian trixie-security main\n');
  assert.throws(() => renderBasic('deb $NOPE x', { RELEASE: 'r' }), /\$NOPE/);
  assert.equal(disableSuitesList('deb [ arch=amd64 ] http://x/ s1 main\n', ['s1']), '# suite disabled by cloud-init: deb [ arch=amd64 ] http://x/ s1 main\n');
  assert.equal(proxyConf({ ftp_proxy: 'ftp://p/' }), 'Acquire::ftp::Proxy "ftp://p/";\n');
  assert.ok('problem' in dearmor('garbage'));
});

test('apt_configure: no user-data value in a mirror, proxy or source adds a line or directive to a sources or conf file', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 30 }), fc.constantFrom('uri', 'proxy', 'source'), async (v, where) => {
      const k = makeKit({ osRelease: TRIXIE });
      const q = JSON.stringify(v);
      const yaml =
        where === 'uri'
          ? `apt:\n  primary: [{arches: [default], uri: ${q}}]\n`
          : where === 'proxy'
            ? `apt:\n  preserve_sources_list: true\n  https_proxy: ${q}\n`
            : `apt:\n  preserve_sources_list: true\n  sources:\n    s: {source: ${JSON.stringify(`deb http://x/ ${v}`)}}\n`;
      try {
        await k.run(aptConfigure, yaml);
      } catch {
        return; // refused: nothing half-written matters here, the line count below is what is checked
      }
      if (where === 'uri') {
        const s = k.read('etc/apt/sources.list.d/debian.sources');
        assert.equal(s.split('\n').filter((l) => l.startsWith('URIs:')).length, 2);
        assert.equal(s.split('\n').filter((l) => /^[A-Za-z-]+:/.test(l)).length, 10);
      } else if (where === 'proxy' && k.exists('etc/apt/apt.conf.d/90cloud-init-aptproxy')) {
        const c = k.read('etc/apt/apt.conf.d/90cloud-init-aptproxy');
        assert.equal(c.split('\n').length, 2);
        assert.equal((c.match(/"/g) ?? []).length, 2);
        assert.equal((c.match(/;/g) ?? []).length, 1);
      } else if (where === 'source' && k.exists('etc/apt/sources.list.d/s.list')) {
        assert.equal(k.read('etc/apt/sources.list.d/s.list').split('\n').length, 2);
      }
    }),
    { numRuns: 60 },
  );
});

test('apt_configure: the pre-22.1 top-level keys (apt_proxy, apt_mirror, apt_sources as a list) still work, with a deprecation notice', async () => {
  const k = makeKit({ osRelease: TRIXIE });
  await k.run(
    aptConfigure,
    'apt_proxy: http://p:3128\napt_https_proxy: https://s:3129\napt_mirror: http://old-style/debian\napt_sources:\n  - source: deb $MIRROR $RELEASE main\n  - source: deb $MIRROR $RELEASE contrib\n',
  );
  assert.equal(k.read('etc/apt/apt.conf.d/90cloud-init-aptproxy'), 'Acquire::http::Proxy "http://p:3128";\nAcquire::https::Proxy "https://s:3129";\n');
  assert.match(k.read('etc/apt/sources.list.d/debian.sources'), /URIs: http:\/\/old-style\/debian\n/);
  assert.equal(k.read('etc/apt/sources.list.d/cloud_config_sources.list'), 'deb http://old-style/debian trixie main\ndeb http://old-style/debian trixie contrib\n');
  assert.equal(k.logger.report.recoverable.DEPRECATED.length, 4);
});
