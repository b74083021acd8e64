// timezone: the documented example booted on Debian and on the rhel family, and names
// that are not time zones refused with their line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { makeKit, CENTOS6, RHEL8 } from './kit.js';
import { bootExample } from './boot-example.js';
import { timezone, timezoneProblem } from '../../packages/core/src/modules/timezone.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const ZONE_FILE = { 'usr/share/zoneinfo/US/Eastern': 'TZif2 eastern' };

test('timezone: the documented example on Debian names the zone in /etc/timezone and links /etc/localtime', () => {
  const b = bootExample(timezone.examples[0] as string, { files: ZONE_FILE });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('etc/timezone'), 'US/Eastern\n');
  assert.equal(b.mode('etc/timezone'), 0o644);
  assert.equal(fs.readlinkSync(path.join(b.root, 'etc/localtime')), '/usr/share/zoneinfo/US/Eastern');
});

test('timezone on a rhel-family image links /etc/localtime and writes no /etc/timezone', async () => {
  const k = makeKit({ osRelease: RHEL8 });
  k.write('usr/share/zoneinfo/US/Eastern', 'TZif2 eastern');
  k.write('etc/localtime', 'TZif old');
  await k.run(timezone, timezone.examples[0] as string);
  assert.equal(fs.readlinkSync(path.join(k.root, 'etc/localtime')), '/usr/share/zoneinfo/US/Eastern');
  assert.equal(k.exists('etc/timezone'), false);
});

test('timezone on CentOS 6 sets ZONE in /etc/sysconfig/clock and copies the zone file, keeping the other lines', async () => {
  const k = makeKit({ osRelease: CENTOS6 });
  k.write('usr/share/zoneinfo/Europe/Berlin', 'TZif berlin');
  k.write('etc/sysconfig/clock', 'ZONE="UTC"\nUTC=true\n');
  await k.run(timezone, 'timezone: Europe/Berlin\n');
  assert.equal(k.read('etc/sysconfig/clock'), 'ZONE=Europe/Berlin\nUTC=true\n');
  assert.equal(k.read('etc/localtime'), 'TZif berlin');
  assert.equal(fs.lstatSync(path.join(k.root, 'etc/localtime')).isSymbolicLink(), false);
});

test('timezone on Debian copies the zone over a real /etc/localtime file, as cloud-init does', async () => {
  const k = makeKit();
  k.write('usr/share/zoneinfo/Europe/Berlin', 'TZif berlin');
  k.write('etc/localtime', 'TZif old');
  await k.run(timezone, 'timezone: Europe/Berlin\n');
  assert.equal(k.read('etc/localtime'), 'TZif berlin');
  assert.equal(fs.lstatSync(path.join(k.root, 'etc/localtime')).isSymbolicLink(), false);
});

test('timezone refuses a name that would leave zoneinfo or a zone the image lacks, naming the line; the boot goes on', async () => {
  const k = makeKit();
  await assert.rejects(k.run(timezone, 'runcmd: []\ntimezone: ../../etc/shadow\n'), /user-data line 2 col \d+: timezone: "\.\.\/\.\.\/etc\/shadow" is not a time zone name/);
  await assert.rejects(k.run(timezone, 'timezone: Mars/Olympus\n'), /user-data line 1 col \d+: timezone Mars\/Olympus: no zone file \/usr\/share\/zoneinfo\/Mars\/Olympus/);
  assert.equal(k.exists('etc/timezone'), false);
  const b = bootExample('#cloud-config\ntimezone: "Etc/UTC; reboot"\nruncmd: [[echo, still]]\n');
  assert.equal(b.status, 'error');
  assert.match(b.errors.join('\n'), /line 2 col \d+: timezone: .* is not a time zone name/);
  assert.ok(b.read(`${b.inst}/scripts/runcmd`).includes("'echo' 'still'"), 'runcmd still ran');
});

test('schema refuses a timezone that is not a string, with file:line:col and the key', () => {
  const r = checkCloudConfigText('#cloud-config\ntimezone: 5\n', 'ud.yaml');
  assert.equal(r.problems.length, 1);
  assert.deepEqual(r.problems[0]?.path, ['timezone']);
  assert.deepEqual([r.problems[0]?.file, r.problems[0]?.pos?.line], ['ud.yaml', 2]);
});

test('timezone property: every accepted name is a path inside zoneinfo and one line of /etc/timezone', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      if (timezoneProblem(s) !== null) return;
      assert.ok(!s.split('/').includes('..') && !s.startsWith('/') && !/[\s'"$`;\\]/.test(s), s);
    }),
    { numRuns: 2000 },
  );
});
