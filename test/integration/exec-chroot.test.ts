// --exec chroot: the user's scripts really run, inside the root. The root is a minimal
// tree holding /bin/sh and the libraries it needs (from ldd), so nothing runs on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, driveWith, makeRoot, read, setUserData, stage } from '../helpers/boot.js';

/** The minimal tree holds only a shell: its cloud.cfg lists just the modules under test. */
function scriptsOnlyConfig(root: string): void {
  fs.mkdirSync(path.join(root, 'etc/cloud'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'etc/cloud/cloud.cfg'),
    'datasource_list: [ConfigDrive, None]\nnetwork: {config: disabled}\ncloud_init_modules: [write_files]\ncloud_config_modules: [runcmd]\ncloud_final_modules: [scripts_user, final_message]\n',
  );
}

function addBinary(root: string, bin: string): void {
  const real = fs.realpathSync(bin);
  const libs = spawnSync('ldd', [real], { encoding: 'utf8' }).stdout.match(/\/\S+\.so[^\s]*/g) ?? [];
  for (const f of [real, ...libs]) {
    const dest = path.join(root, f);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(f, dest);
    fs.chmodSync(dest, 0o755);
  }
  if (real !== bin) {
    fs.mkdirSync(path.dirname(path.join(root, bin)), { recursive: true });
    fs.symlinkSync(real, path.join(root, bin));
  }
}

test('--exec chroot runs runcmd and scripts inside the root, never on the host', { skip: process.getuid?.() !== 0 && 'chroot needs root' }, () => {
  const marker = `/var/tmp/nimbus-chroot-${process.pid}`;
  const drive = driveWith((d) => setUserData(d, `#cloud-config\nruncmd:\n  - echo "ran in the root" > ${marker}\n  - [sh, -c, 'echo "$INSTANCE_ID" >> ${marker}']\n`));
  const root = makeRoot({ drive });
  addBinary(root, '/bin/sh');
  scriptsOnlyConfig(root);
  fs.mkdirSync(path.join(root, 'var/tmp'), { recursive: true });
  for (const s of ['local', 'init', 'config', 'final'] as const) {
    const r = stage(root, s, '--exec', 'chroot');
    assert.equal(r.code, 0, `${s}: ${r.stderr}`);
  }
  assert.equal(read(root, marker.slice(1)), 'ran in the root\n8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10\n');
  assert.ok(!fs.existsSync(marker), 'the script ran on the host');
  assert.ok(!fs.existsSync(path.join(root, 'var/log/nimbus-commands.log')), 'chroot mode runs commands; it records nothing');
  assert.equal(cli(root, 'status').stdout, 'status: done\n');
});

test('a failing script is an error naming it; its output goes to cloud-init-output.log', { skip: process.getuid?.() !== 0 && 'chroot needs root' }, () => {
  const drive = driveWith((d) => setUserData(d, '#!/bin/sh\necho "about to fail"\nexit 3\n'));
  const root = makeRoot({ drive });
  addBinary(root, '/bin/sh');
  scriptsOnlyConfig(root);
  const codes = (['local', 'init', 'config', 'final'] as const).map((s) => stage(root, s, '--exec', 'chroot'));
  assert.equal(codes[3]?.code, 1);
  assert.match(codes[3]?.stderr ?? '', /scripts_user: 1 of 1 script\(s\) in \/var\/lib\/cloud\/instances\/[^/]+\/scripts failed: part-001 \(exit 3\)/);
  assert.match(read(root, 'var/log/cloud-init-output.log'), /about to fail/);
  assert.equal(cli(root, 'status').code, 1);
});
