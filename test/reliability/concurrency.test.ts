// test-lane: full (boots racing each other on one root, many times over)
// Two nimbus processes on the same root at once (a unit started twice, an admin's
// `cloud-init single` during boot): no module runs twice, every file is whole, and both
// processes end cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { DIST } from '../helpers/boot.js';
import { IID, commandRecord, makeCrashRoot, runStage, tree, TEMP_FILE, type Stage, type StageRun } from './crash-harness.js';

function cli(root: string, ...args: string[]): Promise<StageRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, '--exec', 'record', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code, signal) => resolve({ code, signal, ms: performance.now() - t0, stderr }));
  });
}

const PER_INSTANCE = [
  `/var/lib/cloud/instances/${IID}/scripts/runcmd`,
  `/var/lib/cloud/instances/${IID}/scripts/user-script.sh`,
  '/var/lib/cloud/scripts/per-instance/per-instance.sh',
  '/var/lib/cloud/scripts/per-once/per-once.sh',
];

test('two processes of each stage at once, and `single` beside them: every module runs once', { timeout: 600_000 }, async () => {
  let pairs = 0;
  for (let round = 0; round < 3; round++) {
    const root = makeCrashRoot();
    try {
      for (const s of ['local', 'init', 'config', 'final'] as Stage[]) {
        const runs = await Promise.all([runStage(root, s), runStage(root, s), ...(s === 'final' ? [cli(root, 'single', '--name', 'scripts_user'), cli(root, 'modules', '--mode', 'final')] : [])]);
        pairs++;
        for (const r of runs) {
          assert.equal(r.signal, null);
          assert.ok(r.code === 0, `${s}: exit ${r.code}: ${r.stderr}`);
          assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
        }
      }
      const counts = new Map<string, number>();
      for (const rec of commandRecord(root)) counts.set(rec.argv.join(' '), (counts.get(rec.argv.join(' ')) ?? 0) + 1);
      for (const cmd of PER_INSTANCE) assert.equal(counts.get(cmd), 1, `round ${round}: ${cmd} recorded ${counts.get(cmd) ?? 0} times`);
      // write_files ran once: its semaphore was written once (one pid), and no temp file is left.
      const sem = fs.readFileSync(path.join(root, `var/lib/cloud/instances/${IID}/sem/config_write_files`), 'utf8');
      assert.match(sem, /^\d+: [\d.]+\n$/);
      const log = fs.readFileSync(path.join(root, 'var/log/cloud-init.log'), 'utf8');
      for (const mod of ['write_files', 'runcmd', 'scripts_user', 'scripts_per_instance', 'scripts_per_once', 'write_files_deferred']) {
        const ran = log.split('\n').filter((l) => new RegExp(`start: [\\w-]+/config-${mod}: running`).test(l)).length;
        assert.equal(ran, 1, `round ${round}: ${mod} started ${ran} times`);
      }
      for (const [rel, v] of tree(root)) {
        assert.ok(!TEMP_FILE.test(rel), `a temp file is left: ${rel}`);
        if (rel.endsWith('.json') && typeof v !== 'string') assert.doesNotThrow(() => JSON.parse(v.toString('utf8')), rel);
      }
      assert.equal(fs.readFileSync(path.join(root, 'etc/crash/file-3.conf'), 'utf8'), 'file 3 complete\n');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  process.stdout.write(`# concurrency: ${pairs} stages run twice at once\n`);
});
