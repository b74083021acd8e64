// test-lane: full (boots in a private mount namespace with a read-only log and a full /run)
// The log is an aid, not a precondition: with /var/log/cloud-init.log unwritable (a
// read-only file system) or /run full, every stage still configures the machine, its
// lines still reach the journal (stderr), and the failure is recorded in status.json.
// The unwritable log and the full /run are made in a private mount namespace of the
// stages' own shell (unshare -m): nothing on this machine is mounted or changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DIST, driveWith, makeRoot, read, setUserData } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const USER_DATA = '#cloud-config\nwrite_files:\n  - path: /etc/app.conf\n    content: "configured\\n"\nruncmd:\n  - [touch, /var/tmp/ran]\n';

/** Whether this machine lets root make a private mount namespace and mount a tmpfs in it (a container may not). */
function canMountPrivately(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = tempDir('nimbus-logfail-probe-');
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'mount', '-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe]).status === 0;
}
const skip = canMountPrivately() ? false : 'needs root and a private mount namespace (unshare -m) that can mount a tmpfs';

interface StageOut {
  stage: string;
  code: number;
  stderr: string;
}

/** Runs `setup` (shell, as root in a private mount namespace) and then the four stages in it. */
function bootIn(root: string, setup: string): StageOut[] {
  const stages = ['local', 'init', 'config', 'final'];
  const script = [
    'set -e',
    setup,
    'set +e',
    ...stages.map((s) => `"${process.execPath}" "${path.join(DIST, `nimbus-${s}.js`)}" --root "$ROOT" --exec record 2>"$OUT/${s}.err"; echo $? >"$OUT/${s}.code"`),
  ].join('\n');
  const out = tempDir('nimbus-logfail-out-');
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { env: { ...process.env, ROOT: root, OUT: out }, encoding: 'utf8' });
  assert.equal(r.status, 0, `the namespace's setup failed: ${r.stderr}`);
  return stages.map((s) => ({ stage: s, code: Number(fs.readFileSync(path.join(out, `${s}.code`), 'utf8')), stderr: fs.readFileSync(path.join(out, `${s}.err`), 'utf8') }));
}

function statusOf(root: string): Record<string, { errors: string[]; recoverable_errors: Record<string, string[]> }> {
  return (JSON.parse(read(root, 'var/lib/cloud/data/status.json')) as { v1: Record<string, { errors: string[]; recoverable_errors: Record<string, string[]> }> }).v1;
}

test('with /var/log/cloud-init.log on a read-only file system, every stage configures the machine, logs to the journal and records the log failure in status', { skip, timeout: 120_000 }, () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, USER_DATA)) });
  fs.mkdirSync(path.join(root, 'var/log'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/log/cloud-init.log'), '');
  const runs = bootIn(root, 'mount --bind "$ROOT/var/log/cloud-init.log" "$ROOT/var/log/cloud-init.log"\nmount -o remount,bind,ro "$ROOT/var/log/cloud-init.log"');
  for (const r of runs) {
    assert.equal(r.code, 0, `${r.stage} exited ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /cannot write \/var\/log\/cloud-init\.log \(.*EROFS.*\); logging to the journal \(stderr\) only/, `${r.stage} did not say the log failed`);
    assert.ok(!r.stderr.includes('internal error'), r.stderr);
  }
  // The journal got the stages' lines.
  assert.match(runs[1]?.stderr ?? '', /<6>init: /);
  // The machine is configured.
  assert.equal(read(root, 'etc/app.conf'), 'configured\n');
  assert.match(read(root, 'var/log/nimbus-commands.log'), /runcmd/);
  assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/data/result.json')), 'the boot finished: result.json');
  assert.equal(read(root, 'var/log/cloud-init.log'), '', 'the read-only log stayed as it was');
  // status.json records it for every stage, as a warning (the boot is degraded, not failed).
  const v1 = statusOf(root);
  for (const s of ['init-local', 'init', 'modules-config', 'modules-final']) {
    assert.deepEqual(v1[s]?.errors, [], `${s}: ${JSON.stringify(v1[s])}`);
    assert.ok(
      (v1[s]?.recoverable_errors.WARNING ?? []).some((w) => /cannot write \/var\/log\/cloud-init\.log/.test(w)),
      `${s}: ${JSON.stringify(v1[s])}`,
    );
  }
});

test('with /run full, every stage still configures the machine and says what it could not write in status, never an internal error', { skip, timeout: 120_000 }, () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, USER_DATA)) });
  fs.mkdirSync(path.join(root, 'run'), { recursive: true });
  // A tiny tmpfs on <root>/run, then filled: no block and no inode left.
  const fill = [
    'mount -t tmpfs -o size=16k,nr_inodes=64 tmpfs "$ROOT/run"',
    'dd if=/dev/zero of="$ROOT/run/fill" bs=4k count=64 2>/dev/null || true',
    'i=0; while touch "$ROOT/run/f$i" 2>/dev/null; do i=$((i+1)); done',
  ].join('\n');
  const runs = bootIn(root, fill);
  for (const r of runs) {
    assert.ok(!r.stderr.includes('internal error'), `${r.stage}: ${r.stderr}`);
    assert.equal(r.code, 0, `${r.stage} exited ${r.code}: ${r.stderr}`);
  }
  assert.equal(read(root, 'etc/app.conf'), 'configured\n');
  assert.match(read(root, 'var/log/nimbus-commands.log'), /runcmd/);
  const v1 = statusOf(root);
  const warnings = Object.values(v1).flatMap((s) => (typeof s === 'object' && s !== null ? (s.recoverable_errors?.WARNING ?? []) : []));
  assert.ok(
    warnings.some((w) => /could not be (written|created) \(.*ENOSPC/.test(w)),
    `status says what /run could not take: ${JSON.stringify(warnings)}`,
  );
});
