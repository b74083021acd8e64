// Whether this machine lets a test make network namespaces of its own (root, iproute2,
// a kernel that allows it), probed once by making and deleting one.
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
