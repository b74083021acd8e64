// `clean`: everything under /var/lib/cloud but the seed (unless asked), the logs when
// asked, and the configuration files nimbus generated (network, ssh_config) when asked,
// so the next boot is a first boot.
import type { Host } from '../host/host.js';
import { LOG_FILE } from '../log/logger.js';
import { COMMAND_RECORD, OUTPUT_LOG } from '../host/exec.js';
import { Paths } from './paths.js';

export const CLEAN_CONFIG_KINDS = ['all', 'ssh_config', 'network'] as const;
export type CleanConfigKind = (typeof CLEAN_CONFIG_KINDS)[number];

// The generated files `clean --configs` removes: cloud-init 25.x's list, plus the ENI
// file name nimbus (like cloud-init 22.4) writes. A name is a directory and a pattern.
const GENERATED: Record<Exclude<CleanConfigKind, 'all'>, [string, RegExp][]> = {
  network: [
    ['/etc/netplan', /^50-cloud-init\.yaml$/],
    ['/etc/NetworkManager/conf.d', /^(99-cloud-init|30-cloud-init-ip6-addr-gen-mode)\.conf$/],
    ['/etc/NetworkManager/system-connections', /^cloud-init-.*\.nmconnection$/],
    ['/etc/systemd/network', /^10-cloud-init-.*\.network$/],
    ['/etc/network/interfaces.d', /^50-cloud-init(\.cfg)?$/],
  ],
  ssh_config: [['/etc/ssh/sshd_config.d', /^50-cloud-init\.conf$/]],
};

export interface CleanOptions {
  logs: boolean;
  seed: boolean;
  configs?: readonly CleanConfigKind[];
  /** Reset /etc/machine-id for a golden image: "uninitialized" under systemd, removed elsewhere. */
  machineId?: boolean;
}

export function cleanState(host: Host, opts: CleanOptions): string[] {
  const paths = new Paths();
  const removed: string[] = [];
  if (opts.logs) {
    for (const p of [LOG_FILE, OUTPUT_LOG, COMMAND_RECORD]) {
      if (host.fs.exists(p)) {
        host.fs.remove(p);
        removed.push(p);
      }
    }
  }
  const kinds = new Set(opts.configs ?? []);
  for (const kind of ['network', 'ssh_config'] as const) {
    if (!kinds.has(kind) && !kinds.has('all')) continue;
    for (const [dir, match] of GENERATED[kind]) {
      for (const name of host.fs.list(dir).sort()) {
        if (!match.test(name)) continue;
        host.fs.remove(`${dir}/${name}`);
        removed.push(`${dir}/${name}`);
      }
    }
  }
  for (const name of host.fs.list(paths.cloudDir)) {
    const p = `${paths.cloudDir}/${name}`;
    if (name === 'seed' && !opts.seed) continue;
    host.fs.remove(p);
    removed.push(p);
  }
  if (opts.machineId) {
    if (host.fs.exists('/run/systemd/system')) host.fs.write('/etc/machine-id', 'uninitialized\n', { mode: 0o444 });
    else host.fs.remove('/etc/machine-id');
    removed.push('/etc/machine-id');
  }
  return removed;
}
