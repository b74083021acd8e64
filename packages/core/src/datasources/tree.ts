// A read-only view of a datasource's files, the same whether they are a seed
// directory, a mounted drive or an ISO image read without mounting (blockdev.ts).
import * as posix from 'node:path/posix';
import type { Host } from '../host/host.js';
import { DatasourceError } from './types.js';

export interface TreeReader {
  /** Where the tree is, for messages: "/config-drive", "/dev/sr0 (mounted)". */
  readonly label: string;
  /** A regular file's bytes by path relative to the top ("openstack/latest/meta_data.json"); null when absent, a directory or a symlink. */
  readFile(rel: string): Uint8Array | null;
  /** Entry names of a directory, sorted; [] when absent. */
  list(rel: string): string[];
}

/** Largest single file read from a tree. */
export const MAX_TREE_FILE_BYTES = 64 * 1024 * 1024;

/** Reads a directory tree through host.fs, refusing symlinks so a drive cannot point outside itself. */
export function dirTreeReader(host: Host, dir: string, label: string = dir): TreeReader {
  const pathOf = (rel: string): string | null => {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) return null;
    let p = dir;
    for (const part of parts) {
      p = posix.join(p, part);
      if (host.fs.stat(p, false)?.isSymlink) return null;
    }
    return p;
  };
  return {
    label,
    readFile(rel: string): Uint8Array | null {
      const p = pathOf(rel);
      if (p === null) return null;
      const st = host.fs.stat(p, false);
      if (!st?.isFile) return null;
      if (st.size > MAX_TREE_FILE_BYTES) throw new DatasourceError(`${label}: ${rel} is ${st.size} bytes, more than the ${MAX_TREE_FILE_BYTES} allowed`);
      return host.fs.read(p);
    },
    list(rel: string): string[] {
      const p = pathOf(rel);
      return p === null ? [] : host.fs.list(p);
    },
  };
}

export function textOf(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}
