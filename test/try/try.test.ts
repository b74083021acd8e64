// `nimbus try` end to end: the CLI bundle on the example drive, on a cloud-config with
// mistakes, on an image tree (left byte-for-byte as it was) and on a reboot; and the plan
// against what the stage daemons do to a tree with the same inputs.
//
// test-lane: full (seventeen whole tries of the CLI bundle, about 14 s of CPU; the plan's pure functions are in plan.test.ts)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, DIST, EXAMPLE_DRIVE, makeRoot, recorded } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import type { TryPlan } from '../../packages/core/src/try/plan.js';

function nimbusTry(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), 'try', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function jsonPlan(...args: string[]): { code: number; plan: TryPlan } {
  const r = nimbusTry(...args, '--format', 'json');
  return { code: r.code, plan: JSON.parse(r.stdout) as TryPlan };
}

// Line numbers matter: the test asserts them.
const MIXED = `#cloud-config
packages: [nginx, curl]
write_files:
  - path: /etc/motd
    content: hello from try
    permissions: '0640'
  - path: /etc/bad
    content: x
    encoding: rot13
users:
  - default
  - name: alice
    hashed_passwd: $6$saltsalt$0123456789abcdef
    ssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample alice@laptop]
runcmd:
  - [touch, /var/tmp/ran]
  - echo done
pakages: [vim]
`;

function userData(text: string): string {
  const f = path.join(tempDir('nimbus-try-ud-'), 'user-data.yaml');
  fs.writeFileSync(f, text);
  return f;
}

test('try on the example config drive shows its files, network and commands, and exits 0 (done)', () => {
  const r = nimbusTry(EXAMPLE_DRIVE);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /created 0644 root:root +\/etc\/motd/);
  assert.match(r.stdout, /^ +\+Welcome to demo-web-1, configured by nimbus\.$/m);
  assert.match(r.stdout, /^ +-localhost\n +\+demo-web-1$/m);
  assert.match(r.stdout, /eth0 \[52:54:00:12:34:56\]: 192\.0\.2\.10\/24 via 192\.0\.2\.1/);
  assert.match(r.stdout, /init-local +hostname demo-web-1/);
  // The drive writes a token into /etc/demo/secret.conf: masked by default.
  assert.match(r.stdout, /^ +\+token = <masked>$/m);
  assert.match(r.stdout, /status: done \(exit 0\)\n$/);
});

test('a cloud-config with a typo and a bad value: exit 1, the plan names file:line:col, and the rest still runs', () => {
  const ud = userData(MIXED);
  const r = nimbusTry(ud);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(`${ud}:9:5: write_files[1]: unknown encoding "rot13"`), r.stdout);
  assert.ok(r.stdout.includes(`${ud}:18:1: warning: pakages: unknown cloud-config key; did you mean packages?`), r.stdout);
  assert.match(r.stdout, /write_files +FAILED/);
  assert.match(r.stdout, /created 0640 root:root +\/etc\/motd/);
  assert.match(r.stdout, /users added: debian, alice/);
  assert.match(r.stdout, /ssh keys in \/home\/alice\/\.ssh\/authorized_keys: ssh-ed25519 alice@laptop/);
  assert.match(r.stdout, /packages that would be installed: nginx curl/);
  assert.match(r.stdout, /^ +\| 'touch' '\/var\/tmp\/ran'$/m);
  assert.match(r.stdout, /status: error \(exit 1\)\n$/);
  assert.ok(!r.stdout.includes('0123456789abcdef'), 'the password hash is masked');
});

test('--format json gives the same plan as data: files with modes and diffs, commands with argv, located messages', () => {
  const ud = userData(MIXED);
  const { code, plan } = jsonPlan(ud);
  assert.equal(code, 1);
  assert.equal(plan.exitCode, 1);
  assert.equal(plan.status, 'error');
  const b = plan.boots[0]!;
  const motd = b.files.find((f) => f.path === '/etc/motd');
  assert.deepEqual({ change: motd?.change, mode: motd?.mode }, { change: 'created', mode: '0640' });
  assert.match(motd?.diff ?? '', /^\+hello from try$/m);
  assert.ok(b.files.every((f) => f.path !== '/etc/bad'));
  assert.deepEqual(b.packages, ['nginx', 'curl']);
  assert.ok(b.commands.some((c) => c.argv.join(' ') === 'useradd alice -m'));
  const run = b.commands.find((c) => c.argv[0]?.endsWith('/scripts/runcmd'));
  assert.equal(run?.stage, 'modules-final');
  const bad = b.messages.find((m) => m.level === 'error' && m.text.includes('rot13'));
  assert.deepEqual(bad?.at, { file: ud, line: 9, col: 5 });
  const typo = b.messages.find((m) => m.text.includes('pakages'));
  assert.deepEqual(typo?.at, { file: ud, line: 18, col: 1 });
  assert.equal(b.stages.find((s) => s.name === 'init')?.modules.find((m) => m.name === 'write_files')?.outcome, 'failed');
});

test('--show-secrets shows the password hash that is masked by default', () => {
  const ud = userData('#cloud-config\nwrite_files:\n  - path: /etc/app.conf\n    content: "password: hunter2\\n"\n');
  assert.ok(!nimbusTry(ud).stdout.includes('hunter2'));
  const shown = nimbusTry(ud, '--show-secrets');
  assert.match(shown.stdout, /^ +\+password: hunter2$/m);
  assert.match(shown.stdout, /secrets SHOWN/);
});

test('a clean cloud-config on ubuntu and rhel renders with their network stacks and package managers, a network-config with its addresses', () => {
  const ud = userData('#cloud-config\npackages: [htop]\n');
  const u = jsonPlan(ud, '--distro', 'ubuntu');
  assert.equal(u.code, 0, JSON.stringify(u.plan.boots[0]?.messages));
  assert.equal(u.plan.boots[0]?.network?.renderer, 'netplan');
  assert.ok(u.plan.boots[0]?.commands.some((c) => c.argv[0] === 'apt-get' && c.argv.includes('htop')));
  const net = userData('version: 2\nethernets:\n  eth0:\n    addresses: [10.0.0.5/24]\n    gateway4: 10.0.0.1\n');
  const n = jsonPlan(ud, '--distro', 'ubuntu', '--network-config', net).plan.boots[0]?.network;
  assert.deepEqual(n?.interfaces, [{ name: 'eth0', addresses: ['10.0.0.5/24'], gateways: ['10.0.0.1'] }]);
  assert.equal(n?.source, net);
  assert.deepEqual(n?.files, ['/etc/netplan/50-cloud-init.yaml']);
  const r = jsonPlan(ud, '--distro', 'rhel');
  assert.equal(r.plan.boots[0]?.network?.renderer, 'network-manager');
  assert.ok(r.plan.boots[0]?.commands.some((c) => c.argv[0] === 'dnf' && c.argv.includes('htop')));
});

function hashTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      h.update(`${path.relative(dir, p)}\0${st.mode}\0${st.uid}:${st.gid}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(fs.readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

test('--image boots a copy: the image tree is byte-for-byte unchanged, and diffs are against its files', () => {
  const image = makeRoot({ drive: false });
  fs.writeFileSync(path.join(image, 'etc/hostname'), 'golden-image\n');
  // The image is made for another cloud: try's seed is still what its boot finds.
  fs.mkdirSync(path.join(image, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(image, 'etc/cloud/cloud.cfg.d/90-cloud.cfg'), 'datasource_list: [Ec2]\n');
  const before = hashTree(image);
  const meta = userData('instance-id: iid-image-1\nlocal-hostname: web-7\n');
  const { code, plan } = jsonPlan(userData('#cloud-config\nruncmd: [[true]]\n'), '--image', image, '--meta-data', meta);
  assert.equal(code, 0, JSON.stringify(plan.boots[0]?.messages));
  assert.equal(hashTree(image), before);
  const hostname = plan.boots[0]?.files.find((f) => f.path === '/etc/hostname');
  assert.equal(hostname?.change, 'changed');
  assert.match(hostname?.diff ?? '', /^-golden-image\n\+web-7$/m);
});

test('--second-boot: a reboot of the same instance runs no per-instance module again and rewrites no file', () => {
  const { code, plan } = jsonPlan(userData(MIXED), '--second-boot');
  assert.equal(code, 1);
  assert.equal(plan.boots.length, 2);
  const second = plan.boots[1]!;
  assert.equal(second.title, 'a reboot of the same instance');
  const wf = second.stages.find((s) => s.name === 'init')?.modules.find((m) => m.name === 'write_files');
  assert.deepEqual(wf, { name: 'write_files', outcome: 'skipped', reason: 'already ran (once-per-instance)' });
  assert.deepEqual(second.users, []);
  assert.deepEqual(second.packages, []);
  assert.ok(!second.files.some((f) => f.path === '/etc/motd'));
});

test('a missing user-data file, an unknown distro or a --root is a one-line error and exit 1', () => {
  const r = nimbusTry('/nonexistent/user-data');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^nimbus try: user-data \/nonexistent\/user-data: no such file\n$/);
  const root = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', '/tmp', 'try', userData('#cloud-config\n')], { encoding: 'utf8' });
  assert.equal(root.status, 1);
  assert.match(root.stderr, /--root \/tmp: not supported with try/);
  const d = nimbusTry(userData('#cloud-config\n'), '--distro', 'plan9');
  assert.notEqual(d.code, 0);
  assert.match(d.stderr, /plan9/);
});

test('the plan agrees with the stage daemons: the same files and commands on a tree with the same seed', () => {
  const ud = userData(MIXED);
  const image = makeRoot({ drive: false });
  const { plan } = jsonPlan(ud, '--image', image);
  // The daemons' boot: a copy of the image with the NoCloud seed try makes.
  const root = tempDir('nimbus-try-daemons-');
  fs.cpSync(image, root, { recursive: true, verbatimSymlinks: true });
  const seed = path.join(root, 'var/lib/cloud/seed/nocloud');
  fs.mkdirSync(seed, { recursive: true });
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-nimbus-try\n');
  fs.writeFileSync(path.join(seed, 'user-data'), MIXED);
  boot(root);
  const planned = plan.boots[0]!.commands.map((c) => c.argv.join(' '));
  assert.deepEqual(
    planned,
    recorded(root).map((a) => a.join(' ')),
  );
  for (const f of plan.boots[0]!.files.filter((x) => x.kind === 'file' && x.change !== 'removed'))
    assert.ok(fs.existsSync(path.join(root, f.path)), `${f.path} planned but not written by the daemons`);
});

test('a NoCloud seed directory is tried as it is, and its user-data is named in the messages', () => {
  const seed = tempDir('nimbus-try-seed-');
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-seed-1\nlocal-hostname: seeded\n');
  fs.writeFileSync(path.join(seed, 'user-data'), '#cloud-config\nruncmd: [[true]]\nrun_cmd: [[false]]\n');
  const { code, plan } = jsonPlan(seed);
  assert.equal(code, 2, JSON.stringify(plan.boots[0]?.messages));
  assert.equal(plan.status, 'degraded');
  const typo = plan.boots[0]?.messages.find((m) => m.text.includes('run_cmd'));
  assert.deepEqual(typo?.at, { file: `${seed}/user-data`, line: 3, col: 1 });
  assert.ok(plan.boots[0]?.commands.some((c) => c.argv[0] === 'hostname' && c.argv[1] === 'seeded'));
});

test('run by a user who is not root, try plans the owners write_files asks for instead of failing on chown', {
  skip: process.geteuid?.() !== 0 || spawnSync('runuser', ['--version']).status !== 0 ? 'needs root to run as nobody' : false,
}, () => {
  const dir = tempDir('nimbus-try-nobody-');
  fs.chmodSync(dir, 0o755);
  const ud = path.join(dir, 'ud.yaml');
  fs.writeFileSync(ud, "#cloud-config\nwrite_files:\n  - path: /etc/app.conf\n    content: x\n    owner: www-data:www-data\n    permissions: '0640'\n");
  fs.chmodSync(ud, 0o644);
  const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, path.join(DIST, 'nimbus.js'), 'try', ud, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const plan = JSON.parse(r.stdout) as TryPlan;
  const f = plan.boots[0]?.files.find((x) => x.path === '/etc/app.conf');
  assert.deepEqual({ mode: f?.mode, owner: f?.owner }, { mode: '0640', owner: 'www-data:www-data' });
  assert.equal(plan.boots[0]?.files.find((x) => x.path === '/etc/default/locale')?.owner, 'root:root');
});
