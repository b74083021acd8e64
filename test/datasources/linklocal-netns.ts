// A network namespace the test creates and deletes, with 169.254.169.254 on a dummy
// interface (a veth pair where the kernel has no dummy module), and
// linklocal-netns-runner playing a platform's metadata service there. This machine's
// own network is never touched: every `ip` runs with -n NS, and the reader runs inside
// `ip netns exec NS`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootWithDmi } from './helpers.js';
import { runInMetadataNamespace } from '../helpers/netns.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'linklocal-netns-runner.js');

export interface NetnsRead {
  result?: Record<string, unknown> | null;
  error?: string;
  seen: string[];
  log: string[];
}

/** Reads datasource `name` on a machine with `dmi` (and what `prepare` puts in its root), its stand-in answering in `mode` at 169.254.169.254. */
export function readInNamespace(name: string, mode: string, dmi: Record<string, string>, prepare: (root: string) => void = () => {}): NetnsRead {
  const root = rootWithDmi(dmi);
  prepare(root);
  return runInMetadataNamespace(['169.254.169.254'], RUNNER, [root, name, mode]);
}
