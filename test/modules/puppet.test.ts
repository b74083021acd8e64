// puppet: the documented examples booted on Debian and Rocky (whose stock lists run
// puppet), puppetlabs' install script fetched from a server on 127.0.0.1, puppet.conf,
// the CA certificate and csr_attributes.yaml written, the service enabled and started,
// the agent run, and bad input named by its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { makeKit } from './kit.js';
import { bootExample, DEBIAN12, ROCKY9 } from './boot-example.js';
import { serveScript } from './script-server.js';
import { secretLeaks } from './key-leaks.js';
import { puppet, parseIni, renderIni, certname, runPuppet } from '../../packages/core/src/modules/puppet.js';
import { pyyamlDump } from '../../packages/core/src/modules/lib/pyyaml-dump.js';
import { PYTHON3 } from '../helpers/python.js';

const AIO = puppet.examples[0] as string;
const PACKAGES = puppet.examples[1] as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];
const APT_GET = { 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 } };
const mine = (argvs: string[][]) => argvs.filter((a) => /puppet|^apt-get$|^dnf$|^systemctl$/.test(a[0] as string) && !(a[0] === 'systemctl' && !/puppet/.test(a[2] ?? '')));

test('puppet: the documented aio example downloads the install script from its url, runs it with -v, -c and --cleanup, writes puppet.conf, ca.pem and csr_attributes.yaml, runs the agent and starts the service', async () => {
  const server = await serveScript('#!/bin/sh\necho installing puppet\n');
  try {
    const b = bootExample(AIO.replace("'https://git.io/JBhoQ'", `'${server.url}/install.sh'`), { osRelease: DEBIAN12 });
    assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
    assert.deepEqual(server.hits(), ['/install.sh'], 'the script was fetched once');
    assert.deepEqual(mine(b.argvs), [
      ['/var/tmp/cloud-init/puppet-install.d/puppet-install', '-v', '7.7.0', '-c', 'puppet7', '--cleanup'],
      ['systemctl', 'enable', 'puppet-agent.service'],
      ['/opt/puppetlabs/bin/puppet', 'agent', '--test'],
      ['systemctl', 'start', 'puppet-agent.service'],
    ]);
    assert.ok(!b.exists('var/tmp/cloud-init/puppet-install.d'), 'the script is removed after its run');
    const iid = b.inst.split('/').pop() as string;
    assert.equal(b.read('etc/puppet/puppet.conf'), `[agent]\nserver = puppetserver.example.org\ncertname = ${iid}.demo-web-1.example.internal\n\n`);
    assert.equal(b.mode('etc/puppet/puppet.conf'), 0o644);
    assert.match(b.read('var/lib/puppet/ssl/certs/ca.pem'), /^-----BEGIN CERTIFICATE-----\nMIICCTCC[\s\S]*-----END CERTIFICATE-----\n$/);
    assert.equal(b.mode('var/lib/puppet/ssl'), 0o771);
    assert.equal(
      b.read('etc/puppet/csr_attributes.yaml'),
      'custom_attributes:\n  1.2.840.113549.1.9.7: 342thbjkt82094y0uthhor289jnqthpc2290\nextension_requests:\n  pp_image_name: my_ami_image\n  pp_preshared_key: 342thbjkt82094y0uthhor289jnqthpc2290\n  pp_uuid: ED803750-E3C7-44F5-BB08-41A04433FE2E\n',
    );
    assert.equal(b.mode('etc/puppet/csr_attributes.yaml'), 0o600, 'the challenge password is readable by root only');
  } finally {
    server.close();
  }
});

test('puppet: the documented packages example installs the puppet package, enables and starts the service the image has, and runs no agent', () => {
  const b = bootExample(PACKAGES, { osRelease: DEBIAN12, files: { ...APT_GET, 'lib/systemd/system/puppet.service': '[Unit]\n' } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(mine(b.argvs), [
    [...APT, 'update'],
    [...APT, 'install', 'puppet'],
    ['puppet', 'config', 'print', 'config'],
    ['puppet', 'config', 'print', 'ssldir'],
    ['puppet', 'config', 'print', 'csr_attributes'],
    ['systemctl', 'enable', 'puppet.service'],
    ['systemctl', 'start', 'puppet.service'],
  ]);
});

test('puppet: on Rocky, puppet: {} installs puppet-agent with dnf (cloud-init tries puppet-agent first), pinned to a version', async () => {
  const k = makeKit({ osRelease: ROCKY9 });
  k.write('usr/bin/dnf', '#!/bin/sh\n', 0o755);
  await k.run(puppet, 'puppet:\n  version: "8.10.0"\n  start_service: false\n');
  assert.deepEqual(k.argvs(), [
    ['dnf', '-y', 'install', 'puppet-agent-8.10.0'],
    ['puppet', 'config', 'print', 'config'],
    ['puppet', 'config', 'print', 'ssldir'],
    ['puppet', 'config', 'print', 'csr_attributes'],
  ]);
});

test('puppet: conf merges into the image puppet.conf (kept as .old), ca_cert is owned by the puppet user, exec_args as a string are split', async () => {
  const k = makeKit({ passwd: 'root:x:0:0:root:/root:/bin/bash\npuppet:x:107:112::/var/lib/puppet:/usr/sbin/nologin\n' });
  k.write('etc/puppet/puppet.conf', '[main]\n  ssldir = /var/lib/puppet/ssl\n# a comment\n[agent]\nserver = old.example.org\n');
  k.write('usr/bin/puppet', '#!/bin/sh\n', 0o755);
  await k.run(
    puppet,
    'puppet:\n  install: false\n  exec: true\n  exec_args: "--onetime --no-daemonize"\n  conf:\n    agent:\n      server: new.example.org\n      certname: "Web-%i"\n      RunInterval: 3600\n      usecacheonfailure: false\n    ca_cert: "PEM\\n"\n',
  );
  assert.equal(k.read('etc/puppet/puppet.conf.old'), '[main]\n  ssldir = /var/lib/puppet/ssl\n# a comment\n[agent]\nserver = old.example.org\n');
  assert.equal(
    k.read('etc/puppet/puppet.conf'),
    '[main]\nssldir = /var/lib/puppet/ssl\n\n[agent]\nserver = new.example.org\ncertname = web-iid-kit-1\nruninterval = 3600\nusecacheonfailure = False\n\n',
  );
  const fs = await import('node:fs');
  const st = fs.statSync(`${k.root}/var/lib/puppet/ssl/certs/ca.pem`);
  assert.equal(st.uid, 107);
  assert.equal(fs.statSync(`${k.root}/var/lib/puppet/ssl`).uid, 107);
  assert.deepEqual(k.argvs().slice(3), [
    ['systemctl', 'enable', 'puppet-agent.service'],
    ['puppet', 'agent', '--onetime', '--no-daemonize'],
    ['systemctl', 'start', 'puppet-agent.service'],
  ]);
});

test('puppet: the aio installer that cannot be downloaded is an error naming aio_install_url after 6 tries; nothing else runs', async () => {
  const k = makeKit();
  const tried: string[] = [];
  const deps = {
    fetchOnce: async (u: string) => {
      tried.push(u);
      return { ok: false as const, why: 'ECONNREFUSED' };
    },
    pause: async () => undefined,
  };
  const ctx = await k.run({ ...puppet, run: () => undefined }, 'puppet:\n  install_type: aio\n  aio_install_url: http://127.0.0.1:9/install.sh\n');
  await assert.rejects(runPuppet(ctx, deps), /user-data line 3 col \d+: puppet: the installer http:\/\/127.0.0.1:9\/install.sh could not be downloaded \(6 tries: ECONNREFUSED/);
  assert.equal(tried.length, 6);
  assert.deepEqual(k.argvs(), []);
});

test('puppet: a conf section puppet does not have, a value with a line break and an aio_install_url that is not http are errors naming their lines', async () => {
  const k = makeKit();
  await assert.rejects(
    k.run(puppet, 'puppet:\n  install_type: aio\n  aio_install_url: file:///etc/shadow\n  conf:\n    master:\n      server: x\n    agent:\n      server: "a\\nb"\n'),
    /line 8 col \d+: puppet.conf.agent.server: it contains a line break/,
  );
  assert.match(k.errors().join('\n'), /line 3 col \d+: puppet.aio_install_url "file:\/\/\/etc\/shadow": file: is not http: or https:/);
  assert.match(k.errors().join('\n'), /line 5 col \d+: puppet.conf.master is not a puppet.conf section/);
  assert.deepEqual(k.argvs(), []);
});

test('puppet: puppet.conf is read and written as configparser does; certname gets the FQDN and instance id in lower case', () => {
  const ini = parseIni('[main]\nlogdir=/var/log/puppet\n  vardir: /var/lib/puppet\n; c\n[agent]\nServer = p\n', 'puppet.conf');
  assert.equal(renderIni(ini), '[main]\nlogdir = /var/log/puppet\nvardir = /var/lib/puppet\n\n[agent]\nserver = p\n\n');
  assert.throws(() => parseIni('server = x\n', 'puppet.conf'), /puppet.conf line 1: an option before the first \[section\]/);
  assert.equal(certname('%i.%f', 'Web.Example.ORG', 'i-ABC'), 'i-abc.web.example.org');
});

test('puppet: csr_attributes.yaml is what PyYAML dump writes for the same mapping', () => {
  const data = {
    extension_requests: { pp_uuid: 'ED803750-E3C7-44F5-BB08-41A04433FE2E', pp_role: 'yes', pp_n: '1.0', x: 'a: b', e: '', q: "it's", l: ['a', 'b'] },
    custom_attributes: { '1.2.840.113549.1.9.7': 'secret', n: 5, t: true },
  };
  const py = spawnSync(PYTHON3, ['-c', 'import sys, json, yaml; sys.stdout.write(yaml.dump(json.load(sys.stdin), default_flow_style=False))'], { input: JSON.stringify(data), encoding: 'utf8' });
  if (py.status !== 0) return; // no python3-yaml on this machine
  assert.equal(pyyamlDump(data), py.stdout);
});

test('puppet: the CSR challenge password is in no log, no journal line and no file others can read', () => {
  const marker = 'Zq7PUPPETpw3x';
  const b = bootExample(`#cloud-config\npuppet:\n  install: false\n  start_service: false\n  csr_attributes:\n    custom_attributes:\n      1.2.840.113549.1.9.7: ${marker}\n`, {
    osRelease: DEBIAN12,
  });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.match(b.read('etc/puppet/csr_attributes.yaml'), new RegExp(marker));
  assert.deepEqual(secretLeaks(b.root, marker, b.runs), []);
});
