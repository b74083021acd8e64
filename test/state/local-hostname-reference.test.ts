// test-lane: full (the reference chroots, 22.4 and 25.1: nine cloud-init boots each)
// Differential: the same metadata host names through nimbus (the dist stages with
// --root on a temp tree, commands recorded) and through Debian's cloud-init 22.4 and
// 25.1 (a fresh overlay of the reference chroot per case, booted with `cloud-init init
// --local` and `init`): `query v1.local_hostname` and `query local_hostname` must agree,
// and so must /etc/hostname wherever nimbus sets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, makeRoot, recorded, stage } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { REF_SCRIPT, referenceRoot } from '../helpers/reference.js';

const REF_SUITES = { '22.4': 'bookworm', '25.1': 'trixie' } as const;
type Version = keyof typeof REF_SUITES;
const REF_ROOTS: Record<Version, string> = { '22.4': referenceRoot('bookworm'), '25.1': referenceRoot('trixie') };
/** The kernel host name the harness gives its machine (its UTS namespace). */
const REF_MACHINE = 'ref-machine';

/** Why the reference of `v` cannot be used here, or null when it can. */
function referenceMissing(v: Version): string | null {
  if (!fs.existsSync(REF_SCRIPT)) return `reference harness ${REF_SCRIPT} not found`;
  if (process.getuid?.() !== 0) return 'the reference chroot needs root';
  if (fs.existsSync(path.join(REF_ROOTS[v], 'usr/bin/cloud-init'))) return null;
  const r = spawnSync('bash', [REF_SCRIPT, 'setup'], { env: { ...process.env, REF_SUITE: REF_SUITES[v] }, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0 ? null : `cloud-init-ref.sh setup (REF_SUITE=${REF_SUITES[v]}) failed with exit ${r.status}: no debootstrap or no mirror here`;
}

interface Case {
  what: string;
  /** Files of the seed, relative to the machine's root. */
  files: Record<string, string>;
  /** Whether nimbus sets /etc/hostname to the same name as cloud-init (see docs/modules.md for the others). */
  sameEtcHostname: boolean;
}

const nocloud = (md: string): Record<string, string> => ({ 'var/lib/cloud/seed/nocloud/meta-data': `instance-id: i-hn-1\n${md}`, 'var/lib/cloud/seed/nocloud/user-data': '#cloud-config\n{}\n' });
const CASES: Case[] = [
  { what: 'NoCloud, a name without a domain', files: nocloud('local-hostname: web1\n'), sameEtcHostname: true },
  { what: 'NoCloud, a name with a domain', files: nocloud('local-hostname: web1.example.com\n'), sameEtcHostname: true },
  { what: 'NoCloud, an EC2 internal name', files: nocloud('local-hostname: ip-192-0-2-10.eu-west-1.compute.internal\n'), sameEtcHostname: true },
  { what: 'NoCloud, a trailing dot', files: nocloud('local-hostname: web1.example.com.\n'), sameEtcHostname: true },
  { what: 'NoCloud, upper case', files: nocloud('local-hostname: WEB1.Example.COM\n'), sameEtcHostname: true },
  // nimbus refuses an address as a host name, and leaves the name alone without one.
  { what: 'NoCloud, an IPv4 address', files: nocloud('local-hostname: 192.0.2.10\n'), sameEtcHostname: false },
  { what: 'NoCloud, no local-hostname', files: nocloud(''), sameEtcHostname: false },
  {
    what: 'ConfigDrive, a name with a domain',
    files: { 'var/lib/cloud/seed/config_drive/openstack/latest/meta_data.json': '{"uuid": "i-hn-cd", "hostname": "ip-192-0-2-10.eu-west-1.compute.internal"}\n' },
    sameEtcHostname: true,
  },
  {
    what: 'None, a name with a domain',
    files: { 'etc/cloud/cloud.cfg.d/99-none.cfg': 'datasource_list: [None]\ndatasource:\n  None:\n    metadata: {instance-id: i-hn-none, local-hostname: web1.example.com}\n' },
    sameEtcHostname: true,
  },
];

interface Answer {
  v1: string;
  top: string;
  etcHostname: string;
}

// One boot per case, each on its own tmpfs overlay of the chroot (in a private mount
// namespace), so the chroot itself is never changed and runs never see each other.
const REF_BOOT = `
set -euo pipefail
harness=$1 root=$2 work=$3 seeds=$4
mount -t tmpfs tmpfs "$work"
for seed in "$seeds"/*; do
  c=$work/\${seed##*/}; mkdir -p "$c/upper" "$c/work" "$c/m" "$c/run"
  mount -t overlay overlay -o "lowerdir=$root,upperdir=$c/upper,workdir=$c/work" "$c/m"
  # Only this case's seed: the chroot may hold another's (npm run bench boots it with its own).
  rm -rf "$c/m/var/lib/cloud"
  cp -a "$seed/." "$c/m/"
  REF_ROOT=$c/m bash "$harness" run "$c/run" chroot "$c/m" sh -c 'cloud-init init --local >/dev/null 2>&1; cloud-init init >/dev/null 2>&1; echo "$(cloud-init query v1.local_hostname)|$(cloud-init query local_hostname)|$(cat /etc/hostname)"' | sed "s/^/\${seed##*/}|/"
done
`;

function reference(v: Version): Answer[] {
  const tmp = tempDir('nimbus-ref-hn-');
  try {
    CASES.forEach((c, i) => {
      for (const [p, text] of Object.entries(c.files)) {
        const f = path.join(tmp, 'seeds', String(i).padStart(2, '0'), p);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, text);
      }
    });
    fs.mkdirSync(path.join(tmp, 'work'));
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', REF_BOOT, 'ref-boot', REF_SCRIPT, REF_ROOTS[v], path.join(tmp, 'work'), path.join(tmp, 'seeds')], {
      encoding: 'utf8',
      env: { ...process.env, REF_SUITE: REF_SUITES[v] },
    });
    assert.equal(r.status, 0, r.stderr);
    const byCase = new Map(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|'))
        .map(([n, v1, top, etc]) => [Number(n), { v1: v1 ?? '', top: top ?? '', etcHostname: etc ?? '' }]),
    );
    return CASES.map((c, i) => byCase.get(i) ?? assert.fail(`cloud-init ${v} gave no answer for ${c.what}: ${r.stderr}`));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function nimbus(c: Case): Answer & { hostnameCommands: string[][] } {
  const root = makeRoot({ drive: false });
  try {
    for (const [p, text] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      fs.writeFileSync(path.join(root, p), text);
    }
    // The same machine as the reference's: its kernel name, and the chroot's /etc/hostname.
    fs.mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/sys/kernel/hostname'), `${REF_MACHINE}\n`);
    fs.writeFileSync(path.join(root, 'etc/hostname'), 'vm\n');
    for (const s of ['local', 'init'] as const) {
      // An error exit is allowed (the refused IP address as a host name is one); a crash is not.
      const r = stage(root, s);
      assert.ok(r.code >= 0 && r.code <= 2, `${s}: exit ${r.code}: ${r.stderr}`);
    }
    const q = (key: string) => cli(root, 'query', key).stdout.trim();
    return {
      v1: q('v1.local_hostname'),
      top: q('local_hostname'),
      etcHostname: fs.readFileSync(path.join(root, 'etc/hostname'), 'utf8').trim(),
      hostnameCommands: recorded(root).filter((a) => a[0] === 'hostname'),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

for (const v of Object.keys(REF_ROOTS) as Version[]) {
  const missing = referenceMissing(v);
  test(`cloud-init query local_hostname answers what cloud-init ${v} answers, for every metadata host name and datasource`, { skip: missing ?? false }, (t) => {
    const theirs = reference(v);
    CASES.forEach((c, i) => {
      const ref = theirs[i] as Answer;
      const ours = nimbus(c);
      t.diagnostic(`${c.what}: cloud-init ${v} ${ref.v1}, nimbus ${ours.v1}`);
      assert.equal(ours.v1, ref.v1, `${c.what}: v1.local_hostname`);
      assert.equal(ours.top, ref.top, `${c.what}: local_hostname`);
      if (c.sameEtcHostname) {
        assert.equal(ours.etcHostname, ref.etcHostname, `${c.what}: /etc/hostname`);
        assert.deepEqual(ours.hostnameCommands, [['hostname', ref.etcHostname]], `${c.what}: the host name set at boot`);
      }
    });
  });
}
