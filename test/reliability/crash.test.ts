// test-lane: full (crash campaign: every stage killed at many points)
// Crash consistency: every stage SIGKILLed at random points, then the machine boots again.
// After every kill, no file is half-written (each is one of the complete versions a clean
// boot writes, or a log whose lines are whole); after the next boot, the tree is the
// clean boot's tree (nothing lost, nothing extra), every per-instance command was recorded
// exactly once (never twice; not at all only when status says the module was interrupted),
// and status is consistent. NIMBUS_CRASH_RUNS sets the number of runs (default 52).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { IID, LOGS, STAGES, TEMP_FILE, boot, commandRecord, emptyRun, makeCrashRoot, normalize, runStage, tree, type Stage } from './crash-harness.js';
import { tempDir } from '../helpers/temp-root.js';
import { BUILTIN_MODULES } from '../../packages/core/src/modules/registry.js';

/** Modules that run again after a crash rather than being reported interrupted (users_groups, ssh, ...). */
const RERUN = new Set(BUILTIN_MODULES.filter((m) => m.rerunAfterInterruption === true).map((m) => m.name));
/** The commands those modules run (the reference's run-once commands all come from them). */
const RERUN_COMMAND = /^(useradd|groupadd|usermod|passwd|chpasswd|ssh-keygen|hostname|hostnamectl) /;

const RUNS = Number(process.env['NIMBUS_CRASH_RUNS'] ?? 50);
const PARALLEL = 2;

interface Reference {
  /** The root before each stage of the first boot (index 0: before init-local), and after the last. */
  snapshots: string[];
  steps: Record<Stage, number>;
  ms: Record<Stage, number>;
  /** The tree after two clean boots, normalized. */
  final: Map<string, string>;
  /** Every normalized content each path had at the end of any stage of the clean boots. */
  versions: Map<string, Set<string>>;
  /** Per-instance commands (argv joined) -> the module that runs them. */
  perInstance: Map<string, string>;
  /** Every command recorded exactly once over the two clean boots. */
  once: string[];
}

function copyRoot(from: string): string {
  const to = tempDir('nimbus-crash-');
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

function normalizedTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, v] of tree(root)) out.set(rel, typeof v === 'string' ? v : normalize(rel, v));
  return out;
}

function addVersions(versions: Map<string, Set<string>>, t: Map<string, string>): void {
  for (const [rel, v] of t) {
    if (!versions.has(rel)) versions.set(rel, new Set());
    (versions.get(rel) as Set<string>).add(v);
  }
}

function moduleOf(argv: string): string | null {
  if (/\/instances\/[^/]+\/scripts\//.test(argv)) return 'scripts_user';
  if (argv.includes('/scripts/per-instance/')) return 'scripts_per_instance';
  if (argv.includes('/scripts/per-once/')) return 'scripts_per_once';
  return null;
}

async function reference(): Promise<Reference> {
  const root = makeCrashRoot();
  const snapshots = [copyRoot(root)];
  const steps = {} as Record<Stage, number>;
  const ms = {} as Record<Stage, number>;
  const versions = new Map<string, Set<string>>();
  addVersions(versions, normalizedTree(root));
  for (const s of STAGES) {
    const r = await runStage(root, s, { killAfterWrites: 1_000_000 });
    assert.equal(r.code, 0, `clean ${s}: ${r.stderr}`);
    const m = /nimbus-test: (\d+) write steps/.exec(r.stderr);
    assert.ok(m, r.stderr);
    steps[s] = Number(m[1]);
    ms[s] = r.ms;
    snapshots.push(copyRoot(root));
    addVersions(versions, normalizedTree(root));
  }
  emptyRun(root);
  for (const s of STAGES) {
    assert.equal((await runStage(root, s)).code, 0);
    addVersions(versions, normalizedTree(root));
  }
  const perInstance = new Map<string, string>();
  const all = new Map<string, number>();
  for (const rec of commandRecord(root)) all.set(rec.argv.join(' '), (all.get(rec.argv.join(' ')) ?? 0) + 1);
  // Bringing the network up (ifdown/ifup, ip, networkctl, nmcli, udevadm) follows the boot, not a module:
  // a reboot after a crash brings it up from the rendered files instead.
  const NET_UP = /^(ifup|ifdown|ip|networkctl|nmcli|udevadm|systemctl|netplan) /;
  const once = [...all].filter(([c, n]) => n === 1 && moduleOf(c) === null && !NET_UP.test(c)).map(([c]) => c);
  for (const rec of commandRecord(root)) {
    const a = rec.argv.join(' ');
    const mod = moduleOf(a);
    if (mod !== null) perInstance.set(a, mod);
  }
  assert.equal(perInstance.size, 4, `the reference boot ran the four per-instance scripts: ${[...perInstance.keys()].join(', ')}`);
  process.stdout.write(
    `# crash reference: ${all.size} distinct commands, ${perInstance.size} per-instance scripts, ${once.length} other commands run once (${once.map((c) => c.split(' ')[0]).join(', ')})\n`,
  );
  const final = normalizedTree(root);
  // The files of the modules that run again after a crash: the campaign checks them on every recovery.
  for (const f of ['etc/sudoers.d/90-cloud-init-users', 'home/crashuser/.ssh/authorized_keys']) assert.ok(final.has(f), `the reference boot wrote ${f}`);
  fs.rmSync(root, { recursive: true, force: true });
  return { snapshots, steps, ms, final, versions, perInstance, once };
}

/** Right after a kill: every file is a complete version (or a temp file not yet renamed, or a whole-line log). */
function checkAfterKill(ref: Reference, root: string, what: string): void {
  for (const [rel, v] of tree(root)) {
    if (typeof v === 'string' || TEMP_FILE.test(rel)) continue;
    if (LOGS.has(rel)) {
      assert.ok(v.length === 0 || v[v.length - 1] === 0x0a, `${what}: ${rel} ends in a torn line`);
      continue;
    }
    if (/\.lock(\.break)?$/.test(rel) || rel.endsWith('.started')) continue;
    const n = normalize(rel, v);
    const known = ref.versions.get(rel);
    if (known?.has(n)) continue;
    // status.json and result.json are rewritten within a stage: they must at least be whole JSON.
    if (rel.endsWith('.json')) {
      assert.doesNotThrow(() => JSON.parse(v.toString('utf8')), `${what}: ${rel} is not whole JSON`);
      continue;
    }
    assert.fail(`${what}: ${rel} is not any complete version a clean boot writes:\n${n.slice(0, 300)}`);
  }
}

interface Outcome {
  killed: number;
  interrupted: string[];
}

/** After the recovery boot: the clean tree, each per-instance command exactly once, consistent status. */
function checkRecovered(ref: Reference, root: string, what: string, kills: number): Outcome {
  const status = JSON.parse(fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8')) as { v1: Record<string, unknown> };
  const v1 = status.v1;
  assert.equal(v1['stage'], null, `${what}: status says a stage is still running`);
  const errors: string[] = [];
  for (const s of ['init-local', 'init', 'modules-config', 'modules-final']) {
    const st = v1[s] as { start: number | null; finished: number | null; errors: string[] };
    assert.equal(typeof st.start, 'number', `${what}: ${s} start`);
    assert.ok((st.finished as number) >= (st.start as number), `${what}: ${s} finished`);
    errors.push(...st.errors);
  }
  const result = JSON.parse(fs.readFileSync(path.join(root, 'var/lib/cloud/data/result.json'), 'utf8')) as { v1: { errors: string[] } };
  assert.deepEqual(result.v1.errors, errors, `${what}: result.json and status.json disagree`);
  const interrupted: string[] = [];
  for (const e of errors) {
    const m = /^(\w+) was interrupted in an earlier boot after it had started running commands/.exec(e.replace(/^[^:]*: /, ''));
    assert.ok(m, `${what}: unexpected error in status: ${e}`);
    assert.ok(!RERUN.has(m[1] as string), `${what}: ${m[1]} is safe to run again, yet it was reported interrupted and not run`);
    interrupted.push(m[1] as string);
  }

  const counts = new Map<string, number>();
  for (const rec of commandRecord(root)) {
    const a = rec.argv.join(' ');
    counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  for (const [cmd, mod] of ref.perInstance) {
    const n = counts.get(cmd) ?? 0;
    assert.ok(n <= 1, `${what}: ${cmd} ran ${n} times`);
    if (n === 0) assert.ok(interrupted.includes(mod), `${what}: ${cmd} never ran, and status does not say ${mod} was interrupted`);
  }
  // Every other command a clean pair of boots runs once. Those of modules that run again
  // after a crash (useradd, ssh-keygen, ...) always ran, and ran again only after a kill
  // (under --exec record the tree's passwd never learns the user, so a re-run records
  // useradd again; on a machine users_groups skips a user that exists). The others: at
  // most once, and if never, a module says why.
  for (const cmd of ref.once) {
    const n = counts.get(cmd) ?? 0;
    if (RERUN_COMMAND.test(`${cmd} `)) {
      assert.ok(n >= 1, `${what}: ${cmd} never ran, though its module runs again after a crash`);
      assert.ok(n <= 1 + kills, `${what}: ${cmd} ran ${n} times after ${kills} kill(s)`);
      continue;
    }
    assert.ok(n <= 1, `${what}: ${cmd} ran ${n} times`);
    if (n === 0) assert.ok(interrupted.length > 0, `${what}: ${cmd} never ran, and status reports no interrupted module`);
  }

  const got = normalizedTree(root);
  for (const [rel, v] of ref.final) {
    if (LOGS.has(rel)) continue;
    if (rel === 'var/lib/cloud/data/status.json' || rel === 'var/lib/cloud/data/result.json') continue;
    // Modules that write files and run commands (users_groups: sudoers, authorized_keys;
    // ssh) run again after a crash, so nothing a clean boot writes may be missing; the
    // modules still reported interrupted (user scripts) write no file of the tree.
    assert.ok(got.has(rel), `${what}: ${rel} is missing after the recovery boot${interrupted.length > 0 ? ` (interrupted: ${interrupted.join(', ')})` : ''}`);
    // /run is this boot's: it is what a first boot (no cache yet) or a later boot writes.
    if (rel.startsWith('run/') && ref.versions.get(rel)?.has(got.get(rel) as string)) continue;
    assert.equal(got.get(rel), v, `${what}: ${rel} differs from a clean boot's`);
  }
  for (const rel of got.keys()) {
    if (LOGS.has(rel)) continue;
    if (rel.startsWith('run/') && ref.versions.get(rel)?.has(got.get(rel) as string)) continue;
    assert.ok(ref.final.has(rel), `${what}: ${rel} is left over after the recovery boot`);
  }
  return { killed: 0, interrupted };
}

interface Plan {
  stage: number;
  mode: 'writes' | 'timer';
  point: number;
  /** Also kill the recovery boot. */
  second: { stage: number; point: number } | null;
}

async function crashRun(ref: Reference, plan: Plan, what: string): Promise<Outcome> {
  const root = copyRoot(ref.snapshots[plan.stage] as string);
  try {
    const stage = STAGES[plan.stage] as Stage;
    const opts = plan.mode === 'writes' ? { killAfterWrites: plan.point } : { killAfterMs: plan.point };
    const r = await runStage(root, stage, opts);
    let killed = r.signal === 'SIGKILL' ? 1 : 0;
    if (killed === 0) assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    checkAfterKill(ref, root, what);
    if (plan.second !== null) {
      // The recovery boot dies too, before it is done: the third boot must still recover.
      emptyRun(root);
      for (let i = 0; i < plan.second.stage; i++) await runStage(root, STAGES[i] as Stage);
      const r2 = await runStage(root, STAGES[plan.second.stage] as Stage, { killAfterWrites: plan.second.point });
      if (r2.signal === 'SIGKILL') killed++;
      checkAfterKill(ref, root, `${what}, second kill`);
    }
    const runs = await boot(root);
    runs.forEach((x, i) => assert.ok(x.code === 0 || x.code === 1, `${what}: recovery ${STAGES[i]} exit ${x.code}: ${x.stderr}`));
    for (const x of runs) assert.ok(!/\n\s+at /.test(x.stderr), `${what}: a stack trace: ${x.stderr}`);
    const out = checkRecovered(ref, root, what, killed);
    return { ...out, killed };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test(`crash consistency: ${RUNS} runs, each stage SIGKILLed at random points, then booted again`, { timeout: 1_500_000 }, async () => {
  const ref = await reference();
  try {
    const total = STAGES.reduce((a, s) => a + ref.steps[s], 0);
    process.stdout.write(`# write steps per stage: ${STAGES.map((s) => `${s} ${ref.steps[s]}`).join(', ')} (${total} in a boot)\n`);
    const plans = fc
      .sample(
        fc.record({
          stage: fc.integer({ min: 0, max: 3 }),
          mode: fc.constantFrom<'writes' | 'timer'>('writes', 'writes', 'timer'),
          frac: fc.double({ min: 0, max: 1, noNaN: true }),
          second: fc.oneof(
            { weight: 3, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.record({ stage: fc.integer({ min: 0, max: 3 }), frac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
          ),
        }),
        { numRuns: RUNS, seed: Number(process.env['NIMBUS_CRASH_SEED'] ?? 20261122) },
      )
      .map((p): Plan => {
        const s = STAGES[p.stage] as Stage;
        const point = p.mode === 'writes' ? 1 + Math.floor(p.frac * ref.steps[s]) : Math.round(p.frac * ref.ms[s]);
        const second = p.second ? { stage: p.second.stage, point: 1 + Math.floor(p.second.frac * ref.steps[STAGES[p.second.stage] as Stage]) } : null;
        return { stage: p.stage, mode: p.mode, point, second };
      });
    let killed = 0;
    const interrupted: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < plans.length) {
        const i = next++;
        const p = plans[i] as Plan;
        const what = `run ${i} (kill ${STAGES[p.stage]} after ${p.point} ${p.mode === 'writes' ? 'write steps' : 'ms'}${p.second ? `, then ${STAGES[p.second.stage]} after ${p.second.point} write steps` : ''})`;
        const o = await crashRun(ref, p, what);
        killed += o.killed;
        interrupted.push(...o.interrupted);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    process.stdout.write(`# crash: ${plans.length} runs, ${killed} kills survived, ${interrupted.length} modules reported interrupted (${[...new Set(interrupted)].join(', ') || 'none'})\n`);
    assert.ok(killed >= RUNS, `only ${killed} kills in ${RUNS} runs`);
  } finally {
    for (const s of ref.snapshots) fs.rmSync(s, { recursive: true, force: true });
  }
});

test('a stage killed between a script and the semaphore of its module never runs the script twice', { timeout: 600_000 }, async () => {
  const root0 = makeCrashRoot();
  try {
    for (const s of ['local', 'init', 'config'] as const) assert.equal((await runStage(root0, s)).code, 0);
    const before = commandRecord(root0).length; // the boothook, recorded by init
    const recorded = async (n: number): Promise<{ root: string; lines: number }> => {
      const root = copyRoot(root0);
      const r = await runStage(root, 'final', { killAfterWrites: n });
      assert.equal(r.signal, 'SIGKILL', `final with ${n} write steps was not killed`);
      return { root, lines: commandRecord(root).length - before };
    };
    // The first kill point after which final has recorded a command: binary search.
    let lo = 1;
    let hi = 60;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const { root, lines } = await recorded(mid);
      fs.rmSync(root, { recursive: true, force: true });
      if (lines > 0) hi = mid;
      else lo = mid + 1;
    }
    let interrupted = 0;
    for (let n = Math.max(1, lo - 3); n <= lo + 4; n++) {
      const { root } = await recorded(n);
      try {
        const again = await runStage(root, 'final');
        assert.ok(again.code === 0 || again.code === 1, again.stderr);
        const counts = new Map<string, number>();
        for (const rec of commandRecord(root)) counts.set(rec.argv.join(' '), (counts.get(rec.argv.join(' ')) ?? 0) + 1);
        for (const [cmd, c] of counts) if (!cmd.includes('/per-boot/')) assert.ok(c <= 1, `killed after ${n} steps: ${cmd} recorded ${c} times`);
        if (/\w+ was interrupted in an earlier boot/.test(again.stderr)) interrupted++;
        const status = fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8');
        assert.equal(/was interrupted in an earlier boot/.test(status), /was interrupted in an earlier boot/.test(again.stderr), 'the interruption is in status.json');
        assert.ok(!fs.readdirSync(path.join(root, `var/lib/cloud/instances/${IID}/sem`)).some((f) => f.endsWith('.started')), 'no marker left');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
    assert.ok(interrupted > 0, 'some kill landed inside a script module');
  } finally {
    fs.rmSync(root0, { recursive: true, force: true });
  }
});

test('init-local killed at any write step: the next boot still writes the network configuration', { timeout: 600_000 }, async () => {
  const root0 = makeCrashRoot();
  try {
    const probe = copyRoot(root0);
    const r = await runStage(probe, 'local', { killAfterWrites: 1_000_000 });
    fs.rmSync(probe, { recursive: true, force: true });
    const steps = Number(/nimbus-test: (\d+) write steps/.exec(r.stderr)?.[1] ?? 0);
    assert.ok(steps > 10, r.stderr);
    const missing: number[] = [];
    let next = 1;
    const worker = async () => {
      while (next <= steps) {
        const n = next++;
        const root = copyRoot(root0);
        try {
          await runStage(root, 'local', { killAfterWrites: n });
          emptyRun(root);
          await runStage(root, 'local');
          if (!fs.existsSync(path.join(root, 'etc/network/interfaces.d/50-cloud-init'))) missing.push(n);
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(
      missing.sort((a, b) => a - b),
      [],
      `killed after these write steps, the next boot wrote no network configuration`,
    );
  } finally {
    fs.rmSync(root0, { recursive: true, force: true });
  }
});

test('init killed at each write step inside users_groups and ssh: the next boot runs them again, and the sudo rule and login keys are there', { timeout: 900_000 }, async () => {
  const root0 = makeCrashRoot();
  try {
    assert.equal((await runStage(root0, 'local')).code, 0);
    const sem = (m: string) => path.join(`var/lib/cloud/instances/${IID}/sem`, `config_${m}`);
    const probe = copyRoot(root0);
    const r = await runStage(probe, 'init', { killAfterWrites: 1_000_000 });
    fs.rmSync(probe, { recursive: true, force: true });
    const steps = Number(/nimbus-test: (\d+) write steps/.exec(r.stderr)?.[1] ?? 0);
    assert.ok(steps > 10, r.stderr);
    // Every kill point that leaves users_groups or ssh started but not done, then a recovery boot from each.
    const inside: { n: number; mod: string }[] = [];
    const failures: string[] = [];
    let next = 1;
    const worker = async () => {
      while (next <= steps) {
        const n = next++;
        const root = copyRoot(root0);
        try {
          await runStage(root, 'init', { killAfterWrites: n });
          const mod = ['users_groups', 'ssh'].find((m) => fs.existsSync(path.join(root, `${sem(m)}.started`)) && !fs.existsSync(path.join(root, sem(m))));
          if (mod === undefined) continue;
          inside.push({ n, mod });
          const runs = await boot(root);
          const stderr = runs.map((x) => x.stderr).join('');
          if (/was interrupted in an earlier boot after it had started running commands; it is not run again/.test(stderr)) failures.push(`${n} (${mod}): reported interrupted, not run again`);
          for (const f of ['etc/sudoers.d/90-cloud-init-users', 'home/crashuser/.ssh/authorized_keys'])
            if (!fs.existsSync(path.join(root, f))) failures.push(`${n} (${mod}): ${f} missing after the recovery boot`);
          if (fs.existsSync(path.join(root, `${sem(mod)}.started`))) failures.push(`${n} (${mod}): the marker is left`);
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    process.stdout.write(`# re-run rule: ${inside.length} kill points inside users_groups or ssh (${[...new Set(inside.map((i) => i.mod))].join(', ')}) out of ${steps}\n`);
    assert.ok(
      inside.some((i) => i.mod === 'users_groups'),
      'some kill point lands inside users_groups',
    );
    assert.deepEqual(failures, []);
  } finally {
    fs.rmSync(root0, { recursive: true, force: true });
  }
});
