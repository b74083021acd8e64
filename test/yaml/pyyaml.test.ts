// Every YAML file of the corpus (test/yaml/corpus) read by nimbus's loadYaml and by
// PyYAML the way cloud-init reads it (SafeLoader plus !!python/unicode), compared value
// by value. Both sides are encoded to JSON that spells out what JSON cannot hold:
// bytes, timestamps, NaN and the infinities, non-string keys. The files under errors/
// must be refused by both; those under differences/ are read by PyYAML and refused by
// nimbus with a clear error (docs/user-data.md lists them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadYaml, YamlError } from '../../packages/core/src/index.js';
import { ensurePackage } from '../helpers/apt.js';
import { PYTHON3 } from '../helpers/python.js';

const DIR = 'test/yaml/corpus';

type Enc = null | boolean | string | number | Enc[] | { [k: string]: Enc };

/** nimbus's value in the shared encoding. */
function encode(v: unknown): Enc {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (v instanceof Date) return { $timestamp: v.getTime() };
  if (Array.isArray(v)) return v.map(encode);
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [encode(k), encode(x)]) };
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, encode(x)]));
  return { $unknown: String(v) };
}

const PY = `
import base64, datetime, json, math, sys, yaml

class Loader(yaml.SafeLoader):
    pass
# cloud-init's loader: the safe loader plus !!python/unicode read as a string.
Loader.add_constructor('tag:yaml.org,2002:python/unicode', lambda l, n: l.construct_scalar(n))

def enc(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v): return {'$float': 'nan'}
        if math.isinf(v): return {'$float': 'inf' if v > 0 else '-inf'}
        return v
    if isinstance(v, bytes):
        return {'$bytes': base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None: v = v.replace(tzinfo=datetime.timezone.utc)
        return {'$timestamp': round(v.timestamp() * 1000)}
    if isinstance(v, datetime.date):
        return {'$timestamp': round(datetime.datetime(v.year, v.month, v.day, tzinfo=datetime.timezone.utc).timestamp() * 1000)}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        # Keys as JavaScript sees them: YAML keys other than strings become their text.
        out = {}
        for k, x in v.items():
            if isinstance(k, bool): k = 'true' if k else 'false'
            elif k is None: k = 'null'
            elif isinstance(k, (list, tuple, dict)): return {'$complex_key': True}
            out[str(k)] = enc(x)
        return out
    return {'$unknown': repr(v)}

out = {}
for path in json.load(sys.stdin):
    try:
        with open(path, 'rb') as f:
            out[path] = {'ok': enc(yaml.load(f.read().decode('utf-8'), Loader=Loader))}
    except Exception as e:  # ValueError too: PyYAML lets int('abc') through, cloud-init fails the same way
        out[path] = {'err': type(e).__name__ + ': ' + (str(e).splitlines() or [''])[0]}
json.dump(out, sys.stdout)
`;

function corpus(sub: string): string[] {
  return readdirSync(join(DIR, sub))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(DIR, sub, f));
}

function pyyaml(paths: string[]): Record<string, { ok?: Enc; err?: string }> {
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(paths), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { ok?: Enc; err?: string }>;
}

test('loadYaml reads the corpus exactly as PyYAML does', (t) => {
  if (!ensurePackage('python3-yaml')) return t.skip('python3-yaml could not be installed');
  const paths = corpus('');
  assert.ok(paths.length >= 20);
  const ref = pyyaml(paths);
  const failures: string[] = [];
  for (const p of paths) {
    const want = ref[p] as { ok?: Enc; err?: string };
    let got: Enc;
    try {
      got = encode(loadYaml(readFileSync(p, 'utf8'), p).value);
    } catch (e) {
      failures.push(`${p}: nimbus refuses (${e instanceof Error ? e.message : String(e)}), PyYAML ${want.err ? `refuses too (${want.err})` : 'reads it'}`);
      continue;
    }
    if (want.err !== undefined) {
      failures.push(`${p}: PyYAML refuses (${want.err}), nimbus reads ${JSON.stringify(got)}`);
      continue;
    }
    try {
      assert.deepStrictEqual(got, want.ok);
    } catch (e) {
      failures.push(`${p}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('what PyYAML refuses, loadYaml refuses with file, line and column', (t) => {
  if (!ensurePackage('python3-yaml')) return t.skip('python3-yaml could not be installed');
  const paths = corpus('errors');
  const ref = pyyaml(paths);
  for (const p of paths) {
    assert.ok(ref[p]?.err !== undefined, `${p}: PyYAML reads it: ${JSON.stringify(ref[p]?.ok)}`);
    assert.throws(
      () => loadYaml(readFileSync(p, 'utf8'), p),
      (e: unknown) => e instanceof YamlError && e.message.startsWith(`${p}:`) && e.pos !== null,
      `${p} (PyYAML: ${ref[p]?.err})`,
    );
  }
});

test('known differences: PyYAML reads them, loadYaml refuses them with the line', (t) => {
  if (!ensurePackage('python3-yaml')) return t.skip('python3-yaml could not be installed');
  const paths = corpus('differences');
  const ref = pyyaml(paths);
  for (const p of paths) {
    assert.ok(ref[p]?.ok !== undefined, `${p}: PyYAML refuses it too (${ref[p]?.err}); move it to errors/`);
    assert.throws(
      () => loadYaml(readFileSync(p, 'utf8'), p),
      (e: unknown) => e instanceof YamlError && e.pos !== null,
      p,
    );
  }
});
