// Runs the compiled test files (build/**/*.test.js) with node's test runner. Node 20's
// --test takes no globs, so the files are found here. Arguments filter by path substring.
//
// Two lanes (docs/development.md): --fast leaves out every file whose header carries
// `// test-lane: full (why)`: crash, fuzz and hostile-input campaigns, boots that race or
// wait out budgets, network namespaces, the reference chroot, package builds. Without
// --fast, all run.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** The tag, on a line of its own in the file's leading comment (tsc keeps comments). */
const FULL_LANE = /^\/\/ test-lane: full\b/m;
/** The header is the comment block before the first import: only there does the tag count. */
const HEADER_BYTES = 4096;

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function fullLaneOnly(file) {
  // The tag is read from the TypeScript source (build/x.test.js → x.test.ts): a build
  // transpiled by esbuild (--no-typecheck) keeps no comments.
  const source = file.replace(/^build\//, '').replace(/\.js$/, '.ts');
  const head = readFileSync(existsSync(source) ? source : file, 'utf8').slice(0, HEADER_BYTES);
  const firstImport = head.search(/^import /m);
  return FULL_LANE.test(firstImport < 0 ? head : head.slice(0, firstImport));
}

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const filters = args.filter((a) => a !== '--fast');
const matched = walk('build', []).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const files = fast ? matched.filter((f) => !fullLaneOnly(f)) : matched;
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (fast) console.log(`# fast lane: ${files.length} files (${matched.length - files.length} left to npm test)`);
// The fast lane's files mostly wait on child processes (stage runs, python, servers on
// 127.0.0.1), so it runs four at a time on two cores; the full lane's campaigns are
// CPU-bound and keep two. NIMBUS_TEST_CONCURRENCY overrides both.
const concurrency = process.env.NIMBUS_TEST_CONCURRENCY ?? (fast ? '4' : '2');
// The stages a test runs work on temp trees, where nimbus keeps no code cache (a tree is
// data); one cache directory of the build's own lets them skip the compile as a boot does.
// A developer shell's NODE_EXTRA_CA_CERTS costs every Node start about 35 ms of parsing
// certificates no test uses (their servers are on 127.0.0.1), and a boot has none either.
const { NODE_EXTRA_CA_CERTS: _unused, ...inherited } = process.env;
const env = { ...inherited, NIMBUS_CODE_CACHE_DIR: process.env.NIMBUS_CODE_CACHE_DIR ?? resolve('build/code-cache') };
// The fast lane runs its files in a few processes (shards) instead of one each: a Node
// start and a load of the compiled core cost every file about half a second of CPU,
// most of what a small file costs. A shard imports its files one after another, so
// their tests run in order as in a file of their own; a test that changes the process
// (an environment variable) puts it back. npm test keeps one process per file.
function shardsOf(list, n) {
  const shards = Array.from({ length: Math.min(n, list.length) }, () => ({ cost: 0, files: [] }));
  // Costliest first into the lightest shard. The cost stands in for CPU: the file's size,
  // and each boot, command or child process it starts (each costs about what 15 KB of
  // plain tests do).
  const STARTS = /\b(boot|bootExample|bootUbuntu|bootRhel|bootDaemons|cli|nimbus|stage|spawnSync|execFileSync)\(/g;
  const cost = new Map(list.map((f) => [f, statSync(f).size + 15000 * (readFileSync(f, 'utf8').match(STARTS)?.length ?? 0)]));
  for (const f of [...list].sort((a, b) => (cost.get(b) ?? 0) - (cost.get(a) ?? 0))) {
    const lightest = shards.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.cost += cost.get(f) ?? 0;
    lightest.files.push(f);
  }
  return shards.map((sh, i) => {
    const p = join('build', 'shards', `fast-${i + 1}.test.mjs`);
    writeFileSync(
      p,
      sh.files
        .sort()
        .map((f) => `await import(${JSON.stringify(pathToFileURL(resolve(f)).href)});\n`)
        .join(''),
    );
    return p;
  });
}
let targets = files;
if (fast && process.env.NIMBUS_TEST_SHARDS !== '0') {
  rmSync(join('build', 'shards'), { recursive: true, force: true });
  mkdirSync(join('build', 'shards'), { recursive: true });
  targets = shardsOf(files, Number(process.env.NIMBUS_TEST_SHARDS ?? '8'));
}
// The fast lane's temp trees live in memory (tmpfs) when the machine has one: a boot
// fsyncs what it writes and every file's trees are removed at its end, and on a disk
// those waits were half the lane's time on a busy machine. The full lane's campaigns and
// chroot copies keep the disk. NIMBUS_TEST_TMPDIR names another place.
const TMPFS_MAGIC = 0x01021994;
function memoryTmp() {
  if (process.env.NIMBUS_TEST_TMPDIR) return process.env.NIMBUS_TEST_TMPDIR;
  if (!fast) return null;
  try {
    const st = statfsSync('/dev/shm');
    return st.type === TMPFS_MAGIC && st.bavail * st.bsize > 2 ** 31 ? '/dev/shm' : null;
  } catch {
    return null;
  }
}
const tmpBase = memoryTmp();
const tmp = tmpBase === null ? null : mkdtempSync(join(tmpBase, 'nimbus-tests-'));
if (tmp !== null) env.TMPDIR = tmp;
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...targets], { stdio: 'inherit', env });
if (tmp !== null && process.env.NIMBUS_KEEP_TMP !== '1') rmSync(tmp, { recursive: true, force: true });
process.exit(r.status ?? 1);
