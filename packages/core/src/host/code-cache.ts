// Runs a bundle with a V8 code cache, as Python runs a module from its .pyc: the stage
// daemons and the CLI start by compiling about 1 MB of JavaScript, which costs each
// stage 20-60 ms of CPU on every boot. The cache holds the bytecode of every function
// the last real run compiled, so the next run skips the parse and the compile.
//
// The cache is only ever an optimisation:
// - It sits in the running system's /var/cache/nimbus, written only where /var/cache
//   exists and only by a run that did work (not --version or --help), after the work,
//   when no usable cache was there.
// - A run on a tree (--root other than /) never reads nor writes a cache there: the
//   tree is data, and a cache is code. Such a run compiles afresh unless
//   NIMBUS_CODE_CACHE_DIR names a directory of the host's (the test runner sets one).
// - Its name carries the bundle's build id (a hash of its bytes made by the build), the
//   Node version and the architecture; V8 itself rejects data made by another V8 or
//   with other flags. A rejected, unreadable or missing cache means a normal compile.
// - It is written atomically (temp, fsync, rename), so it is whole or absent; a write
//   that fails (read-only /var, another user) is skipped without a word.
// - It is read only when it and its directory are this user's and no one else can
//   write them: a cache is code.
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as vm from 'node:vm';

export interface Bundle {
  /** Absolute path of the bundle (CommonJS). */
  path: string;
  /** Short name, the start of the cache file's name: nimbus-init. */
  name: string;
  /** Hash of the bundle's bytes, made by the build. */
  buildId: string;
  /** The bundle's size in bytes when the build id was made. */
  bytes: number;
}

/** The tree a run works on: the value of --root (either form), else "/". */
export function rootFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--root' && argv[i + 1]) return argv[i + 1] as string;
    if (a.startsWith('--root=') && a.length > 7) return a.slice(7);
  }
  return '/';
}

/** A run that only prints its version or usage must not write a cache of that little code. */
export function writesCache(argv: readonly string[]): boolean {
  return !argv.some((a) => a === '--version' || a === '-v' || a === '--help' || a === '-h' || a === 'help');
}

/**
 * Where this run's cache lives: NIMBUS_CODE_CACHE_DIR when set, else /var/cache/nimbus
 * when the run works on the running system; a run on another tree has none.
 */
export function cacheDir(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.NIMBUS_CODE_CACHE_DIR;
  if (chosen) return nodePath.resolve(chosen);
  return nodePath.resolve(rootFromArgv(argv)) === '/' ? '/var/cache/nimbus' : undefined;
}

export function cacheName(b: Pick<Bundle, 'name' | 'buildId'>, nodeVersion = process.version, arch = process.arch): string {
  return `${b.name}-${b.buildId}-${nodeVersion}-${arch}.v8`;
}

/** Owned by this process's user and writable by no one else: fit to hold code we run. */
function trusted(st: fs.Stats): boolean {
  const euid = process.geteuid?.() ?? 0;
  return st.uid === euid && (st.mode & 0o022) === 0;
}

/**
 * The cache file's bytes, only from a directory and a file that only this process's
 * user can write: V8 runs what it deserializes, so a cache others can write would let
 * them run code as root at boot.
 */
export function readTrustedCache(dir: string, name: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    const dst = fs.lstatSync(dir);
    if (!dst.isDirectory() || !trusted(dst)) return undefined;
    fd = fs.openSync(nodePath.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !trusted(st)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Whether `file` is a cache of the program `name` (of any build or Node): the build id
 * must follow the name, so nimbus's caches are not nimbus-init's.
 */
export function isCacheOf(name: string, file: string): boolean {
  return file.startsWith(`${name}-`) && /^[0-9a-f]{16}-.*\.v8$/.test(file.slice(name.length + 1));
}

/** Writes the cache whole or not at all, and drops this bundle's older caches. */
export function saveCache(dir: string, b: Bundle, data: Buffer): boolean {
  const file = nodePath.join(dir, cacheName(b));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    if (!fs.existsSync(nodePath.dirname(dir))) return false;
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    // Never add to a directory others can write (its caches are never read either).
    if (!trusted(fs.lstatSync(dir))) return false;
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    for (const f of fs.readdirSync(dir)) {
      if (isCacheOf(b.name, f) && f !== nodePath.basename(file)) fs.rmSync(nodePath.join(dir, f), { force: true });
    }
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}

export interface CacheUse {
  /** 'used': V8 took the cache; 'rejected': it refused it; 'none': there was none. */
  cache: 'used' | 'rejected' | 'none';
  /** Whether a new cache will be written when the process exits. */
  willWrite: boolean;
}

/**
 * Compiles and runs a CommonJS file with its code cache and returns its exports. `req`
 * is the require it gets (the bundles need only Node's built-in modules, and
 * nimbus-zod.js beside them, which comes through here too).
 */
export function loadCached(b: Bundle, argv: readonly string[], req: NodeJS.Require): { use: CacheUse; exports: unknown } {
  const source = fs.readFileSync(b.path, 'utf8');
  const dir = cacheDir(argv);
  // A file changed since the build (its size differs) must not meet an old cache:
  // V8 checks only the source's length.
  const usable = dir !== undefined && Buffer.byteLength(source) === b.bytes;
  const cached = usable ? readTrustedCache(dir, cacheName(b)) : undefined;
  // The same wrapper Node puts around a CommonJS file; the shebang line is blanked so
  // line numbers in stack traces stay those of the file.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
    filename: b.path,
    ...(cached ? { cachedData: cached } : {}),
  });
  const cache: CacheUse['cache'] = cached === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const willWrite = usable && cache !== 'used' && writesCache(argv);
  if (willWrite && dir !== undefined) {
    // On exit every function the run needed has been compiled, so the cache holds them all.
    process.once('exit', () => {
      saveCache(dir, b, script.createCachedData());
    });
  }
  const fn = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  const mod: { exports: unknown } = { exports: {} };
  fn.call(mod.exports, mod.exports as object, req, mod, b.path, nodePath.dirname(b.path));
  return { use: { cache, willWrite }, exports: mod.exports };
}

/** Runs a program's bundle (the loaders, bundle-loader.ts). */
export function runBundle(b: Bundle, argv: readonly string[], req: NodeJS.Require): CacheUse {
  return loadCached(b, argv, req).use;
}
