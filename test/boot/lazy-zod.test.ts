// zod stays off the start of every program (packages/core/src/schema/zod.ts): no
// bundle holds it; a check (or a custom module in function form, which
// test/modules/custom.test.ts boots in the config stage) loads nimbus-zod.js beside
// them, with a code cache of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIST } from '../helpers/boot.js';
import { tempRoot } from './helpers.js';

/** zod's core sets this global when it is evaluated. */
const MARK = '__zod_globalConfig';

/** Whether running `program` with `args` evaluated zod, and the run's output. */
function run(program: string, args: string[]): { zod: boolean; stdout: string; code: number | null } {
  const probe = path.join(tempRoot('zod-probe'), 'probe.cjs');
  fs.writeFileSync(probe, `process.on('exit', () => process.stderr.write('\\nzod:' + (${JSON.stringify(MARK)} in globalThis) + '\\n'));\n`);
  const r = spawnSync(process.execPath, ['--require', probe, path.join(DIST, program), ...args], { encoding: 'utf8' });
  return { zod: /\nzod:true\n/.test(r.stderr), stdout: r.stdout, code: r.status };
}

test('no bundle holds zod; zod is a file beside them', () => {
  for (const b of ['nimbus.bundle.js', 'nimbus-local.bundle.js', 'nimbus-init.bundle.js', 'nimbus-config.bundle.js', 'nimbus-final.bundle.js'])
    assert.ok(!fs.readFileSync(path.join(DIST, b), 'utf8').includes(MARK), b);
  assert.ok(fs.readFileSync(path.join(DIST, 'nimbus-zod.js'), 'utf8').includes(MARK));
});

test('no program evaluates zod at start; `nimbus schema` does when it validates', () => {
  for (const p of ['nimbus.js', 'nimbus-local.js', 'nimbus-init.js', 'nimbus-config.js', 'nimbus-final.js']) {
    const r = run(p, ['--version']);
    assert.equal(r.code, 0, p);
    assert.equal(r.zod, false, `${p} --version evaluated zod`);
  }
  const file = path.join(tempRoot('zod-schema'), 'user-data');
  fs.writeFileSync(file, '#cloud-config\nruncmd: [[echo, hi]]\n');
  const r = run('nimbus.js', ['schema', '-c', file]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Valid cloud-config/);
  assert.equal(r.zod, true);
});

test("zod beside the bundles gets a code cache of its own, next to the program's", () => {
  const root = tempRoot('zod-cache');
  const cacheHome = path.join(root, 'host-cache');
  const file = path.join(root, 'user-data');
  fs.writeFileSync(file, '#cloud-config\nruncmd: [[echo, hi]]\n');
  for (let i = 0; i < 2; i++) {
    const env = { ...process.env, NIMBUS_CODE_CACHE_DIR: cacheHome };
    const r = spawnSync(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, 'schema', '-c', file], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
  }
  const caches = fs.readdirSync(cacheHome).filter((f) => f.endsWith('.v8'));
  assert.deepEqual(caches.map((f) => f.replace(/-[0-9a-f]{16}-.*$/, '')).sort(), ['nimbus', 'nimbus-zod']);
});
