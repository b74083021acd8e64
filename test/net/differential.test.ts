// test-lane: full (the reference chroot (builds it the first time))
// Differential test against Debian's cloud-init, 22.4 (Debian 12) and 25.1 (Debian 13,
// the one nimbus follows where they disagree), through `cloud-init-ref.sh net-convert`
// in a chroot (all jobs of a reference in one batch): the same corpus input through both must mean the same thing, fact by
// fact, except the differences listed with their reasons in differences.json (and in
// docs/networking.md), each for both references unless it names one (`suite`). Skips,
// saying why, when a reference cannot be set up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpus, NET_DIR, OUTPUTS, renderEntry } from './corpus.js';
import { facts, type Files } from './meaning.js';
import { tempDir } from '../helpers/temp-root.js';
import { REF_ROOT, REF_SCRIPT, referenceBuilt, referenceRoot, type RefSuite } from '../helpers/reference.js';

const REF = REF_SCRIPT;

const SUITES: { suite: RefSuite; label: string }[] = [
  { suite: 'bookworm', label: 'cloud-init 22.4' },
  { suite: 'trixie', label: 'cloud-init 25.1' },
];

const suiteEnv = (suite: RefSuite) => ({ ...process.env, REF_SUITE: suite, REF_ROOT: '' });

function referenceReady(suite: RefSuite): string | null {
  if (process.getuid?.() !== 0) return 'the reference chroot needs root';
  if (!fs.existsSync(path.join(referenceRoot(suite), 'usr/bin/cloud-init'))) {
    const r = spawnSync('bash', [REF, 'setup'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000, env: suiteEnv(suite) });
    if (r.status !== 0) return `cloud-init-ref.sh setup (${suite}) failed (exit ${r.status}): debootstrap or the mirror is not usable here`;
  }
  return null;
}

function defaultReady(): string | null {
  if (process.getuid?.() !== 0) return 'the reference chroot needs root';
  return referenceBuilt() ? null : referenceReady((process.env.REF_SUITE as RefSuite | undefined) ?? 'bookworm');
}

function readTree(dir: string): Files {
  const out: Files = new Map();
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.set('/' + path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

interface Known {
  input?: string;
  /** A regular expression over input names, for a difference shared by several inputs. */
  inputs?: string;
  renderer?: string;
  /** Only against this reference (bookworm: cloud-init 22.4, trixie: 25.1). */
  suite?: RefSuite;
  /** A regular expression over the fact ("+ " nimbus only, "- " cloud-init only). */
  fact: string;
  reason: string;
}

const known = JSON.parse(fs.readFileSync(path.join(NET_DIR, 'differences.json'), 'utf8')) as Known[];

interface RefResult {
  status: number;
  stderr: string;
  out: string;
}

// Every (input, output) of the corpus through one reference, in one process
// (`cloud-init-ref.sh net-convert-batch`): one net-convert per job costs seconds of
// Python imports, and the corpus has hundreds of jobs.
function referenceRun(suite: RefSuite): { dir: string; results: Map<string, RefResult> } {
  const dir = tempDir('nimbus-ref-batch-');
  const jobs: { id: string; args: string[] }[] = [];
  const results = new Map<string, RefResult>();
  for (const e of corpus()) {
    const input = path.join(dir, `in-${jobs.length}`);
    fs.copyFileSync(e.file, input);
    for (const { renderer, distro, label } of OUTPUTS) {
      const id = `job${jobs.length}`;
      jobs.push({ id, args: ['-p', input, '-k', e.kind, '-D', distro, '-O', renderer, '-d', path.join(dir, `${id}.out`), ...e.macArgs] });
      results.set(`${e.name} ${label}`, { status: -1, stderr: '', out: path.join(dir, `${id}.out`) });
    }
  }
  fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(jobs));
  const r = spawnSync('bash', [REF, 'net-convert-batch', path.join(dir, 'jobs.json')], { encoding: 'utf8', timeout: 1_800_000, env: suiteEnv(suite) });
  if (r.status !== 0) throw new Error(`cloud-init-ref.sh net-convert-batch (${suite}) failed (exit ${r.status}): ${r.stderr.trim().slice(-500)}`);
  let k = 0;
  for (const res of results.values()) {
    const id = `job${k++}`;
    const rc = path.join(dir, `${id}.rc`);
    res.status = fs.existsSync(rc) ? Number(fs.readFileSync(rc, 'utf8')) : -1;
    res.stderr = fs.existsSync(path.join(dir, `${id}.err`)) ? fs.readFileSync(path.join(dir, `${id}.err`), 'utf8') : '';
  }
  return { dir, results };
}

for (const { suite, label } of SUITES) {
  const skip = referenceReady(suite);
  const ref = skip === null ? referenceRun(suite) : null;
  for (const e of corpus()) {
    for (const { renderer, distro, label: out } of OUTPUTS) {
      test(`differential (${label}): ${e.name} -> ${out}`, { skip: skip ?? false }, () => {
        const r = ref?.results.get(`${e.name} ${out}`);
        assert.ok(r, `no reference run for ${e.name} -> ${out}`);
        const ours = facts(new Map([...renderEntry(e, renderer, distro)].map(([p, f]) => [p, f.content])));
        const diffs: string[] = [];
        if (r.status !== 0) {
          const why = (r.stderr.trim().split('\n').pop() ?? '').slice(0, 200);
          diffs.push(`! cloud-init fails: ${why}`);
        } else {
          const theirs = facts(readTree(r.out));
          for (const f of ours) if (!theirs.has(f)) diffs.push(`+ ${f}`);
          for (const f of theirs) if (!ours.has(f)) diffs.push(`- ${f}`);
        }
        const unexplained = diffs.filter(
          (d) =>
            !known.some(
              (k) =>
                (k.input === undefined || k.input === e.name) &&
                (k.inputs === undefined || new RegExp(k.inputs).test(e.name)) &&
                (k.renderer === undefined || k.renderer === out) &&
                (k.suite === undefined || k.suite === suite) &&
                new RegExp(k.fact).test(d),
            ),
        );
        assert.deepEqual(unexplained, [], `differences from ${label} not listed in test/net/differences.json`);
      });
    }
  }
}

test('every difference from cloud-init is written down in docs/networking.md', () => {
  const doc = fs.readFileSync(path.join(NET_DIR, '../../docs/networking.md'), 'utf8');
  for (const k of known) assert.ok(doc.includes(k.reason), `docs/networking.md lacks: ${k.reason}`);
});

// ifupdown itself (the reference chroot has it) must read every ENI file nimbus writes,
// list the same auto interfaces, and find a stanza for every configured interface.
const eniSkip = defaultReady();
for (const e of corpus()) {
  test(`ifupdown reads nimbus's ENI for ${e.name}`, { skip: eniSkip ?? false }, () => {
    const text = renderEntry(e, 'eni').get('/etc/network/interfaces.d/50-cloud-init')!.content;
    const dir = fs.mkdtempSync(path.join(REF_ROOT, 'tmp/nimbus-eni-'));
    try {
      fs.writeFileSync(path.join(dir, 'interfaces'), text);
      const file = `/tmp/${path.basename(dir)}/interfaces`;
      const q = (...args: string[]) => spawnSync('chroot', [REF_ROOT, 'ifquery', `--interfaces=${file}`, ...args], { encoding: 'utf8' });
      const list = q('--list', '-a');
      assert.equal(list.status, 0, list.stderr);
      const autos = text
        .split('\n')
        .filter((l) => l.startsWith('auto '))
        .map((l) => l.slice(5));
      assert.deepEqual(list.stdout.trim().split('\n'), autos);
      for (const name of text
        .split('\n')
        .filter((l) => l.startsWith('iface '))
        .map((l) => l.split(' ')[1] as string)) {
        const one = q(name);
        assert.equal(one.status, 0, `${name}: ${one.stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
