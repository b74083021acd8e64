// The subcommands and flags image pipelines and runbooks call: features, query --format
// and its file flags, devel render, schema --system and --docs, clean --configs,
// analyze boot, dhclient-hook, devel hotplug-hook (more in hotplug-hook.test.ts), and usage errors exiting 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { boot, cli, DIST, makeRoot } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { parseNetworkConfigDoc } from '../../packages/core/src/net/sources/config.js';
import { analyzeBoot, pyFloat, pyUtc } from '../../packages/core/src/analyze/boot.js';
import { BUILTIN_MODULES } from '../../packages/core/src/modules/registry.js';

const booted = (() => {
  let root: string | null = null;
  return () => {
    if (root === null) {
      root = makeRoot();
      boot(root);
    }
    return root;
  };
})();

test('features lists NETWORK_CONFIG_V1 and NETWORK_CONFIG_V2, and nimbus reads both versions', () => {
  const r = cli(tempDir('nimbus-f-'), 'features');
  assert.deepEqual([r.code, r.stdout], [0, 'NETWORK_CONFIG_V1\nNETWORK_CONFIG_V2\n']);
  const where = { source: 'test' };
  const v1 = parseNetworkConfigDoc(where, { version: 1, config: [{ type: 'physical', name: 'eth0', subnets: [{ type: 'dhcp' }] }] });
  const v2 = parseNetworkConfigDoc(where, { version: 2, ethernets: { eth0: { dhcp4: true } } });
  assert.equal(v1.kind, 'state');
  assert.equal(v2.kind, 'state');
});

test('query --format renders a jinja template with the instance data; a template that renders nothing or is broken exits 1', () => {
  const root = booted();
  const r = cli(root, 'query', '--format', '{{ v1.cloud_name }}/{{ ds.meta_data.name }}{% if v1.local_hostname %} host={{ local_hostname }}{% endif %}');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'openstack/demo-web-1 host=demo-web-1\n');
  assert.equal(cli(root, 'query', '-f', '{% if false %}x{% endif %}').code, 1);
  const broken = cli(root, 'query', '-f', '{% if %}');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /Failed to render templated data\. .*query command line/);
  const none = cli(root, 'query');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /expected one of --all, --format, --list-keys or a varname/);
});

test('query --instance-data, --user-data and --vendor-data read the files given (gzipped user-data too)', () => {
  const dir = tempDir('nimbus-q-');
  const data = path.join(dir, 'instance-data.json');
  fs.writeFileSync(data, JSON.stringify({ v1: { instance_id: 'i-from-file', cloud_name: 'nocloud' }, ds: { meta_data: { 'availability-zone': 'az-1' } } }));
  const ud = path.join(dir, 'ud.gz');
  fs.writeFileSync(ud, spawnSync('gzip', ['-c'], { input: '#cloud-config\nruncmd: [ls]\n' }).stdout);
  const vd = path.join(dir, 'vd');
  fs.writeFileSync(vd, '#!/bin/sh\necho vendor\n');
  const root = tempDir('nimbus-q-root-');
  assert.equal(cli(root, 'query', '-i', data, 'instance_id').stdout, 'i-from-file\n');
  assert.equal(cli(root, 'query', '-i', data, '-f', '{{ ds.meta_data.availability_zone }}').stdout, 'az-1\n');
  assert.equal(cli(root, 'query', '-i', data, '-u', ud, 'userdata').stdout, '#cloud-config\nruncmd: [ls]\n\n');
  assert.equal(cli(root, 'query', '-i', data, '-v', vd, 'vendordata').stdout, '#!/bin/sh\necho vendor\n\n');
  const missing = cli(root, 'query', '-i', path.join(dir, 'nope.json'), 'v1');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Missing instance-data file: .*nope\.json/);
});

test('devel render renders a jinja user-data file with the instance data and refuses a file without the header', () => {
  const root = booted();
  const dir = tempDir('nimbus-render-');
  const tpl = path.join(dir, 'ud');
  fs.writeFileSync(tpl, '## template: jinja\n#cloud-config\nhostname: {{ ds.meta_data.name }}\n{% if v1.cloud_name == "openstack" %}runcmd: [[echo, {{ v1.instance_id }}]]\n{% endif %}');
  const r = cli(root, 'devel', 'render', tpl);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '#cloud-config\nhostname: demo-web-1\nruncmd: [[echo, 8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10]]\n');
  fs.writeFileSync(tpl, '#cloud-config\nhostname: x\n');
  const plain = cli(root, 'devel', 'render', tpl);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /not a jinja template/);
  assert.equal(cli(root, 'devel', 'render', path.join(dir, 'missing')).code, 1);
  assert.equal(cli(root, 'devel', 'render').code, 2, 'the missing argument is a usage error');
});

test('schema --system checks user-data, vendor-data and vendor2-data and names the part that is invalid', () => {
  const root = tempDir('nimbus-sys-');
  fs.cpSync(booted(), root, { recursive: true, verbatimSymlinks: true });
  const ok = cli(root, 'schema', '--system');
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^Found cloud-config data types: user-data, vendor-data, vendor2-data\n\n1\. user-data at \/var\/lib\/cloud\/instance\/cloud-config\.txt:\n {2}Valid cloud-config: /);
  const link = fs.readlinkSync(path.join(root, 'var/lib/cloud/instance'));
  fs.writeFileSync(path.join(root, link, 'vendor-cloud-config.txt'), '#cloud-config\nruncmd: 5\n');
  const bad = cli(root, 'schema', '--system');
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /vendor-cloud-config\.txt:2:1: error: runcmd: expected a list/);
  assert.match(bad.stderr, /^Error: Invalid schema: vendor-data\n$/);
  const warned = cli(root, 'schema', '--system', '-t', 'network-config');
  assert.match(warned.stdout, /^WARNING: The --schema-type parameter is inapplicable when --system is present/);
});

test('schema --system checks a v2 network-config from the datasource too', () => {
  const root = makeRoot({ drive: false });
  const seed = path.join(root, 'var/lib/cloud/seed/nocloud');
  fs.mkdirSync(seed, { recursive: true });
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-net\n');
  fs.writeFileSync(path.join(seed, 'user-data'), '#cloud-config\nruncmd: [ls]\n');
  fs.writeFileSync(path.join(seed, 'network-config'), 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n');
  boot(root);
  const r = cli(root, 'schema', '--system');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\d\. network-config at \/var\/lib\/cloud\/seed\/nocloud\/network-config:\n {2}Valid network-config/);
});

test('schema --docs prints each module from its own record: frequency, activating keys, typed keys, examples', () => {
  const root = tempDir('nimbus-docs-');
  const r = cli(root, 'schema', '--docs', 'cc_write_files', 'runcmd');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Write Files\n-----------\n\n\*\*Internal name:\*\* ``cc_write_files``\n\n\*\*Module frequency:\*\* once-per-instance\n/);
  assert.match(r.stdout, / {4}\*\*write_files:\*\* \(list of mapping\)/);
  assert.match(r.stdout, /\nRuncmd\n------\n[\s\S]*\*\*Examples\*\*::\n\n {4}#cloud-config\n {4}runcmd:/);
  const all = cli(root, 'schema', '--docs', 'all');
  assert.equal(all.code, 0);
  for (const m of BUILTIN_MODULES) assert.ok(all.stdout.includes(`**Internal name:** \`\`cc_${m.name}\`\``), m.name);
  const bad = cli(root, 'schema', '--docs', 'no_such_module');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Invalid --docs value \["no_such_module"\]/);
});

test('clean --configs removes the generated network and ssh files named for cloud-init and nothing else', () => {
  const root = tempDir('nimbus-clean-');
  const put = (p: string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), 'x');
  };
  const network = [
    'etc/netplan/50-cloud-init.yaml',
    'etc/network/interfaces.d/50-cloud-init',
    'etc/systemd/network/10-cloud-init-eth0.network',
    'etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection',
    'etc/NetworkManager/conf.d/99-cloud-init.conf',
  ];
  const ssh = 'etc/ssh/sshd_config.d/50-cloud-init.conf';
  const mine = ['etc/netplan/01-mine.yaml', 'etc/ssh/sshd_config.d/10-mine.conf', 'etc/network/interfaces.d/eth9'];
  for (const p of [...network, ssh, ...mine, 'var/lib/cloud/instance/x', 'var/lib/cloud/seed/nocloud/meta-data']) put(p);
  const r = cli(root, 'clean', '--configs', 'ssh_config');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!fs.existsSync(path.join(root, ssh)));
  for (const p of network) assert.ok(fs.existsSync(path.join(root, p)), p);
  assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/seed/nocloud/meta-data')));
  assert.equal(cli(root, 'clean', '-c', 'network').code, 0);
  for (const p of network) assert.ok(!fs.existsSync(path.join(root, p)), p);
  for (const p of mine) assert.ok(fs.existsSync(path.join(root, p)), p);
  const bad = cli(root, 'clean', '--configs', 'everything');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /argument 'everything' is invalid.*all, ssh_config, network/s);
});

test('clean --machine-id empties the machine id for a golden image: "uninitialized" under systemd, removed elsewhere', () => {
  const root = tempDir('nimbus-mid-');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/machine-id'), '0123456789abcdef\n');
  cli(root, 'clean', '--machine-id');
  assert.ok(!fs.existsSync(path.join(root, 'etc/machine-id')));
  fs.mkdirSync(path.join(root, 'run/systemd/system'), { recursive: true });
  cli(root, 'clean', '--machine-id');
  assert.equal(fs.readFileSync(path.join(root, 'etc/machine-id'), 'utf8'), 'uninitialized\n');
});

test("analyze boot: the kernel, systemd and init-local times in cloud-init's report; without systemd it says it cannot", () => {
  const log = '2026-12-03 10:00:05,250 - local.ts[INFO]: start: init-local: searching for local datasources\n';
  const r = analyzeBoot({ now: 1796292100, uptime: 100, userspaceMonotonicUs: 1_500_000, localUnitMonotonicUs: 4_250_000, container: false }, log);
  assert.equal(r.ok, true);
  assert.equal(
    r.text,
    '-- Most Recent Boot Record --\n' +
      '    Kernel Started at: 2026-12-03 10:00:00+00:00\n' +
      '    Kernel ended boot at: 2026-12-03 10:00:01.500000+00:00\n' +
      '    Kernel time to boot (seconds): 1.5\n' +
      '    Cloud-init activated by systemd at: 2026-12-03 10:00:04.250000+00:00\n' +
      '    Time between Kernel end boot and Cloud-init activation (seconds): 2.75\n' +
      '    Cloud-init start: 2026-12-03 10:00:05.250000+00:00\n',
  );
  assert.equal(pyFloat(2), '2.0');
  assert.equal(pyUtc(0), '1970-01-01 00:00:00+00:00');
  assert.match(analyzeBoot({ now: 1, uptime: 1, userspaceMonotonicUs: 1, localUnitMonotonicUs: 1, container: true }, log).text, /^-- Most Recent Container Boot Record --\n {4}Container started at: /);
  assert.equal(analyzeBoot({ now: 1, uptime: 1, userspaceMonotonicUs: 1, localUnitMonotonicUs: 1, container: false }, '').ok, false);
  const cliRun = cli(booted(), 'analyze', 'boot');
  assert.equal(cliRun.code, 1);
  assert.match(cliRun.stdout, /does not support this functionality/);
});

test('dhclient-hook up records the lease options of its environment for the interface; down removes them', () => {
  const root = tempDir('nimbus-dh-');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, 'dhclient-hook', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, new_ip_address: '10.0.0.5', DHCP4_SUBNET_MASK: '255.255.255.0', old_ip_address: '10.0.0.4' },
    });
  assert.equal(run('up', 'eth0').status, 0);
  const file = path.join(root, 'run/cloud-init/dhclient.hooks/eth0.json');
  assert.equal(fs.readFileSync(file, 'utf8'), '{\n "ip_address": "10.0.0.5",\n "subnet_mask": "255.255.255.0"\n}\n');
  assert.equal(run('down', 'eth0').status, 0);
  assert.ok(!fs.existsSync(file));
  assert.equal(run('sideways', 'eth0').status, 2);
  assert.equal(run('up', '../etc').status, 2);
});

test('devel hotplug-hook before any boot: query, handle and enable say there is no datasource (exit 1); a missing --subsystem is a usage error', () => {
  const root = tempDir('nimbus-hp-');
  const q = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'query');
  assert.deepEqual([q.code, q.stdout], [1, 'Unable to determine hotplug state. No datasource detected\n']);
  const h = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'handle', '-d', '/devices/pci0000:00/net/eth1', '-u', 'add');
  assert.equal(h.code, 1);
  assert.match(h.stderr, /no datasource: this machine has not booted with nimbus/);
  const e = cli(root, 'devel', 'hotplug-hook', '-s', 'net', 'enable');
  assert.equal(e.code, 1);
  assert.match(e.stderr, /No datasource detected/);
  const missing = cli(root, 'devel', 'hotplug-hook', 'query');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--subsystem/);
});

test('bad arguments name the argument and exit 2, as argparse does for cloud-init; --help exits 0', () => {
  const root = tempDir('nimbus-usage-');
  const unknown = cli(root, 'status', '--frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--frobnicate'/);
  const choice = cli(root, 'status', '--format', 'xml');
  assert.equal(choice.code, 2);
  assert.match(choice.stderr, /--format <format>' argument 'xml' is invalid/);
  assert.equal(cli(root, 'nosuchcommand').code, 2);
  assert.equal(cli(root, 'status', '--help').code, 0);
});
