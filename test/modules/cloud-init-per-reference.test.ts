// test-lane: full (reference chroot)
// cloud-init-per against cloud-init 25.1's own script: the same calls on two temp trees
// (the reference's /var/lib/cloud pointed into its tree; commands are harmless `sh -c`)
// give the same output, exit codes and semaphore files with the same exit-code field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DIST } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { refOf } from '../cli/reference-cli.js';

const REF = refOf('trixie');
const skip = (REF === null && 'reference cloud-init 25.1 not built') || (process.getuid?.() !== 0 && 'cloud-init-per needs root');

/** A tree with an instance directory behind the `instance` link (relative, so it resolves from the host). */
function tree(): string {
  const root = tempDir('nimbus-per-ref-');
  fs.mkdirSync(path.join(root, 'var/lib/cloud/instances/i-1'), { recursive: true });
  fs.symlinkSync('instances/i-1', path.join(root, 'var/lib/cloud/instance'));
  return root;
}

/** Every semaphore file under the tree, with its exit-code field ("3\t<time>" -> "3"). */
function semaphores(root: string): string[] {
  const out: string[] = [];
  for (const dir of ['var/lib/cloud/sem', 'var/lib/cloud/instances/i-1/sem']) {
    const d = path.join(root, dir);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort()) {
      const text = fs.readFileSync(path.join(d, f), 'utf8');
      assert.match(text, /^-?\d+\t\d+\n$/, `${dir}/${f}`);
      out.push(`${dir}/${f}=${text.split('\t')[0]}`);
    }
  }
  return out;
}

const CALLS: string[][] = [
  ['once', 'my-job', 'sh', '-c', 'echo ran; exit 3'],
  ['once', 'my-job', 'sh', '-c', 'echo ran; exit 3'],
  ['always', 'tick', 'sh', '-c', 'echo tick'],
  ['always', 'tick', 'sh', '-c', 'echo tick'],
  ['instance', 'setup', 'sh', '-c', 'echo setup'],
  ['instance', 'setup', 'sh', '-c', 'echo setup'],
  ['once', 'old-job', 'sh', '-c', 'echo not-again'],
  ['weekly', 'x', 'true'],
  ['once', 'a/b', 'true'],
];

test("cloud-init-per gives what cloud-init 25.1's gives: output, exit codes, semaphore names and their exit codes", { skip }, () => {
  const theirs = tree();
  const ours = tree();
  // A semaphore under the old dashed name, taken over by both.
  for (const r of [theirs, ours]) {
    fs.mkdirSync(path.join(r, 'var/lib/cloud/sem'), { recursive: true });
    fs.writeFileSync(path.join(r, 'var/lib/cloud/sem/bootper.old-job.once'), '0\t1\n');
  }
  const script = path.join(theirs, 'cloud-init-per');
  fs.writeFileSync(script, fs.readFileSync(path.join(REF!, 'usr/bin/cloud-init-per'), 'utf8').replaceAll('"/var/lib/cloud/', `"${theirs}/var/lib/cloud/`), { mode: 0o755 });
  for (const call of CALLS) {
    const t = spawnSync('sh', [script, ...call], { encoding: 'utf8' });
    const o = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', ours, '--exec', 'host', 'per', ...call], { encoding: 'utf8' });
    assert.deepEqual([o.status, o.stdout], [t.status, t.stdout], `${call.join(' ')}: ours ${o.stderr}; theirs ${t.stderr}`);
    // The message of a refusal is cloud-init's (its last line).
    if (t.status !== 0 && t.stdout === '' && !call[2]?.startsWith('sh')) assert.equal(o.stderr.trim().split('\n').pop(), t.stderr.trim().split('\n').pop(), call.join(' '));
  }
  assert.deepEqual(semaphores(ours), semaphores(theirs));
});
