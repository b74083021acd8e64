// A network namespace the test creates and deletes, with 169.254.169.254 on a dummy
// interface (a veth pair where the kernel has no dummy module), and
// linklocal-netns-runner playing a platform's metadata service there. This machine's
// own network is never touched: every `ip` runs with -n NS, and the reader runs inside
// `ip netns exec NS`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootWithDmi } from './helpers.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'linklocal-netns-runner.js');

export interface NetnsRead {
  result?: Record<string, unknown> | null;
  error?: string;
  seen: string[];
  log: string[];
}

let seq = 0;
/** Reads datasource `name` on a machine with `dmi` (and what `prepare` puts in its root), its stand-in answering in `mode` at 169.254.169.254. */
export function readInNamespace(name: string, mode: string, dmi: Record<string, string>, prepare: (root: string) => void = () => {}): NetnsRead {
  const ns = `nimbus-ll${process.pid}-${seq++}`;
  const ip = (...a: string[]) => {
    const x = spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });
    assert.equal(x.status, 0, `ip -n ${ns} ${a.join(' ')}: ${x.stderr}`);
  };
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    ip('link', 'set', 'lo', 'up');
    if (spawnSync('ip', ['-n', ns, 'link', 'add', 'md0', 'type', 'dummy']).status !== 0) {
      ip('link', 'add', 'md0', 'type', 'veth', 'peer', 'name', 'md0p');
      ip('link', 'set', 'md0p', 'up');
    }
    ip('addr', 'add', '169.254.169.254/32', 'dev', 'md0');
    ip('link', 'set', 'md0', 'up');
    const root = rootWithDmi(dmi);
    prepare(root);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, RUNNER, root, name, mode], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as NetnsRead;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
