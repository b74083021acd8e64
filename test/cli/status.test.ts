// `status --wait` as image pipelines use it (Packer, Terraform): it returns once the
// final stage is done, also when an earlier stage failed, with cloud-init's exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, DIST, makeRoot } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

type V1 = Record<string, { start: number | null; finished: number | null; errors: string[]; recoverable_errors: Record<string, string[]> }> & { stage?: string | null };

const booted = (() => {
  let root: string | null = null;
  return () => {
    if (root === null) {
      root = makeRoot();
      boot(root);
    }
    const copy = tempDir('nimbus-wait-');
    fs.cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    return copy;
  };
})();

const statusFile = (root: string) => path.join(root, 'var/lib/cloud/data/status.json');
const readV1 = (root: string) => (JSON.parse(fs.readFileSync(statusFile(root), 'utf8')) as { v1: V1 }).v1;
const writeV1 = (root: string, v1: V1) => fs.writeFileSync(statusFile(root), JSON.stringify({ v1 }));

/** Runs `status --wait` while the final stage is still running, then lets final finish with `finish` applied. */
async function waitThrough(finish: (v1: V1) => void, during: (v1: V1) => void = () => {}, args: string[] = []): Promise<{ code: number; stdout: string }> {
  const root = booted();
  const done = readV1(root);
  const result = fs.readFileSync(path.join(root, 'var/lib/cloud/data/result.json'));
  const running = structuredClone(done);
  running.stage = 'modules-final';
  running['modules-final']!.finished = null;
  during(running);
  writeV1(root, running);
  fs.rmSync(path.join(root, 'run/cloud-init/result.json'));
  fs.rmSync(path.join(root, 'var/lib/cloud/data/result.json'));
  const child = spawn(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, 'status', '--wait', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let finished = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // It has seen the running stage: now final finishes, result.json last as the stage writes it.
    if (!finished && stdout.includes('waiting: modules-final is running')) {
      finished = true;
      const after = structuredClone(done);
      during(after);
      finish(after);
      writeV1(root, after);
      fs.writeFileSync(path.join(root, 'var/lib/cloud/data/result.json'), result);
      fs.symlinkSync('../../var/lib/cloud/data/result.json', path.join(root, 'run/cloud-init/result.json'));
    }
  });
  return { code: await exited, stdout };
}

test('status --wait waits for the final stage, then says done and exits 0', async () => {
  const r = await waitThrough(() => {});
  assert.equal(r.code, 0);
  assert.match(r.stdout, /waiting: modules-final is running .*\nstatus: done\n$/s);
});

test('status --wait goes on waiting after an earlier stage failed, then exits 1 with status error', async () => {
  const r = await waitThrough(
    () => {},
    (v1) => {
      v1.init!.errors = ['datasource broke'];
    },
    ['--long'],
  );
  assert.equal(r.code, 1);
  assert.match(r.stdout, /status: error\nextended_status: error - done\n/);
  assert.match(r.stdout, /errors:\n\t- datasource broke\n/);
});

test('status --wait exits 2 for a degraded boot: done with recoverable errors only', async () => {
  const r = await waitThrough(
    (v1) => {
      v1['modules-final']!.recoverable_errors = { WARNING: ['a module warned'] };
    },
    undefined,
    ['--long'],
  );
  assert.equal(r.code, 2);
  assert.match(r.stdout, /status: done\nextended_status: degraded done\n/);
  assert.match(r.stdout, /recoverable_errors:\nWARNING:\n\t- a module warned\n/);
});

test('status --wait on a machine where nimbus has not started yet waits for the boot, and status alone says "not started" and exits 0', async () => {
  const root = makeRoot();
  const { spawnSync } = await import('node:child_process');
  const now = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, 'status', '--long'], { encoding: 'utf8' });
  assert.equal(now.status, 0);
  assert.match(now.stdout, /^status: not started\nextended_status: not started\nboot_status_code: enabled-by-sysvinit\n/);
  const child = spawn(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, 'status', '--wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  let booting = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!booting) {
      // Its first dot says it is waiting on a machine that has not booted: boot it.
      booting = true;
      boot(root);
    }
  });
  assert.equal(await exited, 0);
  assert.match(stdout, /^\..*status: done\n$/s);
});
