// ntp: the documented examples booted on Debian (whose stock lists run ntp), the client
// cloud-init would choose, its file and service, and values refused before they reach
// the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeKit, CENTOS6, RHEL8 } from './kit.js';
import { bootExample } from './boot-example.js';
import { ntp, checkNtpLists } from '../../packages/core/src/modules/ntp.js';
import { renderNtpConfig } from '../../packages/core/src/modules/lib/ntp-clients.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const example = (needle: string) => ntp.examples.find((e) => e.includes(needle)) as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet', 'install'];
const ntpCmds = (argvs: string[][]) => argvs.filter((a) => a[0] === 'apt-get' || a[0] === 'systemctl' || a[0] === 'service');

test('ntp: the documented chrony example on Debian writes /etc/chrony/chrony.conf with the default pools, installs chrony and restarts it', () => {
  const b = bootExample(example('ntp_client: chrony'));
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  const conf = b.read('etc/chrony/chrony.conf');
  assert.match(conf, /^# pools\npool 0\.debian\.pool\.ntp\.org iburst\npool 1\.debian\.pool\.ntp\.org iburst\npool 2\.debian\.pool\.ntp\.org iburst\npool 3\.debian\.pool\.ntp\.org iburst\nkeyfile /m);
  assert.equal(b.mode('etc/chrony/chrony.conf'), 0o644);
  assert.deepEqual(ntpCmds(b.argvs), [
    [...APT, 'chrony'],
    ['systemctl', 'reload-or-restart', 'chrony'],
  ]);
});

test('ntp: the documented custom-client example renders its inline template with the pools, servers, peers and allow, and restarts its service', async () => {
  const k = makeKit();
  await k.run(ntp, example('myntpclient'));
  const conf = k.read('etc/myntpclient/myntpclient.conf');
  // Byte for byte what cloud-init's Jinja gives for the example (trim_blocks joins "# pools" to the first pool line).
  assert.equal(
    conf,
    '# My NTP Client config\n# poolspool 0.int.pool.ntp.org iburst\npool 1.int.pool.ntp.org iburst\npool ntp.myorg.org iburst\n# servers\nserver ntp.server.local iburst\nserver ntp.ubuntu.com iburst\nserver 192.168.23.2 iburst\n# peerspeer km001\npeer km002\n# allowallow 192.168.23.0/32\n\n',
  );
  assert.deepEqual(k.argvs(), [
    [...APT, 'myntpclient'],
    ['systemctl', 'reload-or-restart', 'myntpclient'],
  ]);
});

test('ntp with ntp_client auto picks the client the image has: systemd-timesyncd on Debian gets a drop-in and no package', async () => {
  const k = makeKit();
  k.write('lib/systemd/systemd-timesyncd', '#!/bin/sh\n', 0o755);
  await k.run(ntp, example('peers: [km001]'));
  assert.equal(
    k.read('etc/systemd/timesyncd.conf.d/cloud-init.conf'),
    '# Written by nimbus (cloud-init) from the ntp key of cloud-config.\n[Time]\nNTP=ntp.example.org 192.0.2.123 0.int.pool.ntp.org 1.int.pool.ntp.org\n',
  );
  assert.deepEqual(k.argvs(), [['systemctl', 'reload-or-restart', 'systemd-timesyncd']]);
});

test('ntp keeps the image file as .dist; chrony on the rhel family is /etc/chrony.conf and chronyd; CentOS 6 restarts ntpd with service', async () => {
  const k = makeKit({ osRelease: RHEL8 });
  k.write('usr/sbin/chronyd', '#!/bin/sh\n', 0o755);
  k.write('etc/chrony.conf', 'pool 2.rocky.pool.ntp.org iburst\n');
  await k.run(ntp, 'ntp:\n  servers: [10.0.0.1]\n  allow: [10.0.0.0/8]\n');
  assert.equal(k.read('etc/chrony.conf.dist'), 'pool 2.rocky.pool.ntp.org iburst\n');
  assert.match(k.read('etc/chrony.conf'), /\n# servers\nserver 10\.0\.0\.1 iburst\nallow 10\.0\.0\.0\/8\ndriftfile \/var\/lib\/chrony\/drift\n/);
  assert.deepEqual(k.argvs(), [['systemctl', 'reload-or-restart', 'chronyd']]);
  const c6 = makeKit({ osRelease: CENTOS6 });
  c6.write('usr/sbin/ntpd', '#!/bin/sh\n', 0o755);
  await c6.run(ntp, 'ntp: {ntp_client: ntp}\n');
  assert.match(c6.read('etc/ntp.conf'), /pool 0\.centos\.pool\.ntp\.org iburst\n/);
  assert.deepEqual(c6.argvs(), [['service', 'ntpd', 'restart']]);
});

test('ntp: an image template in /etc/cloud/templates is rendered instead of the built-in file', async () => {
  const k = makeKit();
  k.write('usr/sbin/chronyd', '#!/bin/sh\n', 0o755);
  k.write('etc/cloud/templates/chrony.conf.debian.tmpl', '## template:jinja\n{% for s in servers -%}\nserver {{s}} prefer\n{% endfor %}\n');
  await k.run(ntp, 'ntp: {servers: [a.example.org]}\n');
  assert.equal(k.read('etc/chrony/chrony.conf'), 'server a.example.org prefer\n\n');
});

test('ntp enabled: false configures nothing and the boot is not degraded', async () => {
  const k = makeKit();
  await k.run(ntp, 'ntp: {enabled: false, servers: [a.example.org]}\n');
  assert.deepEqual(k.argvs(), []);
  assert.equal(k.exists('etc/chrony/chrony.conf'), false);
  assert.deepEqual([...k.errors(), ...k.warnings()], []);
});

test('ntp refuses a server that would add a directive, naming its line, and writes nothing; the boot goes on', () => {
  const b = bootExample('#cloud-config\nntp:\n  servers:\n    - ntp.example.org\n    - "evil.example.org iburst\\nserver 6.6.6.6"\nruncmd: [[echo, still]]\n');
  assert.equal(b.status, 'error');
  assert.match(b.errors.join('\n'), /line 5 col \d+: ntp\.servers\[1\] .*not a host name or an IP address/);
  assert.equal(b.exists('etc/chrony/chrony.conf'), false);
  assert.deepEqual(ntpCmds(b.argvs), []);
  assert.ok(b.read(`${b.inst}/scripts/runcmd`).includes("'echo' 'still'"));
});

test('ntp refuses an unknown client without a full config and bad config values, each with its key path', async () => {
  const k = makeKit();
  await assert.rejects(k.run(ntp, 'ntp:\n  ntp_client: mine\n'), /no NTP client was configured/);
  assert.match(k.errors().join('\n'), /line 2 col \d+: ntp client "mine" is not one nimbus knows/);
  const c = makeKit();
  await assert.rejects(c.run(ntp, 'ntp:\n  config:\n    confpath: etc/x.conf\n    service_name: "x; reboot"\n'));
  assert.match(c.errors().join('\n'), /line 3 col \d+: ntp\.config\.confpath/);
  assert.match(c.errors().join('\n'), /line 4 col \d+: ntp\.config\.service_name .*not a service name/);
});

test('schema refuses ntp: {enabled: "yes"} with file:line:col and the key path', () => {
  const r = checkCloudConfigText('#cloud-config\nntp:\n  enabled: "yes"\n  servers: [a.example.org]\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 3, 'ntp.enabled']],
  );
  const extra = checkCloudConfigText('#cloud-config\nntp:\n  server: [a.example.org]\n', 'ud.yaml');
  assert.equal(extra.problems.length, 1, 'a misspelt key is a problem');
});

test('ntp property: a server, pool, peer or allow value either is refused or becomes exactly one directive', () => {
  const word = fc.oneof(fc.string({ maxLength: 30 }), fc.domain(), fc.ipV4(), fc.ipV6(), fc.constantFrom('all', '10.0.0.0/8', 'a b', 'x\nserver y', '-x', '#'));
  fc.assert(
    fc.property(fc.constantFrom('servers', 'pools', 'peers', 'allow'), word, fc.constantFrom('chrony', 'ntp', 'openntpd', 'systemd-timesyncd') as fc.Arbitrary<'chrony'>, (key, v, client) => {
      const { lists, problems } = checkNtpLists({ [key]: [v] });
      if (problems.length > 0) return;
      assert.ok(!/[\s#"'\\]/.test(v), JSON.stringify(v));
      const empty = renderNtpConfig(client, 'debian', { servers: [], pools: [], peers: [], allow: [] });
      const text = renderNtpConfig(client, 'debian', lists);
      const added = text.split('\n').filter((l) => !empty.split('\n').includes(l));
      for (const l of added) assert.ok(l.startsWith('#') || l.split(/\s+/).includes(v) || l === `NTP=${v}`, `${JSON.stringify(l)} for ${JSON.stringify(v)}`);
    }),
    { numRuns: 2000 },
  );
});
