// chef: the documented example booted on Debian and Rocky (whose stock lists run chef)
// with the omnibus installer fetched from a server on 127.0.0.1; client.rb, the
// validation key (0600) and firstboot.json; the install types; chef-client's run; and
// values refused before they reach client.rb (Ruby).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { bootExample, DEBIAN12, ROCKY9 } from './boot-example.js';
import { serveScript } from './script-server.js';
import { secretLeaks } from './key-leaks.js';
import { chef, pythonJson, runChef } from '../../packages/core/src/modules/chef.js';

const OMNIBUS = chef.examples[0] as string;
const PACKAGES = chef.examples[1] as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];
const HEADER = /^# Created by cloud-init v\. nimbus-\S+ on \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\n/;
const mine = (argvs: string[][]) => argvs.filter((a) => /chef|^apt-get$|^dnf$|gem$/.test(a[0] as string));

test('chef: the documented omnibus example downloads install.sh (2 retries), runs it, and writes client.rb and firstboot.json as cloud-init does', async () => {
  const server = await serveScript('#!/bin/sh\necho installing chef\n');
  try {
    const ud = OMNIBUS.replace('  omnibus_url_retries: 2\n', `  omnibus_url_retries: 2\n  omnibus_url: ${server.url}/chef/install.sh\n`);
    const b = bootExample(ud, { osRelease: DEBIAN12, files: { 'etc/chef/validation.pem': { text: 'KEY\n', mode: 0o600 } } });
    assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
    assert.deepEqual(server.hits(), ['/chef/install.sh']);
    assert.deepEqual(mine(b.argvs), [['/var/tmp/cloud-init/chef-omnibus-install.d/chef-omnibus-install']], 'exec defaults to false: installed, not run');
    const iid = b.inst.split('/').pop() as string;
    const rb = b.read('etc/chef/client.rb');
    assert.match(rb, HEADER);
    assert.equal(
      rb.replace(HEADER, ''),
      [
        'log_level              :auto',
        'ssl_verify_mode        :verify_peer',
        'log_location           "/var/log/chef/client.log"',
        'validation_client_name "yourorg-validator"',
        'validation_key         "/etc/chef/validation.pem"',
        'client_key             "/etc/chef/client.pem"',
        'chef_server_url        "https://chef.yourorg.com:4000"',
        'environment            "_default"',
        `node_name              "${iid}"`,
        'json_attribs           "/etc/chef/firstboot.json"',
        'file_cache_path        "/var/chef/cache"',
        'file_backup_path       "/var/chef/backup"',
        'pid_file               "/var/run/chef/client.pid"',
        'Chef::Log::Formatter.show_time = true',
        'encrypted_data_bag_secret "/etc/chef/encrypted_data_bag_secret"',
        '',
        '',
      ].join('\n'),
    );
    assert.equal(b.read('etc/chef/firstboot.json'), '{"run_list": ["recipe[apache2]", "role[db]"], "apache": {"prefork": {"maxclients": 100}, "keepalive": false}}');
    assert.equal(b.read('etc/chef/validation.pem'), 'KEY\n', '"system" keeps the image key');
    // The directories listed, and the parents of client.rb's paths (as cloud-init makes them); not the default list.
    for (const d of ['etc/chef', 'var/log/chef', 'var/chef', 'var/run/chef']) assert.ok(b.exists(d), d);
    assert.ok(!b.exists('var/lib/chef'));
  } finally {
    server.close();
  }
});

test('chef: the packages example on Rocky installs chef with dnf, writes the validation key 0600, runs chef-client --once and removes the key', () => {
  const b = bootExample(PACKAGES, { osRelease: ROCKY9, files: { 'usr/bin/dnf': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join('') + b.errors.join('\n'));
  assert.deepEqual(mine(b.argvs), [
    ['dnf', '-y', 'install', 'chef'],
    ['/usr/bin/chef-client', '--once'],
  ]);
  assert.ok(!b.exists('etc/chef/validation.pem'), 'delete_validation_post_exec removed the key after the run');
  assert.match(b.read('etc/chef/client.rb'), /^node_name {14}"web-1"$/m);
  assert.equal(b.read('etc/chef/firstboot.json'), '{"run_list": ["recipe[base]"]}');
});

test('chef: the validation key from validation_cert is written 0600; chef already installed runs only with exec, with the default arguments', async () => {
  const k = makeKit();
  k.write('usr/bin/chef-client', '#!/bin/sh\n', 0o755);
  await k.run(chef, 'chef:\n  server_url: https://c.example\n  validation_name: v\n  validation_cert: "KEY\\n"\n  firstboot_path: ""\n');
  assert.equal(k.read('etc/chef/validation.pem'), 'KEY\n');
  assert.equal(k.mode('etc/chef/validation.pem'), 0o600);
  assert.ok(!k.exists('etc/chef/firstboot.json'), 'an empty firstboot_path writes none');
  assert.deepEqual(k.argvs(), []);
  const k2 = makeKit();
  k2.write('usr/bin/chef-client', '#!/bin/sh\n', 0o755);
  await k2.run(chef, 'chef:\n  server_url: https://c.example\n  validation_name: v\n  exec: true\n');
  assert.deepEqual(k2.argvs(), [['/usr/bin/chef-client', '-d', '-i', '1800', '-s', '20']]);
  assert.doesNotMatch(k2.read('etc/chef/client.rb'), /validation_key/, 'no validation_cert: the template names no key');
});

test('chef: install_type gems installs ruby, links gem and ruby, installs the chef gem and runs chef-client by default', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  await k.run(chef, 'chef:\n  install_type: gems\n  ruby_version: "3.1"\n  version: "18.2.7"\n  server_url: https://c.example\n  validation_name: v\n');
  assert.deepEqual(mine(k.argvs()), [
    [...APT, 'update'],
    [...APT, 'install', 'ruby3.1', 'ruby3.1-dev'],
    ['/usr/bin/gem', 'install', 'chef', '-v 18.2.7', '--no-ri', '--no-rdoc', '--bindir', '/usr/bin', '-q'],
    ['/usr/bin/chef-client', '-d', '-i', '1800', '-s', '20'],
  ]);
  assert.equal(fs.readlinkSync(path.join(k.root, 'usr/bin/gem')), '/usr/bin/gem3.1');
  assert.equal(fs.readlinkSync(path.join(k.root, 'usr/bin/ruby')), '/usr/bin/ruby3.1');
});

test('chef: old cache and backup directories move to /var/chef; custom directories are made', async () => {
  const k = makeKit();
  k.write('usr/bin/chef-client', '#!/bin/sh\n', 0o755);
  k.write('var/cache/chef/cookbook.tgz', 'x');
  k.write('var/backups/chef/old.rb', 'y');
  k.write('var/chef/backup/old.rb', 'kept');
  await k.run(chef, 'chef:\n  directories: [/srv/chef]\n  server_url: https://c.example\n  validation_name: v\n');
  assert.equal(k.read('var/chef/cache/cookbook.tgz'), 'x');
  assert.equal(k.read('var/chef/backup/old.rb'), 'kept');
  assert.ok(k.exists('var/backups/chef/old.rb'), 'a file already migrated is left where it was');
  assert.ok(k.exists('srv/chef') && k.exists('etc/chef'));
});

test('chef: a value that would end its Ruby string, a missing server_url and a non-symbol log_level are errors naming their lines; nothing is written', async () => {
  const k = makeKit();
  const thrown = await k.run(chef, 'chef:\n  validation_name: \'v"; system("id"); "\'\n  log_level: info\n').then(
    () => 'no error',
    (e: Error) => e.message,
  );
  const all = [...k.errors(), thrown].join('\n');
  assert.match(all, /line 1 col \d+: chef.server_url is required/);
  assert.match(all, /line 2 col \d+: chef.validation_name .*Ruby would read it as code/);
  assert.match(all, /line 3 col \d+: chef.log_level "info": expected a Ruby symbol/);
  assert.match(thrown, /chef was not configured/);
  assert.ok(!k.exists('etc/chef/client.rb'));
});

test('chef: the validation key given in user-data is in no log, no journal line and no file others can read', () => {
  const marker = 'Zq7CHEFKEYx9';
  const b = bootExample(PACKAGES.replace('MIIEpAIBAAKCAQEA...', marker).replace('  delete_validation_post_exec: true\n', ''), {
    osRelease: ROCKY9,
    files: { 'usr/bin/dnf': { text: '#!/bin/sh\n', mode: 0o755 } },
  });
  assert.equal(b.status, 'done');
  assert.match(b.read('etc/chef/validation.pem'), new RegExp(marker));
  assert.deepEqual(secretLeaks(b.root, marker, b.runs), []);
});

test('chef: an omnibus installer that cannot be downloaded is an error after 1 + omnibus_url_retries tries', async () => {
  const k = makeKit();
  const tried: string[] = [];
  const deps = {
    fetchOnce: async (u: string) => {
      tried.push(u);
      return { ok: false as const, why: 'HTTP 503' };
    },
    pause: async () => undefined,
  };
  const ctx = await k.run({ ...chef, run: () => undefined }, 'chef:\n  install_type: omnibus\n  omnibus_url_retries: 1\n  server_url: https://c.example\n  validation_name: v\n');
  await assert.rejects(runChef(ctx, deps), /user-data line 2 col \d+: chef: the omnibus installer https:\/\/www.chef.io\/chef\/install.sh could not be downloaded \(2 tries: HTTP 503; HTTP 503\)/);
  assert.deepEqual(tried, ['https://www.chef.io/chef/install.sh', 'https://www.chef.io/chef/install.sh']);
});

test('chef: firstboot.json is what Python json.dumps writes', () => {
  assert.equal(pythonJson({ run_list: ['a'], x: { é: 1.5, n: null, t: true } }), '{"run_list": ["a"], "x": {"\\u00e9": 1.5, "n": null, "t": true}}');
});
