// The rooted file system: every path nimbus reads or writes is a path inside `root`,
// and no path, however it is spelled and whatever symlinks it crosses, resolves
// outside it. Writes are atomic (temp file, fsync, mode and owner, rename) so a stage
// killed at any point leaves either the old file or the new one, never half of one.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

export interface Owner {
  uid: number;
  gid: number;
}

export interface WriteOptions {
  /** File mode; default 0644. Applied before the rename, so the file never exists with a wider mode. */
  mode?: number;
  owner?: Owner;
  /** Append to the existing content (still written atomically, as a whole new file). */
  append?: boolean;
  /** Create missing parent directories with this mode (default 0755). */
  dirMode?: number;
}

export interface FileStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  isFile: boolean;
  isDir: boolean;
  isSymlink: boolean;
  mtimeMs: number;
}

export class PathEscapeError extends Error {}

const MAX_SYMLINKS = 40;

/**
 * TEST ONLY (the crash-consistency harness, test/reliability/crash.test.ts):
 * NIMBUS_TEST_KILL_AFTER_WRITES=N makes this process SIGKILL itself right after its
 * N-th write step. Every atomic write has two steps (the temp file complete and synced;
 * the rename), every log append and symlink replacement one. Unset in production.
 */
const KILL_AFTER_WRITES = ((): number | null => {
  const v = Number(process.env['NIMBUS_TEST_KILL_AFTER_WRITES'] ?? '');
  return Number.isInteger(v) && v > 0 ? v : null;
})();
let writeSteps = 0;
// With the hook set, the harness learns how many steps a whole stage takes.
if (KILL_AFTER_WRITES !== null) process.on('exit', () => process.stderr.write(`nimbus-test: ${writeSteps} write steps\n`));
function writeStep(): void {
  if (KILL_AFTER_WRITES !== null && ++writeSteps >= KILL_AFTER_WRITES) process.kill(process.pid, 'SIGKILL');
}

const TEMP_RE = /^\.(.+)\.nimbus-(\d+)-[a-z0-9]{1,8}$/;

/**
 * What this process has read from directories: how many listings, and how many names
 * they returned. Tests use it to show that a boot writing N files into one directory
 * reads O(N) names, not O(N²) (one listing per write was 302 s for 20,000 scripts).
 */
export const dirReads = { listings: 0, names: 0 };

function readdir(dir: string): string[] {
  const names = fs.readdirSync(dir);
  dirReads.listings++;
  dirReads.names += names.length;
  return names;
}

/** Removes the temp files in `dir` of processes that died before their rename (a crash); their names. */
function removeDeadTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (m === null) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !pidAlive(pid)) {
      fs.rmSync(nodePath.join(dir, n), { force: true });
      removed.push(n);
    }
  }
  return removed;
}

/**
 * Whether `real` already is a regular file with exactly these bytes, mode and owner: a
 * second boot rewrites most of its state with what is there, and each rewrite costs a
 * temp file, an fsync and a rename (the fsync ~0.3-1 ms on a disk). Never a symlink.
 */
function sameFile(real: string, body: Uint8Array, mode: number, owner?: Owner): boolean {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(real);
  } catch {
    return false;
  }
  if (!st.isFile() || st.size !== body.length || (st.mode & 0o7777) !== mode) return false;
  // Without an owner, a rewrite would make the file this process's.
  const want = owner ?? { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };
  if (st.uid !== want.uid || st.gid !== want.gid) return false;
  try {
    return Buffer.compare(fs.readFileSync(real), body) === 0;
  } catch {
    return false;
  }
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/** The state of a throwaway tree shared by its RootFs instances (one per stage). */
export interface ScratchTree {
  /** In-root path -> the owner a write or chown asked for and this process could not give. */
  owners: Map<string, Owner>;
}

export class RootFs {
  readonly root: string;
  /** Directories (real paths) this process already swept of dead temps and journaled. */
  private readonly tempDirsSeen = new Set<string>();
  /** Where the directories that get temp files are journaled (in-root), and those it holds. */
  private tempJournal: { path: string; dirs: Set<string> } | null = null;

  /**
   * `scratch`: a throwaway tree (`nimbus try`). Writes leave out their fsync (no write
   * has to survive a power loss, and the fsyncs were most of the time), and an owner this
   * process may not give (it is not root) is noted in `scratch.owners` instead of
   * failing the write, so the tree still shows what a boot would do.
   */
  constructor(
    root: string,
    private readonly scratch?: ScratchTree,
  ) {
    this.root = nodePath.resolve(root);
  }

  /** chown, or under `scratch` without the right to, the owner noted for `path`. */
  private giveOwner(path: string, owner: Owner, chown: () => void): void {
    try {
      chown();
    } catch (e) {
      if (this.scratch === undefined || !isErrno(e, 'EPERM')) throw e;
      this.scratch.owners.set(nodePath.posix.normalize(path), owner);
    }
  }

  /**
   * Journals in `journal` (an in-root file, one directory a line) every directory this
   * process makes a temp file in, so that a later boot can sweep the temp files of a
   * write that was killed even when its target is never written again
   * (`sweepJournaledTemps`). Each directory is journaled once, ever: the file grows with
   * the number of directories nimbus writes in, not with the writes. /run is not
   * journaled: a reboot empties it.
   */
  journalTempDirs(journal: string): void {
    const dirs = new Set<string>();
    for (const l of (this.readText(journal) ?? '').split('\n')) if (l.startsWith('/')) dirs.add(l);
    this.tempJournal = { path: journal, dirs };
  }

  /**
   * Removes the temp files of dead writers from every journaled directory: one listing
   * per directory. Returns the in-root paths removed.
   */
  sweepJournaledTemps(): string[] {
    const removed: string[] = [];
    for (const dir of this.tempJournal?.dirs ?? []) {
      let real: string;
      try {
        real = this.real(dir);
      } catch {
        continue; // a hand-edited line nimbus cannot use
      }
      for (const n of removeDeadTemps(real)) removed.push(nodePath.posix.join(dir, n));
      this.tempDirsSeen.add(real);
    }
    return removed;
  }

  /**
   * Before the first temp file this process makes in `dir` (a real path): the directory
   * is journaled, and swept once of dead writers' temps. Once per directory, not per
   * write: a boot writing N files into one directory lists it once (O(N), not O(N²)).
   */
  private beforeTemp(dir: string): void {
    if (this.tempDirsSeen.has(dir)) return;
    this.tempDirsSeen.add(dir);
    const j = this.tempJournal;
    const inRoot = this.inRoot(dir);
    if (j !== null && !j.dirs.has(inRoot) && !inRoot.startsWith('/run/')) {
      try {
        this.appendLog(j.path, `${inRoot}\n`, 0o600);
        j.dirs.add(inRoot);
      } catch {
        // The journal is an aid (a full or read-only /var): the write itself goes on.
      }
    }
    removeDeadTemps(dir);
  }

  /**
   * Maps a path inside the root to the real path on this machine, following symlinks
   * as the kernel would if `root` were `/`: an absolute link target restarts at the
   * root, `..` stops at the root. With `followLast` false the last component is not
   * followed (for creating, replacing or removing a link itself).
   */
  real(path: string, followLast = true): string {
    if (!path.startsWith('/')) throw new PathEscapeError(`not an absolute path: ${JSON.stringify(path)}`);
    if (path.includes('\0')) throw new PathEscapeError(`path contains a NUL byte: ${JSON.stringify(path)}`);
    if (this.root === '/') {
      // Nothing can escape "/", but `..` and symlinks still need no special care.
      return nodePath.normalize(path);
    }
    let pending = path.split('/').filter((c) => c !== '' && c !== '.');
    const done: string[] = [];
    let links = 0;
    // Below a component that does not exist nothing exists, so nothing there is a
    // symlink: most paths a boot writes are new, and each lstat of them was a syscall
    // and a thrown error. A `..` climbs back to where things may exist again.
    let missing = false;
    while (pending.length > 0) {
      const comp = pending.shift() as string;
      if (comp === '..') {
        done.pop();
        missing = false;
        continue;
      }
      const isLast = pending.length === 0;
      if (missing || (isLast && !followLast)) {
        done.push(comp);
        continue;
      }
      const candidate = nodePath.join(this.root, ...done, comp);
      let target: string | null = null;
      try {
        const st = fs.lstatSync(candidate, { throwIfNoEntry: false });
        if (st === undefined) missing = true;
        else if (st.isSymbolicLink()) target = fs.readlinkSync(candidate);
      } catch (e) {
        if (!isErrno(e, 'ENOTDIR')) throw e;
        missing = true;
      }
      if (target === null) {
        done.push(comp);
        continue;
      }
      if (++links > MAX_SYMLINKS) throw new PathEscapeError(`too many levels of symbolic links: ${path}`);
      const rest = target.split('/').filter((c) => c !== '' && c !== '.');
      if (target.startsWith('/')) done.length = 0;
      pending = [...rest, ...pending];
    }
    return nodePath.join(this.root, ...done);
  }

  /** The in-root path for a real path under the root (for messages and records). */
  inRoot(real: string): string {
    if (this.root === '/') return real;
    const rel = nodePath.relative(this.root, real);
    return '/' + rel;
  }

  read(path: string): Buffer | null {
    try {
      return fs.readFileSync(this.real(path));
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR') || isErrno(e, 'EISDIR')) return null;
      throw e;
    }
  }

  /**
   * Up to `length` bytes at `offset` of a file or device (fewer at its end), without
   * reading the rest: a filesystem's label is a few bytes of a disk. Null when it does
   * not exist or has no medium (an empty optical drive).
   */
  readAt(path: string, offset: number, length: number): Buffer | null {
    let fd: number;
    try {
      fd = fs.openSync(this.real(path), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR') || isErrno(e, 'ENOMEDIUM') || isErrno(e, 'ENXIO')) return null;
      throw e;
    }
    try {
      const buf = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const n = fs.readSync(fd, buf, got, length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    } catch (e) {
      if (isErrno(e, 'EISDIR') || isErrno(e, 'ENOMEDIUM') || isErrno(e, 'EINVAL') || isErrno(e, 'EIO')) return null;
      throw e;
    } finally {
      fs.closeSync(fd);
    }
  }

  readText(path: string): string | null {
    const b = this.read(path);
    return b === null ? null : b.toString('utf8');
  }

  exists(path: string): boolean {
    return fs.existsSync(this.real(path));
  }

  stat(path: string, follow = true): FileStat | null {
    try {
      const s = follow ? fs.statSync(this.real(path)) : fs.lstatSync(this.real(path, false));
      return {
        mode: s.mode & 0o7777,
        uid: s.uid,
        gid: s.gid,
        size: s.size,
        isFile: s.isFile(),
        isDir: s.isDirectory(),
        isSymlink: s.isSymbolicLink(),
        mtimeMs: s.mtimeMs,
      };
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return null;
      throw e;
    }
  }

  isDir(path: string): boolean {
    return this.stat(path)?.isDir ?? false;
  }

  /** Directory entries, sorted; an absent directory has none. */
  /**
   * The names in a directory, without the temp files of atomic writes (this process's,
   * another's in flight, or a dead one's): they are not content, and a caller that
   * prunes what it does not know (old scripts) must not delete a concurrent writer's
   * temp file before its rename.
   */
  list(path: string): string[] {
    try {
      return readdir(this.real(path))
        .filter((n) => !TEMP_RE.test(n))
        .sort();
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return [];
      throw e;
    }
  }

  mkdir(path: string, mode = 0o755): void {
    const real = this.real(path);
    if (fs.existsSync(real)) return;
    const parent = nodePath.posix.dirname(path);
    // The root itself may not exist yet (net-convert -d NEWDIR): create it, don't recurse on "/".
    if (parent === path) {
      fs.mkdirSync(real, { recursive: true, mode });
      return;
    }
    this.mkdir(parent, mode);
    try {
      fs.mkdirSync(real, { mode });
      fs.chmodSync(real, mode);
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }

  /** Writes atomically; false when the file already was exactly this (content, mode, owner) and was left alone. */
  write(path: string, data: string | Uint8Array, opts: WriteOptions = {}): boolean {
    const mode = opts.mode ?? 0o644;
    const real = this.real(path);
    const dir = nodePath.dirname(real);
    if (!fs.existsSync(dir)) this.mkdir(this.inRoot(dir), opts.dirMode ?? 0o755);
    let body: Uint8Array = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (opts.append) {
      const old = this.read(path);
      if (old !== null) body = Buffer.concat([old, body]);
    }
    if (!opts.append && sameFile(real, body, mode, opts.owner)) return false;
    this.beforeTemp(dir);
    const tmp = nodePath.join(dir, `.${nodePath.basename(real)}.nimbus-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    // Created 0600 so the content is never readable by others before the final mode is set.
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, body);
      const owner = opts.owner;
      if (owner) this.giveOwner(path, owner, () => fs.fchownSync(fd, owner.uid, owner.gid));
      fs.fchmodSync(fd, mode);
      if (this.scratch === undefined) fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    writeStep();
    try {
      fs.renameSync(tmp, real);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    writeStep();
    return true;
  }

  /**
   * Appends without rewriting (logs): O_APPEND, created with `mode`. A line written by
   * one write(2) call is never interleaved with another writer's.
   */
  appendLog(path: string, text: string | Uint8Array, mode = 0o644): void {
    const real = this.real(path);
    const dir = nodePath.dirname(real);
    if (!fs.existsSync(dir)) this.mkdir(this.inRoot(dir));
    const fd = fs.openSync(real, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, mode);
    try {
      fs.writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    } finally {
      fs.closeSync(fd);
    }
    writeStep();
  }

  /** Opens a log file for appending and returns its descriptor (for child output). */
  openLog(path: string, mode = 0o644): number {
    const real = this.real(path);
    const dir = nodePath.dirname(real);
    if (!fs.existsSync(dir)) this.mkdir(this.inRoot(dir));
    return fs.openSync(real, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, mode);
  }

  closeFd(fd: number): void {
    fs.closeSync(fd);
  }

  chmod(path: string, mode: number): void {
    fs.chmodSync(this.real(path), mode);
  }

  chown(path: string, owner: Owner): void {
    const real = this.real(path);
    this.giveOwner(path, owner, () => fs.chownSync(real, owner.uid, owner.gid));
  }

  /** Creates or atomically replaces a symlink at `path` pointing at `target` (not resolved). */
  symlink(target: string, path: string): void {
    const real = this.real(path, false);
    const dir = nodePath.dirname(real);
    if (!fs.existsSync(dir)) this.mkdir(this.inRoot(dir));
    // Already this link (every later boot): nothing to replace.
    try {
      if (fs.readlinkSync(real) === target) return;
    } catch {
      // absent, or not a link: replace it
    }
    this.beforeTemp(dir);
    const tmp = nodePath.join(dir, `.${nodePath.basename(real)}.nimbus-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    fs.symlinkSync(target, tmp);
    try {
      fs.renameSync(tmp, real);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    writeStep();
  }

  readlink(path: string): string | null {
    try {
      return fs.readlinkSync(this.real(path, false));
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'EINVAL') || isErrno(e, 'ENOTDIR')) return null;
      throw e;
    }
  }

  /** Removes a file, a link (not what it points at) or a whole directory tree. */
  remove(path: string): void {
    fs.rmSync(this.real(path, false), { recursive: true, force: true });
  }

  rename(from: string, to: string): void {
    fs.renameSync(this.real(from, false), this.real(to, false));
  }

  /**
   * Takes an exclusive lock held by this process: a lock file created with O_EXCL
   * holding our pid. Returns a release function, or null when another live process
   * holds it. A lock left by a dead process (a killed stage) is broken, but only under
   * a second lock (`<lock>.break`) and after re-reading its holder, so two processes
   * that both find it stale cannot each remove the other's fresh lock.
   */
  tryLock(path: string): (() => void) | null {
    const real = this.real(path);
    const dir = nodePath.dirname(real);
    if (!fs.existsSync(dir)) this.mkdir(this.inRoot(dir));
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createExclusive(real)) return () => fs.rmSync(real, { force: true });
      const holder = readPid(real);
      if (holder === null) continue; // released between our create and our read
      if (holder === process.pid || pidAlive(holder)) return null;
      const brk = `${real}.break`;
      if (!createExclusive(brk)) {
        const s = statOrNull(brk);
        // A breaker that itself died long ago: clear its guard and try again.
        if (s !== null && Date.now() - s.mtimeMs > 10_000) fs.rmSync(brk, { force: true });
        continue;
      }
      try {
        if (readPid(real) === holder) fs.rmSync(real, { force: true });
      } finally {
        fs.rmSync(brk, { force: true });
      }
    }
    return null;
  }

  /** Waits (up to `timeoutMs`) for the lock; null when it stayed held by another process. */
  lock(path: string, timeoutMs: number): (() => void) | null {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const release = this.tryLock(path);
      if (release !== null || Date.now() >= deadline) return release;
      sleepSync(25);
    }
  }
}

function createExclusive(real: string): boolean {
  try {
    const fd = fs.openSync(real, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if (isErrno(e, 'EEXIST')) return false;
    throw e;
  }
}

function readPid(real: string): number | null {
  try {
    const n = Number.parseInt(fs.readFileSync(real, 'utf8'), 10);
    // A lock file caught between create and write reads empty: treat its holder as alive.
    return Number.isFinite(n) ? n : process.pid;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  }
}

function statOrNull(real: string): fs.Stats | null {
  try {
    return fs.statSync(real);
  } catch {
    return null;
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrno(e, 'EPERM');
  }
}
