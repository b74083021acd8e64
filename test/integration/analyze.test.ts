// analyze and collect-logs on a real boot's log and state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, driveWith, makeRoot, setUserData } from '../helpers/boot.js';
import { analyzeShow } from '../../packages/core/src/analyze/report.js';
import { parseEvents, splitBoots } from '../../packages/core/src/analyze/events.js';
import { tempDir } from '../helpers/temp-root.js';

test('analyze show/blame/dump on two nimbus boots', () => {
  const root = makeRoot();
  boot(root);
  boot(root);
  const show = cli(root, 'analyze', 'show');
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /-- Boot Record 01 --/);
  assert.match(show.stdout, /-- Boot Record 02 --/);
  for (const s of ['init-local', 'init', 'modules-config', 'modules-final']) assert.match(show.stdout, new RegExp(`Starting stage: ${s}\\n`));
  assert.match(show.stdout, /\|`->config-write_files ran successfully \(\d+ ms\) @\d+\.\d{5}s \+\d+\.\d{5}s/);
  assert.match(show.stdout, /2 boot records analyzed\n$/);
  const blame = cli(root, 'analyze', 'blame');
  assert.match(blame.stdout, /^ {5}\d+\.\d{5}s \(init\/config-write_files\)$/m);
  const dump = JSON.parse(cli(root, 'analyze', 'dump').stdout) as { name: string; event_type: string; result?: string }[];
  assert.ok(dump.some((e) => e.name === 'modules-final/config-scripts_user' && e.event_type === 'finish' && e.result === 'SUCCESS'));
  assert.equal(cli(root, 'analyze', 'show', '-i', '/nope.log').code, 1);
});

test("analyze reads cloud-init's own log format too", () => {
  const log = [
    "2026-11-22 01:26:02,700 - util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init-local'",
    '2026-11-22 01:26:02,701 - handlers.py[DEBUG]: start: init-local: searching for local datasources',
    '2026-11-22 01:26:02,702 - handlers.py[DEBUG]: start: init-local/check-cache: attempting to read from cache [check]',
    '2026-11-22 01:26:02,704 - handlers.py[DEBUG]: finish: init-local/check-cache: SUCCESS: no cache found',
    '2026-11-22 01:26:02,860 - handlers.py[DEBUG]: finish: init-local: SUCCESS: searching for local datasources',
    '2026-11-22 01:26:03,513 - handlers.py[DEBUG]: start: init-network: searching for network datasources',
    '2026-11-22 01:26:03,600 - handlers.py[DEBUG]: start: init-network/config-write_files: running config-write_files with frequency once-per-instance',
    '2026-11-22 01:26:03,650 - handlers.py[DEBUG]: finish: init-network/config-write_files: SUCCESS: config-write_files ran successfully',
    '2026-11-22 01:26:03,968 - handlers.py[DEBUG]: finish: init-network: SUCCESS: searching for network datasources',
  ].join('\n');
  const events = parseEvents(log);
  assert.equal(events.length, 8);
  assert.equal(events[0]?.origin, 'cloudinit');
  assert.equal(splitBoots(events).length, 1);
  const show = analyzeShow(log);
  assert.match(show, /Starting stage: init-local\n\|`->no cache found @00\.00100s \+00\.00200s\nFinished stage: \(init-local\) 00\.15900 seconds/);
  assert.match(show, /Starting stage: init-network\n\|`->config-write_files ran successfully @00\.89900s \+00\.05000s/);
});

test('collect-logs: the logs and state, without user-data or secrets unless asked', () => {
  const drive = driveWith((d) => setUserData(d, '#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: MARKER-SECRET-7f3a\n'));
  const root = makeRoot({ drive });
  boot(root);
  const out = path.join(tempDir('nimbus-cl-'), 'logs.tgz');
  const r = cli(root, 'collect-logs', '-t', out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.statSync(out).mode & 0o777, 0o600);
  const list = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(list.some((f) => f.endsWith('/var/log/cloud-init.log')));
  assert.ok(list.some((f) => f.endsWith('/run/cloud-init/instance-data.json')));
  assert.ok(list.some((f) => f.endsWith('/status.txt')));
  assert.ok(!list.some((f) => /user-data|instance-data-sensitive|obj\.json|cloud-config\.txt/.test(f)), list.join('\n'));
  const all = spawnSync('sh', ['-c', `tar -xzOf ${out}`], { encoding: 'latin1', maxBuffer: 1 << 26 }).stdout;
  assert.ok(!all.includes('MARKER-SECRET-7f3a'), 'a secret from user-data is in the tarball');
  const withUd = cli(root, 'collect-logs', '-u', '-t', `${out}.u`);
  assert.equal(withUd.code, 0);
  assert.ok(spawnSync('tar', ['-tzf', `${out}.u`], { encoding: 'utf8' }).stdout.includes('user-data.txt'));
});
