// test-lane: full (installs nimbus and builds and unpacks the .deb)
// Code caches made at install time (train-code-cache, run by install.sh and by the .deb's
// postinst): each stage's V8 code cache and zod's are in the tree's /var/cache/nimbus
// before any boot, a boot uses them without rewriting any, and a reinstall of another
// build replaces the old ones. The training runs on a scratch tree: nothing else changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BOOT_STAGES } from '../../packages/core/src/index.js';
import { ensureCommand } from '../helpers/apt.js';
import { makeRoot } from '../helpers/boot.js';
import { REPO, ls, tempRoot, write } from './helpers.js';

const PROGRAMS = [...BOOT_STAGES.map((s) => `nimbus-${s}`), 'nimbus-zod'].sort();
/** The program a cache file belongs to: nimbus-init-<build id>-<node>-<arch>.v8 -> nimbus-init. */
const program = (f: string) => f.replace(/-[0-9a-f]{16}-.*$/, '');

function caches(tree: string): string[] {
  return ls(tree, 'var/cache/nimbus').filter((f) => f.endsWith('.v8'));
}

/** Every file under `dir` with its size and mtime, to show what a run changed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      const st = fs.lstatSync(path.join(dir, r));
      out.set(r, `${st.mode} ${st.size} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** The trainer of an installed tree, run as postinst runs it but with that tree as its prefix. */
function train(tree: string, tmp: string) {
  return spawnSync('sh', [path.join(tree, 'usr/lib/nimbus/train-code-cache'), '--prefix', tree], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
}

/** A whole boot by the installed daemons, each its own process, with the tree's caches. */
function bootInstalled(tree: string): void {
  const root = makeRoot();
  for (const s of BOOT_STAGES) {
    const r = spawnSync(process.execPath, [path.join(tree, `usr/lib/nimbus/nimbus-${s}.js`), '--root', root, '--exec', 'record'], {
      encoding: 'utf8',
      env: { ...process.env, NIMBUS_CODE_CACHE_DIR: path.join(tree, 'var/cache/nimbus') },
    });
    assert.equal(r.status, 0, `nimbus-${s}: ${r.stderr}`);
  }
}

test('install.sh leaves a code cache for each stage and zod, and the first boot uses them without rewriting one', () => {
  const d = tempRoot('install-cc');
  const r = spawnSync('bash', [path.join(REPO, 'scripts/install.sh'), '--destdir', d], { encoding: 'utf8', cwd: REPO });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /train-code-cache: 5 code caches in /);
  const made = caches(d);
  assert.deepEqual(made.map(program), PROGRAMS);
  // Bound to this Node and architecture (and, by the hex id, to the bundle's build).
  for (const f of made) assert.ok(f.endsWith(`-${process.version}-${process.arch}.v8`), f);
  assert.ok(fs.existsSync(path.join(d, 'usr/share/nimbus/example-seed/config-drive/openstack/latest/meta_data.json')));

  const before = snapshot(path.join(d, 'var/cache/nimbus'));
  bootInstalled(d);
  assert.deepEqual(changed(before, snapshot(path.join(d, 'var/cache/nimbus'))), [], 'the boot rewrote no cache');
});

test("training again for another build removes the old build's caches and keeps the directory's other files", () => {
  const d = tempRoot('install-cc-upgrade');
  const tmp = tempRoot('install-cc-tmp');
  assert.equal(spawnSync('bash', [path.join(REPO, 'scripts/install.sh'), '--destdir', d], { cwd: REPO }).status, 0);
  // What an older package and another Node left, and a file that is not a code cache.
  const stale = ['nimbus-init-0123456789abcdef-v18.19.0-x64.v8', 'nimbus-zod-fedcba9876543210-v20.20.2-x64.v8', 'nimbus-local-58f1e7a34477c175-v18.19.0-x64.v8.99.tmp'];
  for (const f of stale) write(d, `var/cache/nimbus/${f}`, 'old');
  write(d, 'var/cache/nimbus/parsed-config.json', '{}');
  const r = train(d, tmp);
  assert.equal(r.status, 0, r.stderr);
  const files = ls(d, 'var/cache/nimbus');
  for (const f of stale) assert.ok(!files.includes(f), `${f} removed`);
  assert.ok(files.includes('parsed-config.json'));
  assert.deepEqual(caches(d).map(program), PROGRAMS);
  assert.deepEqual(ls(tmp, '.'), [], 'the scratch tree is removed');
});

test("the .deb's postinst trains the caches; on the unpacked package the training changes nothing but the cache directory", () => {
  assert.ok(ensureCommand('dpkg-deb', 'dpkg'), 'dpkg-deb is needed');
  const out = tempRoot('deb-cc');
  const p = spawnSync('bash', [path.join(REPO, 'scripts/package.sh'), '--no-build', '--no-rpm', '--out', out], { encoding: 'utf8', cwd: REPO });
  assert.equal(p.status, 0, p.stderr);
  const deb = p.stdout.trim();
  const ctl = tempRoot('deb-cc-ctl');
  assert.equal(spawnSync('dpkg-deb', ['-e', deb, ctl]).status, 0);
  // postinst runs the script both packages share, and that script trains.
  assert.match(fs.readFileSync(path.join(ctl, 'postinst'), 'utf8'), /^\s+\/usr\/lib\/nimbus\/post-install$/m);

  // Unpacked as dpkg would lay it out: the package ships the trainer, the seed and an
  // empty cache directory (the caches belong to the system it lands on).
  const x = tempRoot('deb-cc-x');
  assert.equal(spawnSync('dpkg-deb', ['-x', deb, x]).status, 0);
  assert.match(fs.readFileSync(path.join(x, 'usr/lib/nimbus/post-install'), 'utf8'), /^if ! \/usr\/lib\/nimbus\/train-code-cache; then$/m);
  assert.equal(fs.statSync(path.join(x, 'usr/lib/nimbus/train-code-cache')).mode & 0o777, 0o755);
  assert.deepEqual(caches(x), []);
  const tmp = tempRoot('deb-cc-tmp');
  const before = snapshot(x);
  const r = train(x, tmp);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    changed(before, snapshot(x)).filter((f) => !f.startsWith('var/cache/nimbus/')),
    ['var/cache/nimbus'],
    'only the cache directory changed',
  );
  assert.deepEqual(caches(x).map(program), PROGRAMS);
  assert.deepEqual(ls(tmp, '.'), [], 'the scratch tree is removed');

  const cacheBefore = snapshot(path.join(x, 'var/cache/nimbus'));
  bootInstalled(x);
  assert.deepEqual(changed(cacheBefore, snapshot(path.join(x, 'var/cache/nimbus'))), [], 'the boot rewrote no cache');
});
