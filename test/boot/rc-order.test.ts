// The S-number computation and the order check, on link lists like real hosts have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRcOrder, diffNimbusLinks, formatOrder, linkFileName, planRcOrder, type RcDir, type RcLink } from '../../packages/core/src/index.js';

/** Links "S10network" etc. in each of the given directories. */
function links(dirs: readonly RcDir[], ...names: string[]): RcLink[] {
  return dirs.flatMap((dir) =>
    names.map((n) => {
      const m = /^([SK])(\d\d)(.+)$/.exec(n)!;
      return { dir, kind: m[1] as 'S' | 'K', seq: Number(m[2]), name: m[3]! };
    }),
  );
}
const RUN: RcDir[] = ['2', '3', '4', '5'];
const starts = (ls: RcLink[], dir: RcDir) =>
  ls
    .filter((l) => l.dir === dir && l.kind === 'S')
    .map(linkFileName)
    .sort();

// RHEL 6 as installed: network S10, NetworkManager S23, sshd S55, rc.local S99.
const rhel6 = links(RUN, 'S10network', 'S23NetworkManager', 'S55sshd', 'S99local', 'S25netfs', 'S12rsyslog');

test('rhel with network and NetworkManager: local below both, init above both and below sshd, final last', () => {
  const r = planRcOrder({ links: rhel6, hasRcS: false });
  assert.ok(r.ok, JSON.stringify(r));
  for (const d of RUN) assert.deepEqual(starts(r.links, d), ['S09nimbus-local', 'S24nimbus-init', 'S25nimbus-config', 'S99nimbus-final']);
  // K links in 0, 1 and 6, mirroring the start numbers as chkconfig does.
  for (const d of ['0', '1', '6'] as RcDir[]) {
    assert.deepEqual(
      r.links
        .filter((l) => l.dir === d)
        .map(linkFileName)
        .sort(),
      ['K01nimbus-final', 'K75nimbus-config', 'K76nimbus-init', 'K91nimbus-local'],
    );
  }
  assert.equal(r.links.filter((l) => l.kind === 'S' && ['0', '1', '6'].includes(l.dir)).length, 0);
  const all = [...rhel6, ...r.links];
  assert.equal(checkRcOrder({ links: all, hasRcS: false }).length, 0);
  assert.equal(formatOrder(all, '3'), 'rc3.d: S09nimbus-local -> S10network -> S23NetworkManager -> S24nimbus-init -> S25nimbus-config -> S55sshd -> S99nimbus-final');
});

test("rhel without NetworkManager: the numbers follow the host's own links", () => {
  const host = links(RUN, 'S13network', 'S40sshd');
  const r = planRcOrder({ links: host, hasRcS: false });
  assert.ok(r.ok);
  assert.deepEqual(starts(r.links, '3'), ['S12nimbus-local', 'S14nimbus-init', 'S15nimbus-config', 'S99nimbus-final']);
  // With the network script late, local stays just below it.
  const late = planRcOrder({ links: links(RUN, 'S60network', 'S70sshd'), hasRcS: false });
  assert.ok(late.ok);
  assert.deepEqual(starts(late.links, '3'), ['S59nimbus-local', 'S61nimbus-init', 'S62nimbus-config', 'S99nimbus-final']);
});

test('NetworkManager only, at S23, in some runlevels: each directory is computed from its own links', () => {
  const host = [...links(['3', '5'], 'S23NetworkManager', 'S55sshd'), ...links(['2', '4'], 'S55sshd')];
  const r = planRcOrder({ links: host, hasRcS: false });
  assert.ok(r.ok);
  assert.deepEqual(starts(r.links, '3'), ['S22nimbus-local', 'S24nimbus-init', 'S25nimbus-config', 'S99nimbus-final']);
  assert.deepEqual(starts(r.links, '2'), ['S09nimbus-local', 'S10nimbus-init', 'S11nimbus-config', 'S99nimbus-final']);
});

// Debian with sysv-rc and insserv: networking runs from rcS.d after the file systems.
const debian = [
  ...links(['S'], 'S01mountkernfs.sh', 'S02udev', 'S08mountall.sh', 'S09mountall-bootclean.sh', 'S11networking', 'S12urandom'),
  ...links(RUN, 'S01rsyslog', 'S02dbus', 'S03ssh', 'S04rc.local'),
];

test('debian: networking in rcS.d puts nimbus-local in rcS.d after mountall, before networking', () => {
  const r = planRcOrder({ links: debian, hasRcS: true });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(starts(r.links, 'S'), ['S10nimbus-local']);
  for (const d of RUN) assert.deepEqual(starts(r.links, d), ['S01nimbus-init', 'S02nimbus-config', 'S99nimbus-final']);
  const all = [...debian, ...r.links];
  assert.deepEqual(checkRcOrder({ links: all, hasRcS: true }), []);
  assert.equal(formatOrder(all, 'S'), 'rcS.d: S01mountkernfs.sh -> S02udev -> S08mountall.sh -> S09mountall-bootclean.sh -> S10nimbus-local -> S11networking');
});

test('debian with NetworkManager and no ifupdown: local in the runlevel, below NetworkManager', () => {
  const host = [...links(['S'], 'S08mountall.sh'), ...links(RUN, 'S02dbus', 'S03NetworkManager', 'S03ssh')];
  const r = planRcOrder({ links: host, hasRcS: true });
  assert.ok(r.ok);
  assert.deepEqual(starts(r.links, 'S'), []);
  // ssh shares S03 with NetworkManager, so init cannot sit between them by number.
  // No number fits strictly; the name order decides: S03NetworkManager < S03nimbus-init < S03ssh.
  assert.deepEqual(starts(r.links, '2'), ['S02nimbus-local', 'S03nimbus-init', 'S04nimbus-config', 'S99nimbus-final']);
  assert.deepEqual(checkRcOrder({ links: [...host, ...r.links], hasRcS: true }), []);
});

test('debian with both: networking in rcS.d and NetworkManager in rc2-5', () => {
  // NetworkManager after dbus, before ssh (insserv order when ssh should-starts after it).
  const host = [...links(['S'], 'S08mountall.sh', 'S11networking'), ...links(RUN, 'S02dbus', 'S03NetworkManager', 'S05ssh')];
  const r = planRcOrder({ links: host, hasRcS: true });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(starts(r.links, 'S'), ['S10nimbus-local']);
  assert.deepEqual(starts(r.links, '2'), ['S04nimbus-init', 'S05nimbus-config', 'S99nimbus-final']);
  // ssh numbered before NetworkManager leaves init no place: reported per directory.
  const bad = planRcOrder({ links: [...debian, ...links(RUN, 'S05NetworkManager')], hasRcS: true });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.problems.length, 4);
    assert.equal(
      bad.problems[0],
      'rc2.d: no S-number fits nimbus-init: it must start after S05NetworkManager and before S03ssh, but S03ssh already starts before S05NetworkManager; reorder those first',
    );
  }
});

test('impossible: sshd before the network manager is named, and nothing is planned', () => {
  const host = links(RUN, 'S05sshd', 'S10network');
  const r = planRcOrder({ links: host, hasRcS: false });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.problems.length, 4);
  assert.match(r.problems[0]!, /rc2\.d: no S-number fits nimbus-init: it must start after S10network, S09nimbus-local and before S05sshd, but S05sshd already starts before S10network/);
});

test('impossible: a network manager at S00 leaves no room for the local stage', () => {
  const r = planRcOrder({ links: links(['3'], 'S00NetworkManager'), hasRcS: false });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.problems.join('\n'), /rc3\.d: no S-number fits nimbus-local: it must start before S00NetworkManager/);
  // S00network sorts before S00nimbus-local, S00NetworkManager too ('N' < 'n').
});

test('impossible on debian: ssh in rcS.d', () => {
  const r = planRcOrder({ links: [...links(['S'], 'S11networking', 'S12ssh')], hasRcS: true });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.problems.join('\n'), /rcS\.d: S12ssh starts at boot/);
});

test('existing links that fit are kept: planning twice changes nothing', () => {
  const first = planRcOrder({ links: rhel6, hasRcS: false });
  assert.ok(first.ok);
  const again = planRcOrder({ links: [...rhel6, ...first.links], hasRcS: false });
  assert.ok(again.ok);
  assert.deepEqual(diffNimbusLinks([...rhel6, ...first.links], again.links), { moves: [], add: [], remove: [] });
  // A fitting but unusual number (init at S30) is left alone; config, now before it, follows it.
  const custom = [...rhel6, ...first.links.map((l) => (l.name === 'nimbus-init' && l.kind === 'S' ? { ...l, seq: 30 } : l))];
  const kept = planRcOrder({ links: custom, hasRcS: false });
  assert.ok(kept.ok);
  assert.deepEqual(starts(kept.links, '3'), ['S09nimbus-local', 'S30nimbus-init', 'S31nimbus-config', 'S99nimbus-final']);
});

test('the classic trap: NetworkManager at S23 and nimbus-local at S54 is found and only the local link moves', () => {
  const host = [...links(RUN, 'S23NetworkManager', 'S55sshd'), ...links(RUN, 'S54nimbus-local', 'S24nimbus-init', 'S25nimbus-config', 'S99nimbus-final')];
  const v = checkRcOrder({ links: host, hasRcS: false });
  assert.ok(v.length >= 4);
  assert.match(v[0]!.message, /rc2\.d: NetworkManager \(S23\) starts before nimbus-local \(S54\)/);
  assert.ok(v.some((x) => /nimbus-init \(S24\) starts before nimbus-local \(S54\)/.test(x.message)));
  const plan = planRcOrder({ links: host, hasRcS: false });
  assert.ok(plan.ok);
  const c = diffNimbusLinks(host, plan.links);
  const moves = c.moves.filter((m) => m.from.kind === 'S').map((m) => `${m.from.dir}:${linkFileName(m.from)}->${linkFileName(m.to)}`);
  assert.deepEqual(moves, ['2:S54nimbus-local->S22nimbus-local', '3:S54nimbus-local->S22nimbus-local', '4:S54nimbus-local->S22nimbus-local', '5:S54nimbus-local->S22nimbus-local']);
  // The K links did not exist: they are added, nothing is removed.
  assert.equal(c.remove.length, 0);
  assert.equal(c.add.length, 12);
});

test('the check: missing start links, and a debian local stage left in rc2.d behind rcS networking', () => {
  const v = checkRcOrder({ links: links(RUN, 'S01nimbus-init', 'S02nimbus-config', 'S99nimbus-final'), hasRcS: false });
  assert.deepEqual(
    v.map((x) => x.message).filter((m) => /rc3/.test(m)),
    ['rc3.d: nimbus-local has no start link, so it does not run in runlevel 3'],
  );
  const deb = [...debian, ...links(RUN, 'S01nimbus-local', 'S02nimbus-init', 'S03nimbus-config', 'S99nimbus-final')];
  const dv = checkRcOrder({ links: deb, hasRcS: true });
  assert.match(dv[0]!.message, /rcS\.d: networking \(S11\) starts at boot, before every runlevel script, but nimbus-local starts from rc2\.d\/S01nimbus-local/);
  // ...and nimbus-init at S02 comes after ssh at S03? No: S02 < S03, fine; config S03 vs ssh no rule.
  const plan = planRcOrder({ links: deb, hasRcS: true });
  assert.ok(plan.ok);
  const c = diffNimbusLinks(deb, plan.links);
  assert.deepEqual(c.add.filter((l) => l.kind === 'S').map(linkFileName), ['S10nimbus-local']);
  assert.deepEqual(c.remove.map((l) => `${l.dir}:${linkFileName(l)}`).sort(), ['2:S01nimbus-local', '3:S01nimbus-local', '4:S01nimbus-local', '5:S01nimbus-local']);
});

test('debian: a local stage already in rcS.d stays there even with no network manager in rcS.d', () => {
  const host = [...links(['S'], 'S08mountall.sh', 'S09nimbus-local'), ...links(RUN, 'S03NetworkManager', 'S04ssh')];
  assert.deepEqual(
    checkRcOrder({ links: host, hasRcS: true }).filter((v) => v.stage === 'local'),
    [],
  );
  const r = planRcOrder({ links: host, hasRcS: true });
  assert.ok(r.ok);
  assert.deepEqual(starts(r.links, 'S'), ['S09nimbus-local']);
  // No number lies strictly between S03NetworkManager and S04ssh: the tie on S03 fits by name.
  assert.deepEqual(starts(r.links, '3'), ['S03nimbus-init', 'S04nimbus-config', 'S99nimbus-final']);
});
