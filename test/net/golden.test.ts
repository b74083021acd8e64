// Golden tests: every corpus input through every renderer gives exactly the files kept
// under test/net/golden/<input>/<renderer>/ (content), with the modes listed in
// test/net/golden/modes.json (git keeps no mode but 0644/0755). UPDATE_GOLDEN=1
// rewrites them; review the diff before committing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpus, GOLDEN, OUTPUTS, renderEntry } from './corpus.js';

function walk(dir: string, base = dir, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const n of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) walk(p, base, out);
    else out.push('/' + path.relative(base, p));
  }
  return out;
}

const MODES = path.join(GOLDEN, 'modes.json');
const modes: Record<string, string> = fs.existsSync(MODES) ? (JSON.parse(fs.readFileSync(MODES, 'utf8')) as Record<string, string>) : {};
const seen: Record<string, string> = {};

for (const e of corpus()) {
  for (const { renderer, distro, label } of OUTPUTS) {
    test(`golden: ${e.name} -> ${label}`, () => {
      const out = renderEntry(e, renderer, distro);
      const dir = path.join(GOLDEN, e.name, label);
      for (const [p, f] of out) seen[`${e.name}/${label}${p}`] = f.mode.toString(8).padStart(4, '0');
      if (process.env.UPDATE_GOLDEN === '1') {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const [p, f] of out) {
          fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
          fs.writeFileSync(path.join(dir, p), f.content);
        }
      }
      assert.deepEqual([...out.keys()].sort(), walk(dir), 'the set of files rendered');
      for (const [p, f] of out) {
        assert.equal(f.content, fs.readFileSync(path.join(dir, p), 'utf8'), `${p} content`);
        if (process.env.UPDATE_GOLDEN !== '1') assert.equal(f.mode.toString(8).padStart(4, '0'), modes[`${e.name}/${label}${p}`], `${p} mode`);
      }
    });
  }
}

test('golden modes manifest is complete', () => {
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(MODES, JSON.stringify(Object.fromEntries(Object.entries(seen).sort()), null, 1) + '\n');
    return;
  }
  assert.deepEqual(Object.keys(modes).sort(), Object.keys(seen).sort());
});
