// `nimbus devel net-convert` as a user runs it (the CLI's program): cloud-init's flags,
// output under -d, errors naming the file and line with exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RENDERERS } from '../../packages/core/src/index.js';
import { CORPUS, GOLDEN } from './corpus.js';
import { tempRoot } from './helpers.js';
import { command } from '../helpers/boot.js';

/** The CLI's program as dist/nimbus.js runs it, in the test process's boot worker (test/helpers/boot.ts). */
function nimbus(...args: string[]) {
  const r = command(...args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

test('net-convert writes what the golden files hold, with their modes', () => {
  const out = tempRoot();
  const r = nimbus(
    'devel',
    'net-convert',
    '-p',
    path.join(CORPUS, 'nd-static.json'),
    '-k',
    'network_data.json',
    '-D',
    'ubuntu',
    '-O',
    'netplan',
    '-d',
    out,
    '-m',
    'eth0,fa:16:3e:11:22:33',
    '-m',
    'eth1,FA:16:3E:44:55:66',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Read input format 'network_data.json'/);
  const p = 'etc/netplan/50-cloud-init.yaml';
  assert.equal(fs.readFileSync(path.join(out, p), 'utf8'), fs.readFileSync(path.join(GOLDEN, 'nd-static.json/netplan', p), 'utf8'));
  assert.equal(fs.statSync(path.join(out, p)).mode & 0o777, 0o600);
  fs.rmSync(out, { recursive: true });
});

test('net-convert: a bad input names file, line and field and exits 1; bad flags exit non-zero', () => {
  const dir = tempRoot();
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: [10.0.0.1]\n');
  const r = nimbus('devel', 'net-convert', '-p', bad, '-k', 'yaml', '-D', 'centos', '-O', 'sysconfig', '-d', path.join(dir, 'out'));
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `nimbus devel net-convert: ${bad}:5:19: network.ethernets.eth0.addresses[0]: expected an address with /prefix, got "10.0.0.1"`);
  assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'nothing is written for a bad input');
  const m = nimbus('devel', 'net-convert', '-p', bad, '-k', 'yaml', '-D', 'centos', '-O', 'sysconfig', '-d', dir, '-m', 'eth0');
  assert.equal(m.status, 1);
  assert.match(m.stderr, /-m eth0: expected NAME,MAC/);
  const k = nimbus('devel', 'net-convert', '-p', bad, '-k', 'xml', '-D', 'centos', '-O', 'sysconfig', '-d', dir);
  assert.notEqual(k.status, 0);
  assert.match(k.stderr, /argument 'xml' is invalid/);
  fs.rmSync(dir, { recursive: true });
});

test('net-convert -O offers every registered renderer and writes its files', () => {
  const help = nimbus('devel', 'net-convert', '--help');
  const choices = /--output-kind <kind>[\s\S]*?\(choices: ([^)]*)\)/.exec(help.stdout)?.[1] ?? '';
  assert.deepEqual(
    choices.split(',').map((c) => c.trim().replace(/^"|"$/g, '')),
    RENDERERS.map((r) => r.name),
  );
  for (const r of RENDERERS) {
    const out = tempRoot();
    const res = nimbus('devel', 'net-convert', '-p', path.join(CORPUS, 'v1-basic.yaml'), '-k', 'yaml', '-D', 'debian', '-O', r.name, '-d', out);
    assert.equal(res.status, 0, res.stderr);
    assert.ok(
      r.owned.some((o) => fs.existsSync(path.join(out, o.dir))),
      `${r.name}: nothing written under its own directories`,
    );
    fs.rmSync(out, { recursive: true });
  }
});

test('net-convert prints the keys it reads but does not carry over, and still writes the rest', () => {
  const dir = tempRoot();
  const input = path.join(dir, 'in.yaml');
  fs.writeFileSync(input, 'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n      optional: true\n      dhcp4-overrides: {use-foo: true, route-metric: 50}\n');
  const r = nimbus('devel', 'net-convert', '-p', input, '-k', 'yaml', '-D', 'debian', '-O', 'networkd', '-d', path.join(dir, 'out'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^warning: .*in\.yaml: network\.ethernets\.eth0\.optional: not supported, ignored$/m);
  assert.match(r.stderr, /^warning: .*in\.yaml: network\.ethernets\.eth0\.dhcp4-overrides\.use-foo: not supported, ignored$/m);
  assert.match(fs.readFileSync(path.join(dir, 'out/etc/systemd/network/10-cloud-init-eth0.network'), 'utf8'), /^RouteMetric=50$/m);
  fs.rmSync(dir, { recursive: true });
});

test('net-convert prints a global route it could not place on any interface, and still writes the rest', () => {
  const dir = tempRoot();
  const input = path.join(dir, 'in.yaml');
  fs.writeFileSync(
    input,
    'version: 1\nconfig:\n  - {type: physical, name: eth0, subnets: [{type: static, address: 192.168.1.5/24}]}\n  - {type: route, destination: 10.0.0.0/8, gateway: 11.0.0.1, metric: 3}\n',
  );
  for (const renderer of RENDERERS.map((x) => x.name)) {
    const r = nimbus('devel', 'net-convert', '-p', input, '-k', 'yaml', '-D', 'debian', '-O', renderer, '-d', path.join(dir, renderer));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^warning: route to 10\.0\.0\.0\/8 via 11\.0\.0\.1 not written: no interface has an address in the gateway's subnet$/m, renderer);
    assert.ok(fs.readdirSync(path.join(dir, renderer)).length > 0, `${renderer} wrote nothing`);
  }
  fs.rmSync(dir, { recursive: true });
});
