// Whole boots of the four stage daemons on temp roots, with the example config drive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, driveWith, exists, instanceDir, makeRoot, noStackTrace, read, recorded, setUserData, stage, statOf } from '../helpers/boot.js';

const IID = '8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10';

/** The recorded runs of instance scripts (other modules record their own commands). */
const scriptRuns = (root: string) => recorded(root).filter((a) => a[0]?.includes('/scripts/') === true);
const networkRuns = (root: string) => recorded(root).filter((a) => ['ifdown', 'ifup', 'ip'].includes(a[0] ?? ''));

test("first boot: the drive's files, the runcmd script and cloud-init-shaped status", () => {
  const root = makeRoot();
  const runs = [stage(root, 'local'), stage(root, 'init')];
  // defer: true waits for the final stage.
  assert.ok(exists(root, 'etc/motd') && !exists(root, 'etc/demo/deferred.txt'));
  runs.push(stage(root, 'config'), stage(root, 'final'));
  runs.forEach((r, i) => assert.equal(r.code, 0, `stage ${i} failed: ${r.stderr}`));

  assert.equal(read(root, 'etc/motd'), 'Welcome to demo-web-1, configured by nimbus.\n');
  assert.equal(read(root, 'etc/demo/from-base64.txt'), 'nimbus demo: written from base64\n');
  assert.equal(read(root, 'etc/demo/from-gzip-base64.txt'), 'nimbus demo: written from gzip+base64\n');
  assert.equal(read(root, 'etc/demo/from-binary.txt'), 'nimbus demo: written from !!binary gzip\n');
  assert.equal(statOf(root, 'etc/demo/from-base64.txt').mode & 0o7777, 0o640);
  assert.equal(statOf(root, 'etc/demo/secret.conf').mode & 0o7777, 0o600);
  assert.equal(statOf(root, 'etc/motd').mode & 0o7777, 0o644);
  assert.equal(read(root, 'etc/demo/deferred.txt'), 'written in the final stage\n');

  const inst = `var/lib/cloud/instances/${IID}`;
  assert.equal(instanceDir(root), `/var/lib/cloud/instances/${IID}`);
  assert.equal(read(root, `${inst}/scripts/runcmd`), `#!/bin/sh\n'sh' '-c' 'echo "hello from runcmd" > /var/tmp/runcmd-ran'\necho "runcmd shell line" >> /var/tmp/runcmd-ran\n`);
  assert.equal(statOf(root, `${inst}/scripts/runcmd`).mode & 0o777, 0o700);
  assert.equal(statOf(root, `${inst}/user-data.txt`).mode & 0o777, 0o600);
  assert.equal(statOf(root, `${inst}/obj.json`).mode & 0o777, 0o600);
  assert.ok(read(root, `${inst}/user-data.txt`).startsWith('#cloud-config\n'));
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), `${IID}\n`);
  assert.equal(read(root, 'var/lib/cloud/data/previous-instance-id'), 'NO_PREVIOUS_INSTANCE_ID\n');
  assert.ok(exists(root, `${inst}/boot-finished`));
  assert.ok(exists(root, `${inst}/sem/config_write_files`));
  assert.ok(exists(root, 'var/lib/cloud/sem/config_scripts_per_once.once'));

  // status.json and result.json: real files in data/, relative links in /run, as cloud-init 22.4 has them.
  assert.equal(fs.readlinkSync(path.join(root, 'run/cloud-init/status.json')), '../../var/lib/cloud/data/status.json');
  const status = JSON.parse(read(root, 'run/cloud-init/status.json')) as { v1: Record<string, unknown> };
  assert.equal(status.v1.stage, null);
  assert.equal(status.v1.datasource, 'DataSourceConfigDrive [net,ver=2][source=/var/lib/cloud/seed/config_drive]');
  for (const s of ['init-local', 'init', 'modules-config', 'modules-final']) {
    const st = status.v1[s] as { start: number; finished: number; errors: string[] };
    assert.equal(typeof st.start, 'number', s);
    assert.ok(st.finished >= st.start, s);
    assert.deepEqual(st.errors, [], s);
  }
  const result = JSON.parse(read(root, 'run/cloud-init/result.json')) as { v1: { datasource: string; errors: string[] } };
  assert.deepEqual(result.v1.errors, []);
  assert.equal(result.v1.datasource, status.v1.datasource);

  // The network: written by init-local before any network manager starts, brought up by
  // init with the old addresses flushed first. The runcmd script is run by scripts_user.
  // Under --exec record all of it is recorded, not run.
  const eni = read(root, 'etc/network/interfaces.d/50-cloud-init');
  assert.match(eni, /^iface eth0 inet static\n(?:.*\n)*?\s+address 192\.0\.2\.10\/24$/m);
  assert.match(eni, /default via 192\.0\.2\.1 dev eth0/);
  assert.deepEqual(networkRuns(root), [
    ['ifdown', '--force', 'eth0'],
    ['ip', 'link', 'set', 'dev', 'eth0', 'down'],
    ['ip', '-4', 'addr', 'flush', 'dev', 'eth0'],
    ['ip', '-6', 'addr', 'flush', 'dev', 'eth0', 'scope', 'global'],
    ['ifup', 'eth0'],
  ]);
  assert.deepEqual(scriptRuns(root), [[`/var/lib/cloud/instances/${IID}/scripts/runcmd`]]);
  assert.deepEqual(recorded(root)[0], ['hostname', 'demo-web-1'], 'the host name is set in the local stage, before the network');
  assert.ok(!exists(root, 'var/tmp/runcmd-ran'));

  const st = cli(root, 'status');
  assert.equal(st.stdout, 'status: done\n');
  assert.equal(st.code, 0);
});

test('instance data: v1 keys, metadata under ds, secrets only in the 0600 file; query answers', () => {
  const root = makeRoot();
  boot(root);
  assert.equal(statOf(root, 'run/cloud-init/instance-data.json').mode & 0o777, 0o644);
  assert.equal(statOf(root, 'run/cloud-init/instance-data-sensitive.json').mode & 0o777, 0o600);
  const pub = JSON.parse(read(root, 'run/cloud-init/instance-data.json')) as Record<string, Record<string, unknown>>;
  assert.equal(pub.v1?.instance_id, IID);
  assert.equal(pub.v1?.local_hostname, 'demo-web-1', 'the short name, as cloud-init gives it');
  assert.equal(pub.v1?.cloud_name, 'openstack');
  assert.equal(pub.v1?.availability_zone, 'nova');
  assert.deepEqual(pub.v1?.public_ssh_keys, ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyForNimbusExampleOnlyNotARealKey0000 demo@example']);
  assert.equal(pub.merged_cfg as unknown, 'redacted for non-root user');
  const sens = JSON.parse(read(root, 'run/cloud-init/instance-data-sensitive.json')) as Record<string, unknown>;
  assert.equal(typeof sens.merged_cfg, 'object');
  // user-data's content never reaches the world-readable copy.
  assert.ok(!read(root, 'run/cloud-init/instance-data.json').includes('demo-not-a-secret'));

  assert.equal(cli(root, 'query', 'v1.instance_id').stdout, `${IID}\n`);
  assert.equal(cli(root, 'query', 'local_hostname').stdout, 'demo-web-1\n');
  assert.equal(cli(root, 'query', '--name', 'ds.meta_data.name').stdout, 'demo-web-1\n');
  assert.ok(cli(root, 'query', '--list-keys').stdout.split('\n').includes('v1'));
  assert.ok(cli(root, 'query', '--list-keys', 'v1').stdout.split('\n').includes('cloud_name'));
  assert.equal((JSON.parse(cli(root, 'query', '--all').stdout) as { v1: { instance_id: string } }).v1.instance_id, IID);
  const missing = cli(root, 'query', 'v1.no_such_key');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /undefined key: v1.no_such_key/);
});

test('second boot skips per-instance modules; a new instance-id runs them again', () => {
  const root = makeRoot();
  boot(root);
  fs.writeFileSync(path.join(root, 'etc/motd'), 'changed by the admin\n');
  const second = boot(root);
  second.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'etc/motd'), 'changed by the admin\n', 'write_files ran again on the same instance');
  assert.equal(networkRuns(root).length, 5, 'the network was brought up again on the same instance');
  assert.equal(scriptRuns(root).length, 1, 'scripts_user ran again on the same instance');
  assert.match(read(root, 'var/log/cloud-init.log'), /finish: init\/config-write_files: SKIP: config-write_files already ran \(once-per-instance\)/);
  assert.equal(read(root, 'var/lib/cloud/data/previous-instance-id'), 'NO_PREVIOUS_INSTANCE_ID\n');

  // The same image booted as another instance.
  const md = path.join(root, 'var/lib/cloud/seed/config_drive/openstack/2018-08-27/meta_data.json');
  fs.writeFileSync(md, fs.readFileSync(md, 'utf8').replace(IID, 'a-new-instance-0002'));
  const third = boot(root);
  third.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'etc/motd'), 'Welcome to demo-web-1, configured by nimbus.\n');
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), 'a-new-instance-0002\n');
  assert.equal(read(root, 'var/lib/cloud/data/previous-instance-id'), `${IID}\n`);
  assert.equal(instanceDir(root), '/var/lib/cloud/instances/a-new-instance-0002');
  assert.equal(networkRuns(root).length, 10, 'a new instance: the network rendered and brought up again');
  assert.equal(scriptRuns(root).length, 2);
  assert.equal(scriptRuns(root)[1]?.[0], '/var/lib/cloud/instances/a-new-instance-0002/scripts/runcmd');
});

test('single re-runs one module; clean resets; single finds the datasource when state is gone', () => {
  const root = makeRoot();
  boot(root);
  fs.writeFileSync(path.join(root, 'etc/motd'), 'changed\n');
  const skipped = cli(root, 'single', '--name', 'write_files');
  assert.equal(skipped.code, 0);
  assert.equal(read(root, 'etc/motd'), 'changed\n');
  const forced = cli(root, 'single', '--name', 'write-files', '--frequency', 'always');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(read(root, 'etc/motd'), 'Welcome to demo-web-1, configured by nimbus.\n');

  const cleaned = cli(root, 'clean', '--logs');
  assert.equal(cleaned.code, 0);
  assert.deepEqual(fs.readdirSync(path.join(root, 'var/lib/cloud')), ['seed']);
  assert.ok(!exists(root, 'var/log/cloud-init.log'));

  // /var/lib/cloud is gone: single finds the drive and handles user-data itself.
  fs.rmSync(path.join(root, 'etc/motd'));
  const single = cli(root, 'single', '--name', 'write_files');
  assert.equal(single.code, 0, single.stderr);
  assert.equal(read(root, 'etc/motd'), 'Welcome to demo-web-1, configured by nimbus.\n');
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), `${IID}\n`);

  const unknown = cli(root, 'single', '--name', 'no_such_module');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no module named no_such_module/);
  assert.ok(noStackTrace(unknown.stderr));
});

test("owners are resolved in the root's own /etc/passwd", () => {
  const drive = driveWith((d) =>
    setUserData(d, '#cloud-config\nwrite_files:\n  - path: /home/demo/owned.txt\n    content: mine\n    owner: demo:demo\n    permissions: "0600"\n  - path: /srv/root-owned\n    content: x\n'),
  );
  const root = makeRoot({ drive });
  boot(root).forEach((r) => assert.equal(r.code, 0, r.stderr));
  const st = statOf(root, 'home/demo/owned.txt');
  assert.equal(st.uid, 1001);
  assert.equal(st.gid, 1002);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(statOf(root, 'srv/root-owned').uid, 0);
});

test('malformed meta_data.json: an error naming the file and line; the boot still finishes', () => {
  const drive = driveWith((d) => {
    for (const v of ['latest', '2018-08-27']) fs.writeFileSync(path.join(d, 'openstack', v, 'meta_data.json'), '{\n  "uuid": "x",\n  "name": "broken"\n  "hostname": "h"\n}\n');
  });
  const root = makeRoot({ drive });
  const runs = boot(root);
  assert.equal(runs[0]?.code, 1);
  assert.match(runs[0]?.stderr ?? '', /\/var\/lib\/cloud\/seed\/config_drive\/openstack\/2018-08-27\/meta_data\.json line 4 col 3: not valid JSON/);
  for (const r of runs) assert.ok(noStackTrace(r.stderr), r.stderr);
  // The boot goes on with the None datasource: the later stages still run their modules.
  assert.equal(runs[3]?.code, 0);
  assert.ok(exists(root, 'var/lib/cloud/instances/iid-datasource-none/boot-finished'));
  const st = cli(root, 'status', '--long');
  assert.equal(st.code, 1);
  assert.match(st.stdout, /^status: error$/m);
  assert.match(st.stdout, /errors:\n\t- datasource ConfigDrive: .*meta_data\.json line 4 col 3/);
});

test('YAML error in user-data: named with its line; the other modules still run', () => {
  const drive = driveWith((d) => setUserData(d, '#cloud-config\nruncmd:\n  - echo one\n  - [echo, "two"\nwrite_files: []\n'));
  const root = makeRoot({ drive });
  const runs = boot(root);
  assert.equal(runs[1]?.code, 1);
  assert.match(runs[1]?.stderr ?? '', new RegExp(`/var/lib/cloud/instances/${IID}/user-data.txt:5:\\d+: .*this cloud-config part was not applied`));
  assert.equal(runs[3]?.code, 0, 'final stage ran');
  assert.ok(exists(root, `var/lib/cloud/instances/${IID}/boot-finished`));
  for (const r of runs) assert.ok(noStackTrace(r.stderr), r.stderr);
  const st = cli(root, 'status', '--long');
  assert.equal(st.code, 1);
  assert.match(st.stdout, /user-data\.txt:5:\d+/);
});

test('unknown write_files encoding: that file is refused with its line, the rest are written', () => {
  const drive = driveWith((d) =>
    setUserData(
      d,
      '#cloud-config\nwrite_files:\n  - path: /etc/good-1\n    content: one\n  - path: /etc/bad\n    encoding: rot13\n    content: uryyb\n  - path: /etc/good-2\n    content: two\nruncmd:\n  - echo still here\n',
    ),
  );
  const root = makeRoot({ drive });
  const runs = boot(root);
  assert.equal(runs[1]?.code, 1);
  assert.match(runs[1]?.stderr ?? '', /user-data.txt line 6 col 5: write_files\[1\]: unknown encoding "rot13"; expected one of b64, base64, gz, gzip/);
  assert.equal(read(root, 'etc/good-1'), 'one');
  assert.equal(read(root, 'etc/good-2'), 'two');
  assert.ok(!exists(root, 'etc/bad'));
  assert.ok(read(root, `var/lib/cloud/instances/${IID}/scripts/runcmd`).includes('echo still here'));
  const st = cli(root, 'status', '--long', '--format', 'json');
  assert.equal(st.code, 1);
  const j = JSON.parse(st.stdout) as { status: string; errors: string[] };
  assert.equal(j.status, 'error');
  assert.equal(j.errors.length, 1);
  assert.match(j.errors[0] ?? '', /^write_files: .*rot13/);
});

test('no datasource at all: the None datasource, and every stage finishes', () => {
  const root = makeRoot({ drive: false });
  const runs = boot(root);
  runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), 'iid-datasource-none\n');
  const st = cli(root, 'status', '--long');
  assert.equal(st.code, 2, 'None is a degraded boot: no instance data was found');
  assert.match(st.stdout, /extended_status: degraded done/);
});

test('a disabled machine does nothing', () => {
  const root = makeRoot();
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud-init.disabled'), '');
  const r = stage(root, 'local');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /disabled by \/etc\/cloud\/cloud-init.disabled/);
  assert.ok(!exists(root, 'var/lib/cloud/instances'));
  const st = cli(root, 'status');
  assert.equal(st.stdout, 'status: disabled\n');
});
