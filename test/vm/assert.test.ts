// The checks of `npm run test:vm` (test/vm/assert.mjs) on boot results made up here, so
// that they are known to pass on a good boot and to catch each bad one without booting
// a VM. The VM test itself runs with `npm run test:vm`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const ASSERT = path.join(REPO, 'test/vm/assert.mjs');
const IID = '3f6c1e2a-9b7d-4c5e-8a1f-0d2b4c6e8f10';
const MAC = '52:54:00:12:34:56';
const KEY = {
  default: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB4NiEktmgudGs6A/kjaTKeTMbJmK54TeO1AGC3l1/ID default@nimbus-vm-test',
  tester: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMQm9T2Xzj/WmCHL1UdW/pGgSY8xorbGnXXcJy5irAQc tester@nimbus-vm-test',
  metadata: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID9UrcJ5fAz3i6XeNQ35GJ0Yba4Y5f2jmSOOohq9BSI/ metadata@nimbus-vm-test',
};
const BOOT_IDS = ['11111111-2222-3333-4444-555555555555', '66666666-7777-8888-9999-aaaaaaaaaaaa'];

interface Boot {
  /** [unit, 'start' | 'done', seconds] in the order systemd logged them. */
  jobs: [string, 'start' | 'done', number][];
  ipv4: string[];
  runcmdRuns: number;
  helloPresent: boolean;
  statusRc: number;
  /** The stage bundles that left a code cache in /var/cache/nimbus. */
  caches: string[];
}

function goodBoot(netService: string): Boot {
  return {
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
    ipv4: ['192.0.2.10/24'],
    runcmdRuns: 1,
    helloPresent: true,
    statusRc: 0,
    caches: ['nimbus-local', 'nimbus-init', 'nimbus-config', 'nimbus-final'],
  };
}

function write(root: string, p: string, text: string, mode = 0o644): void {
  const f = path.join(root, p);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  fs.chmodSync(f, mode);
}

/** A variant's run directory as scripts/vm-test.sh leaves it after boot n. */
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
    write(
      fsRoot,
      `${saved}/ip-addr.json`,
      JSON.stringify([
        { ifname: 'lo', address: '00:00:00:00:00:00', flags: ['LOOPBACK', 'UP'], addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
        { ifname: 'ens2', address: MAC, flags: ['BROADCAST', 'UP'], operstate: 'UP', addr_info: b.ipv4.map((a) => ({ family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]) })) },
      ]),
    );
    write(fsRoot, `${saved}/ip-route.json`, JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'ens2' }]));
    write(
      fsRoot,
      `${saved}/status.json`,
      JSON.stringify({ status: b.statusRc === 0 ? 'done' : 'done', extended_status: b.statusRc === 0 ? 'done' : 'degraded done', errors: [], recoverable_errors: {} }),
    );
    write(fsRoot, `${saved}/status.rc`, `${b.statusRc}\n`);
    write(fsRoot, `${saved}/nimbus-units.txt`, 'active\nactive\nactive\nactive\n');
    if (b.helloPresent) write(fsRoot, '/etc/nimbus-vm/hello.txt', 'hello from write_files\n', 0o640);
    write(fsRoot, '/etc/nimbus-vm/from-base64.txt', 'decoded from base64\n');
    write(fsRoot, '/etc/nimbus-vm/deferred.txt', 'written in the final stage\n');
    write(fsRoot, '/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndebian:x:1000:1000::/home/debian:/bin/bash\ntester:x:1001:1001::/home/tester:/bin/bash\n');
    write(fsRoot, '/home/tester/.ssh/authorized_keys', `${KEY.tester}\n`, 0o600);
    write(fsRoot, '/home/debian/.ssh/authorized_keys', `${KEY.default}\n${KEY.metadata}\n`, 0o600);
    write(fsRoot, '/var/lib/nimbus-vm/runcmd.log', Array.from({ length: b.runcmdRuns }, (_, k) => `runcmd boot=${BOOT_IDS[k]}\n`).join(''));
    write(fsRoot, '/var/lib/nimbus-vm/user-script.log', `user-script boot=${BOOT_IDS[0]}\n`);
    write(
      fsRoot,
      '/var/lib/nimbus-vm/per-boot.log',
      BOOT_IDS.slice(0, n)
        .map((id) => `per-boot boot=${id}\n`)
        .join(''),
    );
    for (const s of ['config_write_files', 'config_runcmd', 'config_scripts_user']) write(fsRoot, `/var/lib/cloud/instances/${IID}/sem/${s}`, '');
    for (const c of b.caches) write(fsRoot, `/var/cache/nimbus/${c}-0123456789abcdef-v18.19.0-x64.v8`, 'v8');
    write(fsRoot, '/var/cache/nimbus/parsed-config.json', '{}', 0o600);
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

function check(variant: string, boot: number, dir: string): { code: number; out: string; failed: string[] } {
  const r = spawnSync(process.execPath, [ASSERT, '--variant', variant, '--boot', String(boot), '--dir', dir], { encoding: 'utf8' });
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
    assert.deepEqual(r.failed, ["each stage left its V8 code cache in /var/cache/nimbus, root's and 0644"]);
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

test('scripts/vm-test.sh parses, and npm test runs it only when CI=true', () => {
  assert.equal(spawnSync('bash', ['-n', path.join(REPO, 'scripts/vm-test.sh')]).status, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['test:vm'], 'bash scripts/vm-test.sh');
  const testSh = fs.readFileSync(path.join(REPO, 'scripts/test.sh'), 'utf8');
  assert.match(testSh, /if \[\[ \$\{CI:-\} == true \]\]; then\n\s+# .*\n\s+bash scripts\/vm-test\.sh --no-build/);
});
