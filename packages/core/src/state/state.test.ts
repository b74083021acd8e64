import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHost } from '../host/host.js';
import { serializeCache, readCache } from './cache.js';
import { stageFinished, stageStarted, writeResult } from './status.js';
import { statusReport } from './status-report.js';
import { instanceDirName, Paths } from './paths.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Clock } from '../host/clock.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

const ds: DatasourceResult = {
  dsname: 'NoCloud',
  description: 'd',
  cloudName: 'c',
  platform: 'p',
  subplatform: 's',
  dsmode: 'net',
  instanceId: 'i-1',
  publicKeys: [],
  metadata: { a: [1, { b: 2 }] },
  userdata: new Uint8Array([0, 255, 10]),
  vendordata: null,
  networkConfig: null,
};

test('the cache keeps bytes exactly and refuses what it cannot read', () => {
  const root = tempDir('nimbus-st-');
  const host = createHost({ root });
  host.fs.write('/c.json', serializeCache(ds));
  assert.deepEqual(readCache(host.fs, '/c.json'), ds);
  host.fs.write('/bad.json', '{"version": 99}');
  assert.equal(readCache(host.fs, '/bad.json'), null);
  host.fs.write('/worse.json', '{not json');
  assert.equal(readCache(host.fs, '/worse.json'), null);
});

test('instance ids as directory names', () => {
  assert.equal(instanceDirName('i-1/2'), 'i-1_2');
  assert.throws(() => instanceDirName('..'));
  assert.throws(() => instanceDirName('a\nb'));
  assert.equal(new Paths('x').semaphore('runcmd', 'once-per-instance'), '/var/lib/cloud/instances/x/sem/config_runcmd');
  assert.equal(new Paths('x').semaphore('runcmd', 'once'), '/var/lib/cloud/sem/config_runcmd.once');
  assert.equal(new Paths('x').semaphore('runcmd', 'always'), null);
});

test('status words and exit codes: running, done, degraded, error', () => {
  const root = tempDir('nimbus-st-');
  let t = 1000;
  const clock: Clock = { now: () => (t += 1), monotonicMs: () => t };
  const host = createHost({ root, clock });
  assert.equal(statusReport(host).status, 'not started');
  const clean = { errors: [], recoverable: { WARNING: [], DEPRECATED: [] } };
  stageStarted(host, 'init-local');
  assert.equal(statusReport(host).status, 'running');
  assert.equal(statusReport(host).detail, 'Running in stage: init-local');
  stageFinished(host, 'init-local', clean, 'DataSourceNoCloud [seed=x]');
  for (const s of ['init', 'modules-config'] as const) {
    stageStarted(host, s);
    stageFinished(host, s, clean, null);
  }
  stageStarted(host, 'modules-final');
  let v1 = stageFinished(host, 'modules-final', { errors: [], recoverable: { WARNING: ['w'], DEPRECATED: [] } }, null);
  assert.equal(statusReport(host).status, 'running', 'no result.json yet');
  writeResult(host, v1);
  const r = statusReport(host);
  assert.deepEqual([r.status, r.extended_status, r.exitCode, r.datasource], ['done', 'degraded done', 2, 'nocloud']);
  v1 = stageFinished(host, 'modules-config', { errors: ['boom'], recoverable: { WARNING: [], DEPRECATED: [] } }, null);
  const e = statusReport(host);
  assert.deepEqual([e.status, e.exitCode, e.errors], ['error', 1, ['boom']]);
  const result = JSON.parse(host.fs.readText('/run/cloud-init/result.json') ?? '') as { v1: { errors: string[]; recoverable_errors: Record<string, string[]> } };
  assert.deepEqual(result.v1.recoverable_errors, { WARNING: ['w'] });
});
