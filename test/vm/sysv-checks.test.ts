// The SysV boots' checks (test/vm/sysv-checks.mjs) on boot results made up here: a good
// boot passes every check, and each broken one fails the check meant to catch it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../helpers/boot.js';

type Check = [string, () => string | undefined];
interface SysvChecksModule {
  sysvChecks(variant: string, saved: string, io: { read(p: string): string; exists(p: string): boolean }): Check[];
  parseBootLog(text: string): unknown[];
  isSysvVariant(v: string): boolean;
}
const mod = (await import(pathToFileURL(path.join(REPO, 'test/vm/sysv-checks.mjs')).href)) as SysvChecksModule;

const SAVED = '/var/lib/nimbus-vm-test/boot-1';

function goodLog(net: string): string[] {
  return [
    '3.10 start udev start 101',
    '4.02 end udev start 101 rc=0',
    '5.00 start nimbus-local start 140',
    '19.50 end nimbus-local start 140 rc=0',
    `19.52 start ${net} start 150`,
    `22.70 end ${net} start 150 rc=0`,
    '23.00 start nimbus-init start 170',
    '31.40 end nimbus-init start 170 rc=0',
    '31.45 start ssh start 190',
    '31.90 end ssh start 190 rc=0',
    '31.50 start nimbus-config start 191',
    '36.00 end nimbus-config start 191 rc=0',
    '36.10 start nimbus-final start 200',
    '40.00 end nimbus-final start 200 rc=0',
    '40.10 collect: waited 24s for nimbus-final',
    '40.20 collect',
  ];
}

function files(net: string): Map<string, string> {
  return new Map([
    [`${SAVED}/pid1-comm`, 'init\n'],
    [`${SAVED}/init`, '/usr/sbin/init\n'],
    [`${SAVED}/bootlog.txt`, goodLog(net).join('\n') + '\n'],
    [`${SAVED}/.depend.boot`, `TARGETS = mountkernfs.sh udev nimbus-local ${net === 'networking' ? 'networking' : ''}\nnimbus-local: udev\n`],
    [`${SAVED}/.depend.start`, `TARGETS = dbus ${net === 'NetworkManager' ? 'NetworkManager ' : ''}nimbus-init ssh nimbus-config nimbus-final\n`],
    [`${SAVED}/nimbus-scripts.txt`, ['local', 'init', 'config', 'final'].map((s) => `nimbus-${s} nimbus-${s}: ran this boot, exit code 0`).join('\n') + '\n'],
  ]);
}

/** Each check's outcome: undefined when it passes, the problem when it fails. */
function run(variant: string, f: Map<string, string>): Map<string, string | undefined> {
  const io = {
    read(p: string): string {
      const t = f.get(p);
      if (t === undefined) throw new Error(`${p} is not on the disk`);
      return t;
    },
    exists: (p: string) => f.has(p),
  };
  const out = new Map<string, string | undefined>();
  for (const [name, fn] of mod.sysvChecks(variant, SAVED, io)) {
    try {
      out.set(name, fn() ?? undefined);
    } catch (e) {
      out.set(name, e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}

function failing(r: Map<string, string | undefined>): string[] {
  return [...r].filter(([, p]) => p !== undefined).map(([n]) => n);
}

for (const [variant, net] of [
  ['sysv-ifupdown', 'networking'],
  ['sysv-nm', 'NetworkManager'],
] as const) {
  test(`${variant}: a good SysV boot passes every check`, () => {
    assert.ok(mod.isSysvVariant(variant));
    const r = run(variant, files(net));
    assert.equal(r.size, 7);
    assert.deepEqual(failing(r), [], [...r].map(([n, p]) => `${n}: ${p}`).join('\n'));
  });

  test(`${variant}: ${net} starting before nimbus-local finished fails the order check`, () => {
    const f = files(net);
    f.set(`${SAVED}/bootlog.txt`, goodLog(net).join('\n').replace(`19.52 start ${net}`, `12.00 start ${net}`));
    const r = run(variant, f);
    assert.deepEqual(failing(r), [`boot log: nimbus-local finished before ${net} started`]);
    assert.match(r.get(`boot log: nimbus-local finished before ${net} started`)!, /nimbus-local finished at 19\.5 s, .* started at 12 s/);
  });
}

test('a boot where nimbus-local never ran (its links left out of .depend.boot) fails, naming why', () => {
  const f = files('networking');
  f.set(
    `${SAVED}/bootlog.txt`,
    goodLog('networking')
      .filter((l) => !l.includes('nimbus-local'))
      .join('\n'),
  );
  f.set(`${SAVED}/.depend.boot`, 'TARGETS = mountkernfs.sh udev networking\n');
  f.set(`${SAVED}/nimbus-scripts.txt`, 'nimbus-local nimbus-local: has not run this boot\n');
  const r = failing(run('sysv-ifupdown', f));
  assert.ok(r.includes('startpar started the boot from the .depend files, and they list the four stages'), r.join('\n'));
  assert.ok(r.includes('boot log: nimbus-local finished before networking started'));
  assert.ok(r.includes('boot log: the four stage scripts ran once each, in order, and exited 0'));
  assert.ok(r.includes('the four init scripts report this boot’s run, exit code 0'));
});

test('ssh before nimbus-init finished, a stage run twice, a failed stage, and systemd as PID 1 each fail their check', () => {
  const ssh = files('networking');
  ssh.set(`${SAVED}/bootlog.txt`, goodLog('networking').join('\n').replace('31.45 start ssh', '25.00 start ssh'));
  assert.deepEqual(failing(run('sysv-ifupdown', ssh)), ['boot log: ssh started after nimbus-init finished (keys in place before the first login)']);

  const twice = files('networking');
  twice.set(`${SAVED}/bootlog.txt`, [...goodLog('networking'), '41.00 start nimbus-config start 300', '42.00 end nimbus-config start 300 rc=0'].join('\n'));
  assert.deepEqual(failing(run('sysv-ifupdown', twice)), ['boot log: the four stage scripts ran once each, in order, and exited 0']);

  const failed = files('networking');
  failed.set(`${SAVED}/bootlog.txt`, goodLog('networking').join('\n').replace('end nimbus-final start 200 rc=0', 'end nimbus-final start 200 rc=1'));
  assert.deepEqual(failing(run('sysv-ifupdown', failed)), ['boot log: the four stage scripts ran once each, in order, and exited 0']);

  const systemd = files('networking');
  systemd.set(`${SAVED}/pid1-comm`, 'systemd\n');
  systemd.set(`${SAVED}/init`, '/usr/lib/systemd/systemd\n');
  assert.deepEqual(failing(run('sysv-ifupdown', systemd)), ["PID 1 was sysvinit's init, not systemd"]);
});

test('a boot log with a line that is not one, or missing, fails rather than passing', () => {
  const bad = files('networking');
  bad.set(`${SAVED}/bootlog.txt`, 'garbage\n');
  assert.match(run('sysv-ifupdown', bad).get('boot log: nimbus-init started after networking finished')!, /line 1: not a boot log line/);
  const none = files('networking');
  none.delete(`${SAVED}/bootlog.txt`);
  assert.equal(failing(run('sysv-ifupdown', none)).length, 4);
  assert.throws(() => mod.parseBootLog('1.0 start x'), /not a boot log line/);
  assert.ok(!mod.isSysvVariant('nm'));
});
