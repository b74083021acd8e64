// apt_pipelining: apt's pipeline depth from cloud-config, booted on a Debian tree, each
// documented value. The same file as cloud-init 25.1's own module writes:
// apt-pipelining-reference.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, RHEL8 } from './kit.js';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { aptPipelining, PIPELINING_FILE, pipeliningDepth } from '../../packages/core/src/modules/apt-pipelining.js';

const FILE = PIPELINING_FILE.slice(1);

test("apt_pipelining: cloud-init's examples: false booted on Debian writes depth 0 without degrading the boot, a number its depth, os nothing", async () => {
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, aptPipelining.examples[0] as string)) });
  boot(root);
  const st = JSON.parse(cli(root, 'status', '--long', '--format', 'json').stdout) as { extended_status: string };
  assert.equal(st.extended_status, 'done', 'turning pipelining off never degrades the boot');
  const p = path.join(root, FILE);
  assert.equal(fs.readFileSync(p, 'utf8'), '//Written by cloud-init per \'apt_pipelining\'\nAcquire::http::Pipeline-Depth "0";\n');
  assert.equal(fs.statSync(p).mode & 0o777, 0o644);
  const os = makeKit();
  await os.run(aptPipelining, aptPipelining.examples[1] as string);
  assert.ok(!os.exists(FILE));
  const three = makeKit();
  await three.run(aptPipelining, aptPipelining.examples[2] as string);
  assert.equal(three.read(FILE), '//Written by cloud-init per \'apt_pipelining\'\nAcquire::http::Pipeline-Depth "3";\n');
  assert.deepEqual([os.warnings(), three.warnings()], [[], []]);
});

test('apt_pipelining: a value it does not understand is a warning naming the line; deprecated spellings are noted; nothing on a RHEL tree', async () => {
  const k = makeKit();
  await k.run(aptPipelining, 'apt_pipelining: 9\n');
  assert.ok(!k.exists(FILE));
  assert.match(k.warnings().join('\n'), /user-data line 1 col \d+: apt_pipelining: 9 is not false, os or a depth from 0 to 5/);
  const d = makeKit();
  await d.run(aptPipelining, 'apt_pipelining: unchanged\n');
  assert.ok(!d.exists(FILE));
  assert.equal(d.logger.report.recoverable.DEPRECATED.length, 1);
  const r = makeKit({ osRelease: RHEL8 });
  await r.run(aptPipelining, 'apt_pipelining: false\n');
  assert.ok(!r.exists(FILE));
  assert.deepEqual(pipeliningDepth('2'), { depth: 2 });
  assert.deepEqual(pipeliningDepth('False'), { depth: 0 });
});
