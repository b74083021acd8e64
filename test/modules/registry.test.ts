// The built-in modules as a whole: each is the one record of its own file, listed once
// in registry.ts and never also in not-implemented.ts, with an object schema, examples
// that pass the cloud-config schema, and a test file of its own. Adding a module and
// forgetting one of these steps fails here, naming the module and the step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_MODULES } from '../../packages/core/src/modules/registry.js';
import { NOT_IMPLEMENTED } from '../../packages/core/src/modules/not-implemented.js';
import type { Module } from '../../packages/core/src/modules/types.js';
import { moduleSchema } from '../../packages/core/src/schema/cloud-config.js';
import { checkCloudConfigText } from '../../packages/core/src/schema/check.js';
import { zod } from '../../packages/core/src/schema/zod.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { stockPlacement } from '../../packages/core/src/generate/modules-doc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
/** The compiled modules (what the tests import) and their sources (what people edit). */
const BUILT_DIR = path.resolve(HERE, '../../packages/core/src/modules');
const SOURCE_DIR = path.join(REPO, 'packages/core/src/modules');
/** Files in modules/ that are not modules: the list, the shapes, the list of what is missing. */
const NOT_MODULE_FILES = ['registry', 'types', 'not-implemented'];

const fileName = (m: Module) => m.name.replace(/_/g, '-');

function moduleFiles(dir: string, ext: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`) && !f.endsWith(`.d${ext}`))
    .map((f) => f.slice(0, -ext.length))
    .filter((f) => !NOT_MODULE_FILES.includes(f));
}

function isModuleRecord(v: unknown): v is Module {
  return v !== null && typeof v === 'object' && typeof (v as Module).name === 'string' && typeof (v as Module).run === 'function' && typeof (v as Module).schema === 'function';
}

test('no module is both built in and listed as not implemented, and no name is listed twice', () => {
  const builtin = BUILTIN_MODULES.map((m) => m.name);
  const missing = Object.keys(NOT_IMPLEMENTED);
  const both = builtin.filter((n) => missing.includes(n));
  assert.deepEqual(both, [], `implemented now, so delete their lines from modules/not-implemented.ts: ${both.join(', ')}`);
  const all = [...builtin, ...missing];
  assert.deepEqual(
    all.filter((n, i) => all.indexOf(n) !== i),
    [],
    'a module name is listed twice',
  );
});

test('every module in the stock module lists is either built in or listed as not implemented', () => {
  const known = new Set([...BUILTIN_MODULES.map((m) => m.name), ...Object.keys(NOT_IMPLEMENTED)]);
  const { debian, rhel } = stockPlacement();
  const unknown = [...new Set([...debian.keys(), ...rhel.keys()])].filter((n) => !known.has(n));
  assert.deepEqual(unknown, [], 'in a stock module list, but neither in registry.ts nor in not-implemented.ts');
});

test('each built-in module is the one record exported by modules/<name>.ts, and every such file is registered', async () => {
  const files = moduleFiles(BUILT_DIR, '.js');
  assert.deepEqual([...files].sort(), BUILTIN_MODULES.map(fileName).sort(), 'the module files in modules/ and the modules in registry.ts differ');
  for (const f of files) {
    const exported = Object.values((await import(path.join(BUILT_DIR, `${f}.js`))) as Record<string, unknown>).filter(isModuleRecord);
    assert.equal(exported.length, 1, `modules/${f}.ts must export exactly one module record (helpers shared with other files go to modules/lib/)`);
    const record = exported[0] as Module;
    assert.equal(fileName(record), f, `modules/${f}.ts holds module ${record.name}: name the file for its module`);
    assert.ok(BUILTIN_MODULES.includes(record), `registry.ts must list the record of modules/${f}.ts itself`);
  }
});

test('a module file uses lib/ helpers and the shared types, never another module', () => {
  for (const f of moduleFiles(SOURCE_DIR, '.ts')) {
    const text = fs.readFileSync(path.join(SOURCE_DIR, `${f}.ts`), 'utf8');
    const siblings = [...text.matchAll(/from '\.\/([^']+)\.js'/g)].map((m) => m[1] as string).filter((p) => p !== 'types' && !p.startsWith('lib/'));
    assert.deepEqual(siblings, [], `modules/${f}.ts imports another module file; move what both use to modules/lib/`);
  }
});

test('every module schema is an object schema over its keys that refuses a wrong type for each key', () => {
  const { z } = zod();
  // One value of each YAML kind: every typed key refuses at least one of them.
  const kinds: unknown[] = [12345, 'a-string', true, ['a', 'list'], { a: 'mapping' }];
  for (const m of BUILTIN_MODULES) {
    const schema = moduleSchema(m);
    assert.ok(schema instanceof z.ZodObject, `${m.name}: schema(z) must build a z.object over the top-level keys`);
    const shape = schema.shape as Record<string, unknown>;
    for (const key of m.keys) assert.ok(key in shape, `${m.name}: key ${key} is not in its schema`);
    for (const key of Object.keys(shape)) {
      const refused = kinds.filter((v) => !schema.safeParse({ [key]: v }).success);
      assert.ok(refused.length > 0, `${m.name}: its schema accepts any value for ${key}; give the key a type`);
    }
  }
});

test('every built-in module documents itself with examples that pass the cloud-config schema with no problems', () => {
  for (const m of BUILTIN_MODULES) {
    assert.ok(m.examples.length > 0, `${m.name}: add an example (examples: [...]) to its record`);
    m.examples.forEach((text, i) => {
      const where = `${m.name} example ${i + 1}`;
      assert.ok(text.startsWith('#cloud-config\n'), `${where}: a cloud-config document begins with #cloud-config`);
      const r = checkCloudConfigText(text, where);
      assert.equal(r.empty, false, `${where}: only comments`);
      assert.deepEqual(
        r.problems.map((p) => `${p.pos?.line ?? '?'}:${p.pos?.col ?? '?'} ${p.message}`),
        [],
        where,
      );
      const value = loadYaml(text, where).value as Record<string, unknown>;
      assert.ok(moduleSchema(m).safeParse(value).success, `${where}: refused by the module's own schema`);
      if (m.keys.length > 0)
        assert.ok(
          m.keys.some((k) => k in value),
          `${where}: sets none of the module's keys (${m.keys.join(', ')})`,
        );
    });
  }
});

test('every built-in module has its own test file, test/modules/<name>.test.ts, that imports it and names it in a test', () => {
  for (const m of BUILTIN_MODULES) {
    const file = path.join(REPO, 'test/modules', `${fileName(m)}.test.ts`);
    assert.ok(fs.existsSync(file), `${m.name}: write test/modules/${fileName(m)}.test.ts`);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes(`/modules/${fileName(m)}.js'`), `${m.name}: its test file does not import modules/${fileName(m)}.ts`);
    const titles = [...text.matchAll(/^test\((['"`])(.*?)\1/gm)].map((t) => t[2] as string);
    assert.ok(
      titles.some((t) => t.includes(m.name)),
      `${m.name}: no test in test/modules/${fileName(m)}.test.ts names it`,
    );
  }
});
