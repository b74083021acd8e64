// Throwaway machine trees for `nimbus try`: a fresh temp directory, a copy of an image
// tree into it (the image itself only ever read), a cheap snapshot of what is in a tree
// (to see what a boot changed) and its removal. Kept in host/ because it is file system
// work outside any one root; nothing here runs anything from a tree.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { os } from '../util/builtin.js';

/** One entry of a tree as a snapshot sees it: enough to tell a change, and what to show. */
export interface TreeEntry {
  kind: 'file' | 'dir' | 'link' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Changes on every atomic write (a new inode) and every append (size, mtime). */
  stamp: string;
  /** The target of a symbolic link. */
  target?: string;
}

/** In-root path ("/etc/hostname") to its entry. */
export type TreeSnapshot = Map<string, TreeEntry>;

export function makeScratchDir(prefix: string): string {
  return fs.mkdtempSync(nodePath.join(os().tmpdir(), prefix));
}

export function removeScratchDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes the files of a generated tree (a distro skeleton, a seed) under `root`. */
export function writeTreeFiles(root: string, files: readonly TreeFile[]): void {
  for (const f of files) {
    const real = nodePath.join(root, f.path);
    if (f.kind === 'dir') {
      fs.mkdirSync(real, { recursive: true, mode: f.mode ?? 0o755 });
      continue;
    }
    fs.mkdirSync(nodePath.dirname(real), { recursive: true });
    if (f.kind === 'link') fs.symlinkSync(f.target, real);
    else {
      fs.writeFileSync(real, f.content);
      fs.chmodSync(real, f.mode ?? 0o644);
    }
  }
}

export type TreeFile = { kind: 'file'; path: string; content: string | Uint8Array; mode?: number } | { kind: 'dir'; path: string; mode?: number } | { kind: 'link'; path: string; target: string };

/**
 * Copies the image tree `src` into `dst` (an empty directory). Links are copied as links,
 * never followed, so an absolute link in the image cannot reach this machine's files;
 * device nodes, sockets and pipes are left out (a boot on a tree never opens them).
 * Ownership is kept where this process may set it. `src` is only read.
 */
export function copyImageTree(src: string, dst: string): { skipped: string[] } {
  const skipped: string[] = [];
  const walk = (from: string, to: string, rel: string): void => {
    for (const name of fs.readdirSync(from)) {
      const a = nodePath.join(from, name);
      const b = nodePath.join(to, name);
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(a);
      if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b);
      else if (st.isDirectory()) {
        fs.mkdirSync(b);
        walk(a, b, r);
        fs.chmodSync(b, st.mode & 0o7777);
      } else if (st.isFile()) {
        fs.copyFileSync(a, b, fs.constants.COPYFILE_FICLONE);
        fs.chmodSync(b, st.mode & 0o7777);
      } else {
        skipped.push(r);
        continue;
      }
      try {
        fs.lchownSync(b, st.uid, st.gid);
      } catch {
        // Not root: the copy is owned by this user; the snapshot compares the image's owners.
      }
    }
  };
  walk(src, dst, '');
  return { skipped };
}

/** Every entry under `root` (in-root paths), without reading any file's content. */
export function snapshotTree(root: string): TreeSnapshot {
  const out: TreeSnapshot = new Map();
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const p = nodePath.join(dir, name);
      const r = `${rel}/${name}`;
      const st = fs.lstatSync(p);
      const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      const entry: TreeEntry = { kind, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, stamp: `${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}:${st.uid}:${st.gid}` };
      if (kind === 'link') entry.target = fs.readlinkSync(p);
      if (kind === 'dir') entry.stamp = `${st.mode}:${st.uid}:${st.gid}`;
      out.set(r, entry);
      if (kind === 'dir') walk(p, r);
    }
  };
  walk(root, '');
  return out;
}

/**
 * The bytes of an in-root regular file, or null when it is not one. No link is followed,
 * not even a directory on the way: an image's `/var/lib -> /var/lib` must not make this
 * read the host's file.
 */
export function readTreeFile(root: string, inRoot: string): Buffer | null {
  const parts = inRoot.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  let real = root;
  try {
    for (let i = 0; i < parts.length; i++) {
      real = nodePath.join(real, parts[i] as string);
      const st = fs.lstatSync(real);
      if (i < parts.length - 1 ? !st.isDirectory() : !st.isFile()) return null;
    }
    return fs.readFileSync(real);
  } catch {
    return null;
  }
}
