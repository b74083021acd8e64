// `clean`: everything under /var/lib/cloud but the seed (unless asked), and the logs
// when asked, so the next boot is a first boot.
import type { Host } from '../host/host.js';
import { LOG_FILE } from '../log/logger.js';
import { COMMAND_RECORD, OUTPUT_LOG } from '../host/exec.js';
import { Paths } from './paths.js';

export function cleanState(host: Host, opts: { logs: boolean; seed: boolean }): string[] {
  const paths = new Paths();
  const removed: string[] = [];
  for (const name of host.fs.list(paths.cloudDir)) {
    const p = `${paths.cloudDir}/${name}`;
    if (name === 'seed' && !opts.seed) continue;
    host.fs.remove(p);
    removed.push(p);
  }
  if (opts.logs) {
    for (const p of [LOG_FILE, OUTPUT_LOG, COMMAND_RECORD]) {
      if (host.fs.exists(p)) {
        host.fs.remove(p);
        removed.push(p);
      }
    }
  }
  return removed;
}
