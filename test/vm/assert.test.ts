// test-lane: full (runs the VM checks' script, test/vm/assert.mjs, as a process per made-up boot: about 10 s of CPU)
// The checks of `npm run test:vm` (test/vm/assert.mjs) on boot results made up here, so
// that they are known to pass on a good boot and to catch each bad one without booting
// a VM. The VM test itself runs with `npm run test:vm`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { REPO } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const ASSERT = path.join(REPO, 'test/vm/assert.mjs');
const IID = { a: '3f6c1e2a-9b7d-4c5e-8a1f-0d2b4c6e8f10', b: 'b2e4c6a8-1d3f-4b5a-9c7e-0f2a4c6e8b20', c: 'c7a9e1b3-5d2f-4c6a-8e0b-2f4a6c8e0c30' };
const MAC = { a: '52:54:00:12:34:56', b: '52:54:00:12:34:78', c: '52:54:00:12:34:78' };
const HOSTNAME = { a: 'nimbus-vm-test', b: 'nimbus-vm-b', c: 'nimbus-vm-c' };
const KEY = {
  default: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4NiEktmgudGs6A/kjaTKeTMbJmK54TeO1AGC3l1/ID default@nimbus-vm-test',
  tester: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMQm9T2Xzj/WmCHL1UdW/pGgSY8xorbGnXXcJy5irAQc tester@nimbus-vm-test',
  metadata: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID9UrcJ5fAz3i6XeNQ35GJ0Yba4Y5f2jmSOOohq9BSI/ metadata@nimbus-vm-test',
};
const BOOT_IDS = ['11111111-2222-3333-4444-555555555555', '66666666-7777-8888-9999-aaaaaaaaaaaa', 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff', '12121212-3434-5656-7878-909090909090'];
const CHAIN = 'a a b+grow=1G+eph+repo c+dhcpname';
const CACHE_FILE = (c: string) => `/var/cache/nimbus/${c}-0123456789abcdef-v18.19.0-x64.v8`;
const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

type Instance = 'a' | 'b' | 'c';
interface Boot {
  inst: Instance;
  /** [unit, 'start' | 'done', seconds] in the order systemd logged them. */
  jobs: [string, 'start' | 'done', number][];
  ifname: string;
  ipv4: string[];
  /** Other interfaces: [name, IPv4 addresses]. */
  others: [string, string[]][];
  hostname: string;
  runcmdRuns: number;
  helloPresent: boolean;
  statusRc: number;
  /** The stage bundles that left a code cache in /var/cache/nimbus, and what it holds. */
  caches: string[];
  cacheBytes: string;
  /** Files of the image as this boot left them (image path -> content), over the defaults. */
  files: Record<string, string>;
  /** What the test unit saved (file name in boot-<n>/ -> content), over the defaults. */
  saved: Record<string, string>;
}

function goodBoot(netService: string, inst: Instance = 'a'): Boot {
  const b: Boot = {
    inst,
    jobs: [
      ['nimbus-local.service', 'start', 40],
      ['nimbus-local.service', 'done', 90],
      [netService, 'start', 91],
      [netService, 'done', 95],
      ['nimbus-init.service', 'start', 96],
      ['nimbus-init.service', 'done', 110],
      ['ssh.service', 'start', 110.5],
      ['nimbus-config.service', 'start', 111],
      ['nimbus-config.service', 'done', 120],
      ['nimbus-final.service', 'start', 121],
      ['nimbus-final.service', 'done', 130],
    ],
    ifname: inst === 'a' ? 'ens2' : 'eth0',
    ipv4: [inst === 'a' ? '192.0.2.10/24' : inst === 'b' ? '192.0.2.20/24' : '192.0.2.105/24'],
    others: [],
    hostname: HOSTNAME[inst],
    runcmdRuns: 1,
    helloPresent: inst === 'a',
    statusRc: 0,
    caches: ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final'],
    cacheBytes: 'v8',
    files: {},
    saved: {},
  };
  if (inst === 'b') {
    b.files = {
      '/usr/share/nimbus-vm-hello/hello.txt': 'installed by packages: from the local repository\n',
      '/var/lib/apt/lists/_mnt_nimbus-repo_._Packages': 'Package: nimbus-vm-hello\n',
      '/etc/timezone': 'Europe/Berlin\n',
      '/etc/default/locale': 'LANG=POSIX\n',
      '/etc/fstab': '/dev/vda\t/\text4\trw\t0\t1\n/dev/vdb\t/mnt/ephemeral\tauto\tdefaults,nofail,x-systemd.requires=cloud-init.service,_netdev,comment=cloudconfig\t0\t2\n',
      '/etc/network/interfaces.d/50-cloud-init': 'auto eth0\niface eth0 inet static\n    address 192.0.2.20/24\n',
    };
    b.saved = {
      'root-fs-bytes': '3190000000',
      'root-dev-bytes': '3221225472',
      'dpkg-hello.txt': 'install ok installed 1.0',
      'localtime-link': '/usr/share/zoneinfo/Europe/Berlin',
      'findmnt.json': JSON.stringify({ filesystems: [{ target: '/', source: '/dev/vda', children: [{ target: '/mnt/ephemeral', source: '/dev/vdb', fstype: 'ext4' }] }] }),
    };
  }
  if (inst === 'c') {
    b.files = { '/etc/network/interfaces.d/50-cloud-init': 'auto eth0\niface eth0 inet dhcp\n' };
    b.saved = { 'multi-user-usec': '61000000', 'userspace-usec': '21000000' };
  }
  return b;
}

function write(root: string, p: string, text: string, mode = 0o644): void {
  const f = path.join(root, p);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  fs.chmodSync(f, mode);
}

/** A variant's run directory as scripts/vm-test.sh leaves it after each of the boots. */
function makeRun(boots: Boot[]): string {
  const dir = tempDir('nimbus-vmassert-');
  boots.forEach((b, i) => {
    const n = i + 1;
    const fsRoot = path.join(dir, `boot-${n}`, 'fs');
    const journal: string[] = [];
    // Earlier boots' journals stay on the disk, as they would.
    boots.slice(0, n).forEach((bb, j) => {
      const bootId = BOOT_IDS[j]!.replace(/-/g, '');
      for (const [unit, kind, s] of bb.jobs) {
        journal.push(
          JSON.stringify({
            _BOOT_ID: bootId,
            _PID: '1',
            SYSLOG_IDENTIFIER: 'systemd',
            UNIT: unit,
            __MONOTONIC_TIMESTAMP: String(s * 1e6),
            MESSAGE_ID: kind === 'start' ? '7d4958e842da4a758f6c1cdc7b36dcc5' : '39f53479d3a045ac8e11786248231fbf',
            ...(kind === 'done' ? { JOB_RESULT: 'done' } : {}),
            MESSAGE: `${kind === 'start' ? 'Starting' : 'Finished'} ${unit} - test`,
          }),
        );
      }
    });
    fs.mkdirSync(path.join(dir, `boot-${n}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `boot-${n}`, 'journal.json'), journal.join('\n') + '\n');
    for (let j = 1; j <= n; j++) write(fsRoot, `/var/lib/nimbus-vm-test/boot-${j}/boot_id`, `${BOOT_IDS[j - 1]}\n`);
    const saved = `/var/lib/nimbus-vm-test/boot-${n}`;
    const addrs = (l: string[]) => l.map((a) => ({ family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]) }));
    write(
      fsRoot,
      `${saved}/ip-addr.json`,
      JSON.stringify([
        { ifname: 'lo', address: '00:00:00:00:00:00', flags: ['LOOPBACK', 'UP'], addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
        { ifname: b.ifname, address: MAC[b.inst], flags: ['BROADCAST', 'UP'], operstate: 'UP', addr_info: addrs(b.ipv4) },
        ...b.others.map(([name, v4], k) => ({ ifname: name, address: `52:54:00:00:00:0${k}`, flags: ['BROADCAST'], addr_info: addrs(v4) })),
      ]),
    );
    write(fsRoot, `${saved}/ip-route.json`, JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: b.ifname }]));
    write(fsRoot, `${saved}/status.json`, JSON.stringify({ status: 'done', extended_status: b.statusRc === 0 ? 'done' : 'degraded done', errors: [], recoverable_errors: {} }));
    write(fsRoot, `${saved}/status.rc`, `${b.statusRc}\n`);
    write(fsRoot, `${saved}/nimbus-units.txt`, 'active\nactive\nactive\nactive\n');
    write(fsRoot, `${saved}/hostname`, `${b.hostname}\n`);
    for (const [f, t] of Object.entries(b.saved)) write(fsRoot, `${saved}/${f}`, t);
    if (b.helloPresent) write(fsRoot, '/etc/nimbus-vm/hello.txt', 'hello from write_files\n', 0o640);
    write(fsRoot, '/etc/nimbus-vm/from-base64.txt', 'decoded from base64\n');
    write(fsRoot, '/etc/nimbus-vm/deferred.txt', 'written in the final stage\n');
    write(fsRoot, '/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndebian:x:1000:1000::/home/debian:/bin/bash\ntester:x:1001:1001::/home/tester:/bin/bash\n');
    write(fsRoot, '/home/tester/.ssh/authorized_keys', `${KEY.tester}\n`, 0o600);
    write(fsRoot, '/home/debian/.ssh/authorized_keys', `${KEY.default}\n${KEY.metadata}\n`, 0o600);
    // Each instance's runcmd log: its runs, from its first boot on.
    for (const inst of ['a', 'b', 'c'] as const) {
      const first = boots.slice(0, n).findIndex((bb) => bb.inst === inst);
      if (first < 0) continue;
      const runs = inst === b.inst ? b.runcmdRuns : 1;
      const log = inst === 'a' ? 'runcmd' : `runcmd-${inst}`;
      write(fsRoot, `/var/lib/nimbus-vm/${log}.log`, Array.from({ length: runs }, (_, k) => `${log} boot=${BOOT_IDS[first + k]}\n`).join(''));
      for (const s of ['config_write_files', 'config_runcmd', 'config_scripts_user']) write(fsRoot, `/var/lib/cloud/instances/${IID[inst]}/sem/${s}`, '');
    }
    write(fsRoot, '/var/lib/nimbus-vm/user-script.log', `user-script boot=${BOOT_IDS[0]}\n`);
    write(
      fsRoot,
      '/var/lib/nimbus-vm/per-boot.log',
      BOOT_IDS.slice(0, n)
        .map((id) => `per-boot boot=${id}\n`)
        .join(''),
    );
    for (const c of b.caches) write(fsRoot, CACHE_FILE(c), b.cacheBytes);
    write(
      fsRoot,
      '/var/lib/nimbus-vm-image/code-cache.sha256',
      ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final'].map((c) => `${sha256('v8')}  ${path.basename(CACHE_FILE(c))}\n`).join(''),
    );
    write(fsRoot, '/var/cache/nimbus/parsed-config.json', '{}', 0o600);
    for (const [f, t] of Object.entries(b.files)) write(fsRoot, f, t);
    const stage = { start: 1, finished: 2, errors: [] };
    write(
      fsRoot,
      '/var/lib/cloud/data/status.json',
      JSON.stringify({ v1: { datasource: 'DataSourceConfigDrive [net,ver=2][source=/dev/sr0]', 'init-local': stage, init: stage, 'modules-config': stage, 'modules-final': stage } }),
    );
    write(fsRoot, '/var/lib/cloud/data/result.json', JSON.stringify({ v1: { datasource: 'DataSourceConfigDrive', errors: [] } }));
  });
  return dir;
}

function check(variant: string, boot: number, dir: string, chain?: string): { code: number; out: string; failed: string[] } {
  const r = spawnSync(process.execPath, [ASSERT, '--variant', variant, '--boot', String(boot), '--dir', dir, ...(chain ? ['--chain', chain] : [])], { encoding: 'utf8' });
  const failed = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('not ok'))
    .map((l) => l.replace(/^not ok - \[\w+\] boot \d+: /, ''));
  return { code: r.status ?? -1, out: r.stdout + r.stderr, failed };
}

test('a good first and second boot pass every check (ifupdown and NetworkManager)', () => {
  for (const [variant, svc] of [
    ['ifupdown', 'networking.service'],
    ['nm', 'NetworkManager.service'],
  ] as const) {
    const b2 = { ...goodBoot(svc), helloPresent: false };
    const dir = makeRun([goodBoot(svc), b2]);
    try {
      for (const n of [1, 2]) {
        const r = check(variant, n, dir);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /all passed/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a stage that left no code cache is caught', () => {
  const b = { ...goodBoot('networking.service'), caches: ['nimbus-local', 'nimbus-init', 'nimbus-final'] };
  const dir = makeRun([b]);
  try {
    const r = check('ifupdown', 1, dir);
    assert.equal(r.code, 1);
    assert.deepEqual(r.failed, [
      'the first boot reused the code caches trained at install time: the same files, the same bytes',
      "each stage left its V8 code cache in /var/cache/nimbus, root's and 0644",
    ]);
    assert.match(r.out, /no cache for nimbus-config/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a network manager started before nimbus-local finished is caught', () => {
  const b = goodBoot('networking.service');
  b.jobs = b.jobs.map(([u, k, s]) => (u === 'networking.service' && k === 'start' ? [u, k, 60] : [u, k, s]));
  b.jobs.sort((x, y) => x[2] - y[2]);
  const dir = makeRun([b]);
  try {
    const r = check('ifupdown', 1, dir);
    assert.equal(r.code, 1);
    assert.deepEqual(r.failed, ['journal: nimbus-local finished before networking.service started']);
    assert.match(r.out, /nimbus-local finished at 90\.000 s, networking\.service started at 60\.000 s/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a DHCP address beside (or instead of) the static one is caught', () => {
  for (const ipv4 of [['192.0.2.100/24'], ['192.0.2.10/24', '192.0.2.100/24'], []]) {
    const dir = makeRun([{ ...goodBoot('NetworkManager.service'), ipv4 }]);
    try {
      const r = check('nm', 1, dir);
      assert.equal(r.code, 1);
      assert.equal(r.failed.length, 1, r.out);
      assert.match(r.failed[0]!, /has the static address 192\.0\.2\.10\/24/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('per-instance work done again in the second boot, and a degraded status, are caught', () => {
  const dir = makeRun([goodBoot('networking.service'), { ...goodBoot('networking.service'), runcmdRuns: 2, helloPresent: true, statusRc: 2 }]);
  try {
    const r = check('ifupdown', 2, dir);
    assert.equal(r.code, 1);
    assert.deepEqual(r.failed.sort(), [
      '`nimbus status` in the VM: done, exit 0',
      'runcmd did not run again (once per instance)',
      'write_files is once per instance: hello.txt, removed from the disk after boot 1, was not written again',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The four boots of the full chain: A, A again, B (snapshot of A), C (DHCP on B's disk). */
function chainBoots(svc: string): Boot[] {
  return [goodBoot(svc), { ...goodBoot(svc), helloPresent: false }, goodBoot(svc, 'b'), goodBoot(svc, 'c')];
}
function failuresAt(boots: Boot[], n: number, variant = 'ifupdown'): ReturnType<typeof check> {
  const dir = makeRun(boots);
  try {
    return check(variant, n, dir, CHAIN);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a good chain of four boots (A, A, B on the snapshot, C with DHCP) passes every check, for each network stack', () => {
  for (const [variant, svc] of [
    ['ifupdown', 'networking.service'],
    ['nm', 'NetworkManager.service'],
    ['networkd', 'systemd-networkd.service'],
    ['netplan', 'systemd-networkd.service'],
  ] as const) {
    const dir = makeRun(chainBoots(svc));
    try {
      for (const n of [1, 2, 3, 4]) {
        const r = check(variant, n, dir, CHAIN);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /all passed/);
      }
      const r3 = check(variant, 3, dir, CHAIN);
      for (const name of ['resizefs grew', 'packages: nimbus-vm-hello installed', 'package_update', 'timezone', 'locale', 'mounts: the ephemeral disk', 'named eth0'])
        assert.ok(r3.out.includes(name), `${name} is checked in boot 3`);
      assert.match(check(variant, 4, dir, CHAIN).out, /the ephemeral disk of an earlier boot is absent/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("the snapshot's old address beside the new one, a wrong interface name and a leftover cirename interface are caught (pitfall one, swapped NIC)", () => {
  const boots = chainBoots('networking.service');
  boots[2] = { ...boots[2]!, ipv4: ['192.0.2.10/24', '192.0.2.20/24'] };
  let r = failuresAt(boots.slice(0, 3), 3);
  assert.equal(r.code, 1);
  assert.ok(
    r.failed.some((f) => f.startsWith('the NIC 52:54:00:12:34:78 has the static address 192.0.2.20/24')),
    r.out,
  );
  assert.ok(
    r.failed.some((f) => f.startsWith('no address of an earlier instance (192.0.2.10)')),
    r.out,
  );

  boots[2] = { ...goodBoot('networking.service', 'b'), ifname: 'ens2', others: [['cirename0', []]] };
  r = failuresAt(boots.slice(0, 3), 3);
  assert.deepEqual(r.failed, ['the NIC is named eth0, as network_data.json says, and no cirename* or nimbustmp* interface remains']);
  assert.match(r.out, /the NIC 52:54:00:12:34:78 is ens2/);
  boots[2] = { ...goodBoot('networking.service', 'b'), others: [['cirename0', []]] };
  assert.match(failuresAt(boots.slice(0, 3), 3).out, /left: cirename0/);
  boots[2] = { ...goodBoot('networking.service', 'b'), others: [['nimbustmp0', []]] };
  assert.match(failuresAt(boots.slice(0, 3), 3).out, /left: nimbustmp0/);
});

test('DHCP on the disk of a static instance: its address on the NIC or in a config file is caught (pitfall two), and so is a host name from DHCP', () => {
  const boots = chainBoots('NetworkManager.service');
  boots[3] = { ...boots[3]!, ipv4: ['192.0.2.20/24', '192.0.2.105/24'] };
  let r = failuresAt(boots, 4, 'nm');
  assert.ok(
    r.failed.some((f) => f.startsWith('the NIC 52:54:00:12:34:78 has one IPv4 address, from DHCP')),
    r.out,
  );
  assert.ok(
    r.failed.some((f) => f.startsWith('no address of an earlier instance (192.0.2.10, 192.0.2.20)')),
    r.out,
  );

  boots[3] = { ...goodBoot('NetworkManager.service', 'c'), files: { '/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection': '[ipv4]\naddress1=192.0.2.20/24\n' } };
  r = failuresAt(boots, 4, 'nm');
  assert.deepEqual(r.failed, ["no network configuration on the disk names an earlier instance's address (192.0.2.10, 192.0.2.20)"]);
  assert.match(r.out, /cloud-init-eth0\.nmconnection \(192\.0\.2\.20\)/);

  boots[3] = { ...goodBoot('NetworkManager.service', 'c'), hostname: 'dhcp-given-name' };
  r = failuresAt(boots, 4, 'nm');
  assert.deepEqual(r.failed, ["the host name is the metadata's (nimbus-vm-c), not the one DHCP offered"]);
});

test('a boot that never reached multi-user.target after its ephemeral disk went away is caught', () => {
  const boots = chainBoots('networking.service');
  boots[3] = { ...boots[3]!, saved: { 'multi-user-usec': '0', 'userspace-usec': '21000000' } };
  const r = failuresAt(boots, 4);
  assert.deepEqual(r.failed, ['the ephemeral disk of an earlier boot is absent: its fstab line stays, the boot still reached multi-user.target without waiting for it']);
});

test('packages not installed, a root not grown, the time zone and locale not set, the ephemeral disk not in fstab are each caught', () => {
  const cases: [Partial<Boot>, string][] = [
    [{ saved: { ...goodBoot('x', 'b').saved, 'dpkg-hello.txt': 'dpkg-query: no packages found matching nimbus-vm-hello' } }, 'packages: nimbus-vm-hello installed from the local apt repository'],
    [{ saved: { ...goodBoot('x', 'b').saved, 'root-fs-bytes': '2100000000' } }, 'resizefs grew the root filesystem to its disk (grown before this boot)'],
    [{ saved: { ...goodBoot('x', 'b').saved, 'localtime-link': '/usr/share/zoneinfo/Etc/UTC' } }, 'timezone: /etc/localtime links to Europe/Berlin and /etc/timezone says so'],
    [{ files: { ...goodBoot('x', 'b').files, '/etc/default/locale': 'LANG=C.UTF-8\n' } }, "locale: /etc/default/locale sets LANG=POSIX (B's, over the C.UTF-8 default A's first boot wrote)"],
    [{ files: { ...goodBoot('x', 'b').files, '/etc/fstab': '/dev/vda\t/\text4\trw\t0\t1\n' } }, 'mounts: the ephemeral disk /dev/vdb is in fstab with nofail and mounted on /mnt/ephemeral'],
  ];
  for (const [change, failed] of cases) {
    const boots = chainBoots('networking.service').slice(0, 3);
    boots[2] = { ...boots[2]!, ...change };
    assert.deepEqual(failuresAt(boots, 3).failed, [failed]);
  }
  // package_update: the repository's index never fetched.
  const boots = chainBoots('networking.service').slice(0, 3);
  const files = { ...boots[2]!.files };
  delete files['/var/lib/apt/lists/_mnt_nimbus-repo_._Packages'];
  boots[2] = { ...boots[2]!, files };
  assert.deepEqual(failuresAt(boots, 3).failed, ["package_update: apt's lists hold the local repository's Packages"]);
});

test('code caches rewritten by the first boot (not the ones trained at install time) are caught', () => {
  const r = failuresAt([{ ...goodBoot('networking.service'), cacheBytes: 'retrained' }], 1);
  assert.deepEqual(r.failed, ['the first boot reused the code caches trained at install time: the same files, the same bytes']);
  assert.match(r.out, /was rewritten at boot/);
});

test('scripts/vm-test.sh parses, and npm test runs it only when CI=true', () => {
  assert.equal(spawnSync('bash', ['-n', path.join(REPO, 'scripts/vm-test.sh')]).status, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['test:vm'], 'bash scripts/vm-test.sh');
  const testSh = fs.readFileSync(path.join(REPO, 'scripts/test.sh'), 'utf8');
  assert.match(testSh, /if \[\[ \$\{CI:-\} == true \]\]; then\n\s+# .*\n\s+bash scripts\/vm-test\.sh --no-build/);
});
