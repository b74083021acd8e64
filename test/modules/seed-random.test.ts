// seed_random: the documented examples booted on Debian, the metadata's random_seed
// with nothing configured, the encodings, and the command and its requirement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { makeKit } from './kit.js';
import { bootExample } from './boot-example.js';
import { seedRandom } from '../../packages/core/src/modules/seed-random.js';
import { createHost } from '../../packages/core/src/host/host.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';

const DEMO_SEED = 'random-seed-for-the-demo-only'; // the example drive's meta_data.json random_seed, decoded

test("seed_random: the documented example appends its data and the config drive's seed to /dev/urandom, then runs the command with RANDOM_SEED_FILE", () => {
  const b = bootExample(seedRandom.examples[0] as string, { files: { 'usr/bin/sh': { text: '', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.equal(b.read('dev/urandom'), `my random string${DEMO_SEED}`);
  const cmd = JSON.parse(
    b
      .read('var/log/nimbus-commands.log')
      .split('\n')
      .find((l) => l.includes('RANDOM_SEED_FILE')) as string,
  ) as { argv: string[]; env: Record<string, string> };
  assert.deepEqual(cmd.argv, ['sh', '-c', 'dd if=/dev/urandom of=$RANDOM_SEED_FILE']);
  assert.deepEqual(cmd.env, { RANDOM_SEED_FILE: '/dev/urandom' });
});

test('seed_random runs with nothing configured: the metadata seed of a config drive is decoded and appended', async () => {
  const b = bootExample('#cloud-config\nruncmd: [[true]]\n');
  assert.equal(b.status, 'done');
  assert.equal(b.read('dev/urandom'), DEMO_SEED);
  const k = makeKit();
  await k.run(seedRandom, '{}\n', { dsname: 'NoCloud', metadata: { random_seed: 'plain text seed' } });
  assert.equal(k.read('dev/urandom'), 'plain text seed');
  const none = makeKit();
  await none.run(seedRandom, '{}\n', { metadata: {} });
  assert.equal(none.exists('dev/urandom'), false, 'nothing to add: nothing written');
});

test('seed_random decodes base64 and gzip data into its file before the metadata seed', async () => {
  const k = makeKit();
  await k.run(seedRandom, `random_seed:\n  file: /var/tmp/seed\n  data: ${Buffer.from('b64 data').toString('base64')}\n  encoding: b64\n`, { metadata: {} });
  assert.equal(k.read('var/tmp/seed'), 'b64 data');
  const g = makeKit();
  await g.run(seedRandom, `random_seed:\n  file: /var/tmp/seed\n  data: !!binary ${zlib.gzipSync('gz data').toString('base64')}\n  encoding: gzip\n`, {
    metadata: { random_seed: Buffer.from('+meta').toString('base64') },
  });
  assert.equal(g.read('var/tmp/seed'), 'gz data+meta');
});

test('seed_random: a required command that is missing is an error naming its line; one not required is skipped quietly', async () => {
  const k = makeKit();
  await assert.rejects(k.run(seedRandom, seedRandom.examples[1] as string, { metadata: {} }), /user-data line 5 col \d+: random_seed\.command pollinate is not installed and command_required is true/);
  const q = makeKit();
  await q.run(seedRandom, 'random_seed:\n  command: [pollinate]\n', { metadata: {} });
  assert.deepEqual([q.argvs(), q.errors(), q.warnings()], [[], [], []]);
  const bad = makeKit();
  await assert.rejects(bad.run(seedRandom, 'random_seed:\n  encoding: rot13\n  data: x\n'), /line 2 col \d+: random_seed\.encoding "rot13" is not one of/);
  const r = checkCloudConfigText('#cloud-config\nrandom_seed:\n  command: pollinate --server=x\n', 'ud.yaml');
  assert.deepEqual(
    r.problems.map((p) => [p.file, p.pos?.line, p.path.join('.')]),
    [['ud.yaml', 3, 'random_seed.command']],
  );
});

test('seed_random adds nothing to an image tree that is not running', async () => {
  const k = makeKit();
  const ctx = { ...k, host: createHost({ root: k.root, exec: 'chroot' }) };
  await seedRandom.run({ ...(await k.run(seedRandom, 'random_seed: {file: /var/tmp/x}\n', { metadata: {} })), host: ctx.host });
  assert.equal(k.exists('var/tmp/x'), false);
  assert.match(k.lines.join('\n'), /is not running: no seed added/);
});
