// A documented example booted whole: a temp root of the chosen distro holding the
// example config drive with the example as its user-data, the four stages run with
// commands recorded, and what a user checks afterwards (`nimbus status`, the files,
// the commands, the errors in status.json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHost } from '../../packages/core/src/host/host.js';
import { statusReport } from '../../packages/core/src/state/status-report.js';
import { boot, driveWith, instanceDir, makeRoot, recorded, setUserData, type Run } from '../helpers/boot.js';

export const DEBIAN12 = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
export const ROCKY9 = 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n';

export interface Booted {
  root: string;
  runs: Run[];
  /** `nimbus status` of the tree: done, degraded done or error. */
  status: string;
  /** Every error of every stage in status.json. */
  errors: string[];
  /** The instance directory inside the root (var/lib/cloud/instances/<id>). */
  inst: string;
  /** Every recorded argv. */
  argvs: string[][];
  read(p: string): string;
  exists(p: string): boolean;
  mode(p: string): number;
}

/** Boots `userData` on a fresh root; `files` are put into the tree first (path in the root → content). */
export function bootExample(userData: string, opts: { osRelease?: string; files?: Record<string, string | { text: string; mode: number }>; metaData?: Record<string, unknown> } = {}): Booted {
  const drive = driveWith((d) => {
    setUserData(d, userData);
    if (opts.metaData !== undefined) {
      for (const v of fs.readdirSync(path.join(d, 'openstack'))) {
        const p = path.join(d, 'openstack', v, 'meta_data.json');
        fs.writeFileSync(p, JSON.stringify({ ...(JSON.parse(fs.readFileSync(p, 'utf8')) as object), ...opts.metaData }));
      }
    }
  });
  const root = makeRoot({ drive, osRelease: opts.osRelease ?? DEBIAN12 });
  for (const [p, f] of Object.entries(opts.files ?? {})) put(root, p, typeof f === 'string' ? f : f.text, typeof f === 'string' ? 0o644 : f.mode);
  // A rhel-family image manages its NICs with NetworkManager (the binary is only a file: nothing runs under --exec record).
  if (/rhel/.test(opts.osRelease ?? '')) put(root, 'usr/sbin/NetworkManager', '#!/bin/sh\n', 0o755);
  const runs = boot(root);
  const st = JSON.parse(fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8')) as { v1: Record<string, { errors?: string[] } | unknown> };
  const errors = ['init-local', 'init', 'modules-config', 'modules-final'].flatMap((s) => (st.v1[s] as { errors?: string[] } | undefined)?.errors ?? []);
  // What `nimbus status` says (test/cli proves the command prints this report).
  const status = statusReport(createHost({ root })).status;
  return {
    root,
    runs,
    status,
    errors,
    inst: instanceDir(root).slice(1),
    argvs: recorded(root),
    read: (p) => fs.readFileSync(path.join(root, p), 'utf8'),
    exists: (p) => fs.existsSync(path.join(root, p)),
    mode: (p) => fs.statSync(path.join(root, p)).mode & 0o7777,
  };
}

/** A file in a tree with its parents. */
export function put(root: string, p: string, text: string | Buffer, mode = 0o644): void {
  fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
  fs.writeFileSync(path.join(root, p), text, { mode });
  fs.chmodSync(path.join(root, p), mode);
}
