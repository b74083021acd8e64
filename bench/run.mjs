// npm run bench: nimbus and Debian's cloud-init 22.4 (REF_SUITE=trixie: 25.1) on the same
// inputs, in the same kind of namespaces (scripts/reference/cloud-init-ref.sh), interleaved run by run, the
// median of N runs. Prints a table with ratios and writes bench/results.json.
//
// nimbus runs against its own copy of the reference chroot with --exec chroot, so both
// write the same files and really run runcmd. Each boot gets a fresh /run (a reboot).
//
// A first boot is what an image gets: the tree as the package installed it, with only
// the code caches its postinst trained (never those of an earlier run). Beside it, per
// seed: the same first boot with no cache at all (an image made without install-time
// caches) and the first boot of a new instance on an image booted once. Each figure
// carries its CPU time too, which other load on the machine barely moves.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { META_DATA, USER_DATA } from './seed.mjs';

const USAGE = `npm run bench [-- --check | --help]: nimbus against Debian's cloud-init, medians of runs.

  --check   runs each of nimbus's tool cases (schema, net-convert, try) once with the built
            dist/ on temp files, without namespaces, chroots or the reference, and says
            whether each works (exit 0, the output it should give); exit 1 when one fails.
            For checking a case after a change without a whole bench run.
  --help    this text.

Environment: BENCH_RUNS (default 5), BENCH_REF=0 (no cloud-init side), BENCH_ONLY=boots
(the boots only), REF_SUITE=trixie (cloud-init 25.1), NIMBUS_BENCH_ROOT (nimbus's tree).
Writes bench/results.json (a partial run: $TMPDIR/nimbus-bench-partial.json).`;

/**
 * nimbus's tool cases: name, argv after the CLI, and what a working run prints. `dir`
 * holds the inputs (the bench writes them in each tree's /tmp/nimbus-bench).
 */
function toolCases(dir, i) {
  return [
    { name: 'schema (1000 write_files, 500 runcmd)', args: ['schema', '--config-file', `${dir}/big.yaml`], ok: /^Valid cloud-config/m },
    {
      name: 'net-convert (200 NICs, network_data.json -> eni)',
      args: ['devel', 'net-convert', '-p', `${dir}/big.json`, '-k', 'network_data.json', '-D', 'debian', '-O', 'eni', '-d', `${dir}/out${i}`, ...bigNetworkMacs(200)],
      ok: null,
    },
    // `nimbus try` on the bench's seed: a throwaway Debian tree, the four stages with
    // commands recorded, and the plan (cloud-init has no such command: nimbus only).
    { name: 'try (the bench seed on a throwaway Debian tree)', args: ['try', `${dir}/user-data`, '--meta-data', `${dir}/meta-data`, '--format', 'json'], ok: /"status": "done"/ },
  ];
}

function writeToolInputs(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'big.yaml'), bigCloudConfig(1000));
  fs.writeFileSync(path.join(dir, 'big.json'), JSON.stringify(bigNetworkData(200)));
  fs.writeFileSync(path.join(dir, 'user-data'), USER_DATA);
  fs.writeFileSync(path.join(dir, 'meta-data'), META_DATA);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (process.argv.includes('--check')) process.exit(checkToolCases());

/** --check: each tool case once, directly with dist/nimbus.js; 0 when all work. */
function checkToolCases() {
  const repoDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const cli = path.join(repoDir, 'dist/nimbus.js');
  if (!fs.existsSync(cli)) {
    console.error('bench --check: dist/nimbus.js is not built: run node scripts/build.mjs');
    return 1;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-bench-check-'));
  let failed = 0;
  try {
    writeToolInputs(dir);
    for (const c of toolCases(dir, 0)) {
      const r = spawnSync(process.execPath, [cli, ...c.args], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: dir });
      const works = r.status === 0 && (c.ok === null || c.ok.test(r.stdout));
      if (!works) failed++;
      console.log(`${works ? 'ok  ' : 'FAIL'} ${c.name}: exit ${r.status}${works ? '' : `\n${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return failed === 0 ? 0 : 1;
}

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REF_SCRIPT = path.join(repo, 'scripts/reference/cloud-init-ref.sh');
// The script knows where the chroot of REF_SUITE is (or REF_ROOT, when set).
const REF_ROOT = spawnSync('bash', [REF_SCRIPT, 'root'], { encoding: 'utf8' }).stdout.trim();
if (REF_ROOT === '') throw new Error(`${REF_SCRIPT} root: no reference root (REF_SUITE=${process.env.REF_SUITE})`);
const NIMBUS_ROOT = process.env.NIMBUS_BENCH_ROOT ?? '/var/tmp/nimbus-bench/root';
// On tmpfs, as /run is at boot: each boot's /run is a directory here, bind-mounted.
const work = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'nimbus-bench-'));
const measurePy = path.join(repo, 'bench/measure.py');
const node = process.execPath;

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

let counter = 0;
/** One measured command inside fresh reference namespaces (a new /run: a reboot). */
function measured(argv, runDir, root = REF_ROOT) {
  const out = path.join(work, `m${++counter}.json`);
  const rd = runDir ?? path.join(work, `run${counter}`);
  // The script mounts proc, sys, dev and the run directory into `root`: nimbus's tree
  // gets the same view of the machine as cloud-init's chroot.
  const r = sh('bash', [REF_SCRIPT, 'run', rd, 'python3', measurePy, out, '--', ...argv], { env: { ...process.env, REF_ROOT: root } });
  if (!fs.existsSync(out)) throw new Error(`measurement failed: ${argv.join(' ')}\n${r.stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

// ---- set-up -------------------------------------------------------------------------
function setupReference() {
  const r = sh('bash', [REF_SCRIPT, 'setup'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return `the reference chroot could not be built (exit ${r.status})`;
  if (!fs.existsSync(NIMBUS_ROOT)) {
    console.error(`bench: copying the reference tree to ${NIMBUS_ROOT} for nimbus (once)`);
    fs.mkdirSync(path.dirname(NIMBUS_ROOT), { recursive: true });
    const c = sh('cp', ['-a', REF_ROOT, NIMBUS_ROOT]);
    if (c.status !== 0) return `copying the reference tree failed: ${c.stderr}`;
    // The copy must not carry cloud-init's state or units into nimbus's runs.
    fs.rmSync(path.join(NIMBUS_ROOT, 'var/lib/cloud'), { recursive: true, force: true });
  }
  return null;
}

const DS_LIST = 'datasource_list: [NoCloud, ConfigDrive, OpenStack, Ec2, None]\n';

/** Puts a tree in its pre-first-boot state with the given seed. */
function resetTree(root, seed) {
  for (const d of ['var/lib/cloud', 'var/tmp/bench-runcmd', 'etc/bench', 'config-drive', 'var/log/cloud-init.log', 'var/log/cloud-init-output.log', 'var/log/nimbus-commands.log']) {
    fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/99-nimbus-bench.cfg'), DS_LIST);
  if (seed === 'nocloud') {
    const s = path.join(root, 'var/lib/cloud/seed/nocloud');
    fs.mkdirSync(s, { recursive: true });
    fs.writeFileSync(path.join(s, 'meta-data'), META_DATA);
    fs.writeFileSync(path.join(s, 'user-data'), USER_DATA);
  } else if (seed === 'configdrive') {
    fs.cpSync(path.join(repo, 'examples/config-drive'), path.join(root, 'var/lib/cloud/seed/config_drive'), { recursive: true });
  }
}

// ---- the two implementations --------------------------------------------------------
const STAGES = [
  ['init-local', ['init', '--local'], 'nimbus-local'],
  ['init', ['init'], 'nimbus-init'],
  ['modules-config', ['modules', '--mode', 'config'], 'nimbus-config'],
  ['modules-final', ['modules', '--mode', 'final'], 'nimbus-final'],
];

/**
 * A stage exactly as its unit starts it at boot, inside nimbus's tree (chroot), as
 * cloud-init's stages run inside theirs: the installed loader, its code cache in the
 * tree's /var/cache/nimbus, "/" as its root and commands run for real.
 */
function unitCommand(unit) {
  const text = fs.readFileSync(path.join(repo, 'units', `${unit}.service`), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error(`units/${unit}.service has no ExecStart=`);
  return ['chroot', NIMBUS_ROOT, ...line.slice('ExecStart='.length).trim().split(/\s+/)];
}

const CACHE_DIR = path.join(NIMBUS_ROOT, 'var/cache/nimbus');
/** The code caches the package's postinst made (train-code-cache), kept to restore before each first boot. */
const installedCaches = path.join(work, 'installed-caches');

/**
 * Installs this build into nimbus's tree with install.sh, and this machine's node beside
 * it, then does what the .deb's postinst does for the caches: train-code-cache, run in
 * the tree by the tree's node, measured as a stage is. Returns that measurement.
 */
function installNimbus() {
  const r = sh('bash', [path.join(repo, 'scripts/install.sh'), '--destdir', NIMBUS_ROOT, '--package']);
  if (r.status !== 0) throw new Error(`install.sh into ${NIMBUS_ROOT} failed: ${r.stderr}`);
  const treeNode = path.join(NIMBUS_ROOT, 'usr/bin/node');
  fs.rmSync(treeNode, { force: true });
  // A hard link shares the page cache with the node the rest of the bench uses.
  try {
    fs.linkSync(node, treeNode);
  } catch {
    fs.copyFileSync(node, treeNode);
    fs.chmodSync(treeNode, 0o755);
  }
  // Nothing from an earlier run: the tree holds only what the package installed.
  fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  fs.mkdirSync(CACHE_DIR, { mode: 0o755 });
  const m = measured(['chroot', NIMBUS_ROOT, '/usr/lib/nimbus/train-code-cache'], undefined, NIMBUS_ROOT);
  if (m.code !== 0) throw new Error(`train-code-cache in ${NIMBUS_ROOT} failed (exit ${m.code})`);
  fs.cpSync(CACHE_DIR, installedCaches, { recursive: true, preserveTimestamps: true });
  return m;
}

/**
 * The tree's /var/cache/nimbus before a boot: 'installed' as the package left it (the
 * caches its postinst trained), 'none' (an image made without them), or 'kept' (what
 * the boots before left: an image that was booted once).
 */
/** The cache files with their inodes and sizes: a rewrite (temp file, rename) changes the inode. */
function cacheFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.v8'))
    .sort()
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f} ${st.ino} ${st.size}`;
    })
    .join('\n');
}

function setCaches(state) {
  if (state === 'kept') return;
  fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  if (state === 'installed') fs.cpSync(installedCaches, CACHE_DIR, { recursive: true, preserveTimestamps: true });
  else fs.mkdirSync(CACHE_DIR, { mode: 0o755 });
}

function bootCloudInit(stages = STAGES) {
  const runDir = path.join(work, `ci-run${++counter}`);
  return stages.map(([name, args]) => ({ name, ...measured(['chroot', REF_ROOT, 'cloud-init', ...args], runDir) }));
}

function bootNimbus(stages = STAGES) {
  const runDir = path.join(work, `nb-run${++counter}`);
  return stages.map(([name, , unit]) => ({ name, ...measured(unitCommand(unit), runDir, NIMBUS_ROOT) }));
}

const samples = new Map(); // case -> {nimbus: [{ms, rss_kb}], cloudinit: [...]}
function record(name, who, m) {
  if (!samples.has(name)) samples.set(name, { nimbus: [], cloudinit: [] });
  samples.get(name)[who].push(m);
  if (m.code !== 0 && m.code !== undefined) samples.get(name)[`${who}_failed`] = (samples.get(name)[`${who}_failed`] ?? 0) + 1;
}

function recordBoot(prefix, who, stages) {
  const sum = (k) => stages.reduce((a, s) => a + (s[k] ?? 0), 0);
  record(prefix, who, { ms: sum('ms'), cpu_ms: sum('cpu_ms'), rss_kb: Math.max(...stages.map((s) => s.rss_kb)), code: stages.every((s) => s.code === 0) ? 0 : 1 });
  for (const s of stages) record(`${prefix}/${s.name}`, who, s);
}

// ---- run -----------------------------------------------------------------------------
// BENCH_REF=0 skips cloud-init's side and BENCH_ONLY=boots the tools and render
// figures: quicker runs while working on one stage. Published figures use neither.
const why = process.env.BENCH_REF === '0' ? 'skipped (BENCH_REF=0)' : setupReference();
const withRef = why === null;
const onlyBoots = process.env.BENCH_ONLY === 'boots';
if (!fs.existsSync(NIMBUS_ROOT)) throw new Error(`${NIMBUS_ROOT} is missing: it is a copy of the reference tree (run without BENCH_REF=0 once)`);
const training = installNimbus();
if (!withRef) console.error(`bench: ${why}; cloud-init columns will be empty`);

for (let i = 0; i < RUNS; i++) {
  process.stderr.write(`bench: run ${i + 1}/${RUNS}\n`);
  // start-up of each bundle next to a bare node
  setCaches('installed');
  record('startup/node -e 0', 'nimbus', measured(['chroot', NIMBUS_ROOT, '/usr/bin/node', '-e', '0'], undefined, NIMBUS_ROOT));
  record('startup/nimbus.js --version', 'nimbus', measured(['chroot', NIMBUS_ROOT, '/usr/bin/node', '/usr/lib/nimbus/nimbus.js', '--version'], undefined, NIMBUS_ROOT));
  for (const [, , unit] of STAGES) record(`startup/${unit} --version`, 'nimbus', measured([...unitCommand(unit), '--version'], undefined, NIMBUS_ROOT));
  for (const seed of ['nocloud', 'configdrive']) {
    const label = seed === 'nocloud' ? 'first-boot' : 'first-boot-configdrive';
    const second = seed === 'nocloud' ? 'second-boot' : 'second-boot-configdrive';
    // The first boot of an image as the package installed it (never booted: only the
    // caches its postinst made), then its second boot.
    resetTree(NIMBUS_ROOT, seed);
    setCaches('installed');
    const trained = cacheFiles(CACHE_DIR);
    recordBoot(label, 'nimbus', bootNimbus());
    // The figure means what it says only if every stage took the trained cache.
    if (cacheFiles(CACHE_DIR) !== trained) console.error(`bench: the ${label} rewrote caches the postinst made: its figure includes compiling`);
    recordBoot(second, 'nimbus', bootNimbus());
    // The same image made without install-time caches: each stage compiles and writes its own.
    resetTree(NIMBUS_ROOT, seed);
    setCaches('none');
    recordBoot(`${label}-nocache`, 'nimbus', bootNimbus());
    // An image that was booted once (the caches that boot wrote), on a new instance.
    resetTree(NIMBUS_ROOT, seed);
    setCaches('kept');
    recordBoot(`${label}-booted-once`, 'nimbus', bootNimbus());
    if (withRef) {
      resetTree(REF_ROOT, seed);
      recordBoot(label, 'cloudinit', bootCloudInit());
      recordBoot(second, 'cloudinit', bootCloudInit());
    }
  }
  resetTree(NIMBUS_ROOT, 'none');
  setCaches('installed');
  record('no-datasource', 'nimbus', bootNimbus(STAGES.slice(0, 1))[0]);
  record('no-datasource/node -e 0 (same namespaces)', 'nimbus', measured(['chroot', NIMBUS_ROOT, '/usr/bin/node', '-e', '0'], undefined, NIMBUS_ROOT));
  if (withRef) {
    resetTree(REF_ROOT, 'none');
    record('no-datasource', 'cloudinit', bootCloudInit(STAGES.slice(0, 1))[0]);
  }
}
if (withRef) resetTree(REF_ROOT, 'none');
fs.rmSync(path.join(REF_ROOT, 'etc/cloud/cloud.cfg.d/99-nimbus-bench.cfg'), { force: true });

// The two tools on large inputs: `schema` on a big cloud-config, `net-convert` on a big
// network_data.json. The inputs sit inside the reference tree so both read the same file.
const toolDirs = [REF_ROOT, NIMBUS_ROOT].map((r) => path.join(r, 'tmp/nimbus-bench'));
for (const toolDir of toolDirs) writeToolInputs(toolDir);
const nimbusCli = ['chroot', NIMBUS_ROOT, '/usr/bin/node', '/usr/lib/nimbus/nimbus.js'];
for (let i = 0; i < (onlyBoots ? 0 : RUNS); i++) {
  for (const c of toolCases('/tmp/nimbus-bench', i)) record(c.name, 'nimbus', measured([...nimbusCli, ...c.args], undefined, NIMBUS_ROOT));
  if (withRef) {
    record('schema (1000 write_files, 500 runcmd)', 'cloudinit', measured(['chroot', REF_ROOT, 'cloud-init', 'schema', '--config-file', '/tmp/nimbus-bench/big.yaml']));
    record(
      'net-convert (200 NICs, network_data.json -> eni)',
      'cloudinit',
      measured([
        'chroot',
        REF_ROOT,
        'cloud-init',
        'devel',
        'net-convert',
        '-p',
        '/tmp/nimbus-bench/big.json',
        '-k',
        'network_data.json',
        '-D',
        'debian',
        '-O',
        'eni',
        '-d',
        `/tmp/nimbus-bench/out${i}`,
        ...bigNetworkMacs(200),
      ]),
    );
  }
}
for (const toolDir of toolDirs) fs.rmSync(toolDir, { recursive: true, force: true });
setCaches('installed');

function bigCloudConfig(n) {
  const files = Array.from({ length: n }, (_, i) => `  - path: /etc/bench/f${i}\n    content: "line ${i}\\n"\n    permissions: '0644'\n    owner: root:root`);
  const cmds = Array.from({ length: n / 2 }, (_, i) => `  - [echo, "command ${i}"]`);
  return `#cloud-config\nwrite_files:\n${files.join('\n')}\nruncmd:\n${cmds.join('\n')}\n`;
}

function bigNetworkMac(k) {
  return `52:54:00:00:${[k >> 8, k & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

// The NICs of big.json named on the command line (-m NAME,MAC), as on a machine that has
// them: without it both tools refuse MACs no NIC here has, and the case measured an error.
function bigNetworkMacs(n) {
  return Array.from({ length: n }, (_, k) => ['-m', `eth${k},${bigNetworkMac(k)}`]).flat();
}

function bigNetworkData(n) {
  const links = Array.from({ length: n }, (_, k) => ({ id: `tap${k}`, type: 'phy', ethernet_mac_address: bigNetworkMac(k), mtu: 1500 }));
  const networks = Array.from({ length: n }, (_, k) => ({
    id: `net${k}`,
    type: 'ipv4',
    link: `tap${k}`,
    ip_address: `10.${k >> 8}.${k & 255}.5`,
    netmask: '255.255.255.0',
    routes: k === 0 ? [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }] : [],
  }));
  return { links, networks, services: [{ type: 'dns', address: '10.0.0.2' }] };
}

// Other figures measured by their own scripts, when those exist (rendering, schema, net-convert).
const extra = [];
for (const f of onlyBoots
  ? []
  : fs
      .readdirSync(path.join(repo, 'bench'))
      .filter((f) => /^bench-.*\.mjs$/.test(f))
      .sort()) {
  const r = sh(node, [path.join(repo, 'bench', f)], { env: { ...process.env, BENCH_JSON: '1', BENCH_RUNS: String(RUNS), REF_ROOT, REF_SCRIPT } });
  if (r.status !== 0) {
    console.error(`bench: ${f} failed:\n${r.stderr}`);
    continue;
  }
  extra.push(...JSON.parse(r.stdout).cases);
}

// ---- report ---------------------------------------------------------------------------
const cases = [];
for (const [name, s] of samples) {
  const c = {
    name,
    nimbus_ms: median(s.nimbus.map((m) => m.ms)),
    cloudinit_ms: median(s.cloudinit.map((m) => m.ms)),
    nimbus_cpu_ms: median(s.nimbus.map((m) => m.cpu_ms)),
    cloudinit_cpu_ms: median(s.cloudinit.map((m) => m.cpu_ms)),
    nimbus_rss_kb: median(s.nimbus.map((m) => m.rss_kb)),
    cloudinit_rss_kb: median(s.cloudinit.map((m) => m.rss_kb)),
    runs: s.nimbus.length,
  };
  if (s.nimbus_failed) c.nimbus_nonzero_exits = s.nimbus_failed;
  if (s.cloudinit_failed) c.cloudinit_nonzero_exits = s.cloudinit_failed;
  if (c.nimbus_ms && c.cloudinit_ms) c.speedup = Math.round((c.cloudinit_ms / c.nimbus_ms) * 10) / 10;
  if (c.nimbus_cpu_ms && c.cloudinit_cpu_ms) c.cpu_speedup = Math.round((c.cloudinit_cpu_ms / c.nimbus_cpu_ms) * 10) / 10;
  if (c.nimbus_rss_kb && c.cloudinit_rss_kb) c.rss_ratio = Math.round((c.nimbus_rss_kb / c.cloudinit_rss_kb) * 100) / 100;
  cases.push(c);
}
cases.push(...extra);
const base = cases.find((c) => c.name === 'no-datasource/node -e 0 (same namespaces)');
const nods = cases.find((c) => c.name === 'no-datasource');
if (base && nods) nods.over_bare_node_ms = Math.round((nods.nimbus_ms - base.nimbus_ms) * 10) / 10;
const results = {
  generated: new Date().toISOString(),
  node: process.version,
  runs: RUNS,
  cpus: os.cpus().length,
  reference: withRef ? 'Debian cloud-init 22.4 (chroot)' : `unavailable: ${why}`,
  // What the postinst's train-code-cache cost, once, at install time.
  install_training: { ms: training.ms, cpu_ms: training.cpu_ms, rss_kb: training.rss_kb },
  cases,
};
const partial = onlyBoots || process.env.BENCH_REF === '0';
const resultsFile = partial ? path.join(os.tmpdir(), 'nimbus-bench-partial.json') : path.join(repo, 'bench/results.json');
fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');

const fmt = (v, d = 0) => (v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(d) : String(v));
const rows = [['case', 'nimbus ms', 'cloud-init ms', 'speed-up', 'nimbus CPU ms', 'cloud-init CPU ms', 'nimbus RSS KB', 'cloud-init RSS KB', 'RSS ratio']];
for (const c of cases) {
  rows.push([
    c.name,
    fmt(c.nimbus_ms, 1),
    fmt(c.cloudinit_ms, 1),
    c.speedup ? `${c.speedup}x` : '-',
    fmt(c.nimbus_cpu_ms, 1),
    fmt(c.cloudinit_cpu_ms, 1),
    fmt(c.nimbus_rss_kb),
    fmt(c.cloudinit_rss_kb),
    fmt(c.rss_ratio, 2),
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
if (nods?.over_bare_node_ms !== undefined) console.log(`\nlocal stage with no datasource: ${nods.over_bare_node_ms} ms over a bare node -e 0 (target: within 50 ms)`);
console.log(`\ninstall time (postinst's train-code-cache, once): ${fmt(training.ms, 1)} ms, ${fmt(training.cpu_ms, 1)} ms CPU, ${fmt(training.rss_kb)} KB RSS`);
console.log(`\nmedian of ${RUNS} runs; written to ${path.relative(repo, resultsFile)}`);
fs.rmSync(work, { recursive: true, force: true });
