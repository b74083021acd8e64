// Which init system boots a root: systemd when it is running (/run/systemd/system) or
// when /sbin/init leads to it; SysV when /sbin/init is another program.
import * as posix from 'node:path/posix';
import type { Host } from '../host/host.js';
import { resolveUnitLink } from './systemd-units.js';

export type InitSystem = 'systemd' | 'sysv';

export function detectInitSystem(host: Host): InitSystem | null {
  if (host.fs.isDir('/run/systemd/system')) return 'systemd';
  for (const p of ['/sbin/init', '/usr/sbin/init']) {
    if (host.fs.stat(p, false) === null) continue;
    // /sbin may itself be a link (merged /usr), so resolve each directory too.
    const real = resolveAll(host, p);
    if (posix.basename(real) === 'systemd') return 'systemd';
    if (host.fs.stat(real)?.isFile) return 'sysv';
  }
  return null;
}

function resolveAll(host: Host, path: string): string {
  const parts = path.split('/').filter((c) => c !== '');
  let cur = '/';
  for (const part of parts) cur = resolveUnitLink(host, posix.join(cur, part));
  return cur;
}
