// test/vm/try-plan.mjs, the comparator between `nimbus try --format json` and a VM
// boot's extracted files, on made-up plans and boot directories: agreement, each kind of
// difference, paths it cannot check, and the command line's exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const SCRIPT = path.join(REPO, 'test/vm/try-plan.mjs');
const IID = 'iid-plan-1';
const RUNCMD = `/var/lib/cloud/instances/${IID}/scripts/runcmd`;

interface PlanFile {
  path: string;
  change: 'created' | 'changed' | 'removed';
  kind: 'file' | 'dir' | 'symlink';
  mode: string;
  diff?: string;
}
interface VmFile {
  kind: 'file' | 'dir' | 'symlink';
  mode: string;
  content?: string;
}
interface Result {
  differences: { what: string; path?: string; index?: number; plan: unknown; vm: unknown }[];
  notChecked: string[];
  same: number;
}
interface TryPlan {
  comparePlan(planBoot: unknown, vm: { files: Map<string, VmFile>; commands: string[][] | null }): Result;
  diffNewText(diff: string): string | null;
}
const mod = (await import(SCRIPT)) as TryPlan;

const created = (p: string, text: string, mode = '0644'): PlanFile => ({
  path: p,
  change: 'created',
  kind: 'file',
  mode,
  diff: `--- /dev/null\n+++ boot${p}\n@@ -0,0 +1,${text.split('\n').length - 1} @@\n${text
    .split('\n')
    .slice(0, -1)
    .map((l) => `+${l}`)
    .join('\n')}\n`,
});

function planBoot() {
  return {
    files: [
      { path: '/etc/cloud/app', change: 'created', kind: 'dir', mode: '0755' },
      created('/etc/cloud/app/app.conf', 'port = 8080\n\nname = demo\n'),
      created('/etc/sudoers.d/90-cloud-init-users', 'debian ALL=(ALL) NOPASSWD:ALL\n', '0440'),
      { path: '/etc/hostname', change: 'changed', kind: 'file', mode: '0644', diff: '--- image/etc/hostname\n+++ boot/etc/hostname\n@@ -1 +1 @@\n-localhost\n+plan-host\n' },
      created('/opt/app/run.sh', '#!/bin/sh\n', '0755'),
    ] as PlanFile[],
    commands: [
      { stage: 'init-local', argv: ['hostname', 'plan-host'] },
      { stage: 'init', argv: ['useradd', 'debian', '-m'] },
      { stage: 'modules-final', argv: [RUNCMD], script: "#!/bin/sh\n'touch' '/var/tmp/x'\n" },
    ],
  };
}

function vmFiles(): Map<string, VmFile> {
  return new Map<string, VmFile>([
    ['/etc/cloud', { kind: 'dir', mode: '0755' }],
    ['/etc/cloud/app', { kind: 'dir', mode: '0755' }],
    ['/etc/cloud/app/app.conf', { kind: 'file', mode: '0644', content: 'port = 8080\n\nname = demo\n' }],
    ['/etc/sudoers.d/90-cloud-init-users', { kind: 'file', mode: '0440', content: 'debian ALL=(ALL) NOPASSWD:ALL\n' }],
    ['/etc/hostname', { kind: 'file', mode: '0644', content: 'plan-host\n' }],
    [RUNCMD, { kind: 'file', mode: '0700', content: "#!/bin/sh\n'touch' '/var/tmp/x'\n" }],
  ]);
}

test('a boot that wrote what the plan says agrees with it; paths the VM test does not extract are listed, not counted', () => {
  const r = mod.comparePlan(planBoot(), { files: vmFiles(), commands: null });
  assert.deepEqual(r.differences, []);
  assert.equal(r.same, 5);
  assert.deepEqual(r.notChecked, ['/opt/app/run.sh: created file 0755 (outside the extracted directories)', '2 command(s) other than scripts: the boot directory has no commands.jsonl']);
  const withLog = mod.comparePlan(planBoot(), {
    files: vmFiles(),
    commands: [['hostname', 'plan-host'], ['useradd', 'debian', '-m'], [RUNCMD]],
  });
  assert.deepEqual(withLog.differences, []);
});

test('a missing file, another mode, other content, an unplanned file and a different script are each a difference', () => {
  const files = vmFiles();
  files.delete('/etc/sudoers.d/90-cloud-init-users');
  files.set('/etc/cloud/app/app.conf', { kind: 'file', mode: '0600', content: 'port = 8080\n\nname = demo\n' });
  files.set('/etc/cloud/app/extra.conf', { kind: 'file', mode: '0644', content: '' });
  files.set(RUNCMD, { kind: 'file', mode: '0700', content: '#!/bin/sh\n' });
  files.set(`/var/lib/cloud/instances/${IID}/scripts/part-001`, { kind: 'file', mode: '0700', content: '#!/bin/sh\n' });
  const r = mod.comparePlan(planBoot(), {
    files,
    commands: [
      ['hostname', 'plan-host'],
      ['useradd', 'debian'],
    ],
  });
  assert.deepEqual(
    r.differences.map((d) => [d.what, d.path ?? d.index, d.plan, d.vm]),
    [
      ['mode', '/etc/cloud/app/app.conf', '0644', '0600'],
      ['file', '/etc/sudoers.d/90-cloud-init-users', 'created file 0440', 'missing'],
      ['file', '/etc/cloud/app/extra.conf', 'not in the plan', 'file 0644'],
      ['script', RUNCMD, "#!/bin/sh\n'touch' '/var/tmp/x'\n", '#!/bin/sh\n'],
      ['script', `/var/lib/cloud/instances/${IID}/scripts/part-001`, 'not in the plan', 'present'],
      ['command', 2, ['useradd', 'debian', '-m'], ['useradd', 'debian']],
    ],
  );
  // Content is compared when the plan shows all of it (a created file).
  const other = vmFiles();
  other.set('/etc/cloud/app/app.conf', { kind: 'file', mode: '0644', content: 'port = 9090\n' });
  assert.deepEqual(
    mod.comparePlan(planBoot(), { files: other, commands: null }).differences.map((d) => [d.what, d.path]),
    [['content', '/etc/cloud/app/app.conf']],
  );
});

test('the new side of a unified diff is the file’s content; a diff without hunks shows none', () => {
  assert.equal(mod.diffNewText('--- /dev/null\n+++ boot/x\n@@ -0,0 +1,2 @@\n+a\n+\n'), 'a\n\n');
  assert.equal(mod.diffNewText('--- /dev/null\n+++ boot/x\n@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n'), 'a');
  assert.equal(mod.diffNewText('(secret: not shown)'), null);
});

test('the command line reads a plan and a boot directory; exit 0 when they agree, 1 on a difference, 2 on bad input', () => {
  const dir = tempDir('nimbus-try-plan-');
  const fsRoot = path.join(dir, 'boot-1', 'fs');
  for (const [p, f] of vmFiles()) {
    const full = path.join(fsRoot, p);
    if (f.kind === 'dir') fs.mkdirSync(full, { recursive: true, mode: Number.parseInt(f.mode, 8) });
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, f.content ?? '');
    }
    fs.chmodSync(full, Number.parseInt(f.mode, 8));
  }
  const planFile = path.join(dir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify({ status: 'done', boots: [planBoot()] }));
  const run = (...a: string[]) => spawnSync(process.execPath, [SCRIPT, ...a], { encoding: 'utf8' });
  const ok = run('--plan', planFile, '--dir', dir, '--boot', '1');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /the boot agrees with the plan \(5 paths compared\)/);
  fs.chmodSync(path.join(fsRoot, 'etc/hostname'), 0o600);
  const bad = run('--plan', planFile, '--dir', dir, '--boot', '1');
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /differs \[mode\] \/etc\/hostname: plan 0644; vm 0600/);
  const json = JSON.parse(run('--plan', planFile, '--dir', dir, '--format', 'json').stdout) as Result;
  assert.equal(json.differences.length, 1);
  assert.equal(run('--plan', planFile, '--dir', dir, '--boot', '2').status, 2);
  assert.equal(run('--plan', path.join(dir, 'none.json'), '--dir', dir).status, 2);
});
