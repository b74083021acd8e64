// Whether this machine lets a test make network namespaces of its own (root, iproute2,
// a kernel that allows it), probed once by making and deleting one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ensureCommand } from './apt.js';

/** Why namespaces cannot be used here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!ensureCommand('ip', 'iproute2')) return 'iproute2 could not be installed';
  const probe = `nimbus-probe-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace here: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

let seq = 0;

/**
 * Runs `node RUNNER ...args` inside a network namespace made for it, where `addresses`
 * (a platform's real ones: 169.254.169.254, 168.63.129.16) sit on one interface — a dummy
 * where the kernel has the module, else a veth pair with both ends inside — and returns
 * what it printed, as JSON. The namespace is deleted afterwards; this machine's own
 * network is never touched (every `ip` runs with -n NS).
 */
export function runInMetadataNamespace<T>(addresses: readonly string[], runner: string, args: readonly string[]): T {
  const ns = `nimbus-md${process.pid}-${seq++}`;
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
    for (const a of addresses) ip('addr', 'add', `${a}/32`, 'dev', 'md0');
    ip('link', 'set', 'md0', 'up');
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, runner, ...args], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
