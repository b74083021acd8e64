// Golden tests: every corpus input through every renderer gives exactly the files kept
// under test/net/golden/<input>/<renderer>/ (content and mode). UPDATE_GOLDEN=1
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

for (const e of corpus()) {
  for (const { renderer } of OUTPUTS) {
    test(`golden: ${e.name} -> ${renderer}`, () => {
      const out = renderEntry(e, renderer);
      const dir = path.join(GOLDEN, e.name, renderer);
      if (process.env.UPDATE_GOLDEN === '1') {
        fs.rmSync(dir, { recursive: true, force: true });
        for (const [p, f] of out) {
          fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
          fs.writeFileSync(path.join(dir, p), f.content, { mode: f.mode });
          fs.chmodSync(path.join(dir, p), f.mode);
        }
      }
      assert.deepEqual([...out.keys()].sort(), walk(dir), 'the set of files rendered');
      for (const [p, f] of out) {
        assert.equal(f.content, fs.readFileSync(path.join(dir, p), 'utf8'), `${p} content`);
        assert.equal(f.mode, fs.statSync(path.join(dir, p)).mode & 0o777, `${p} mode`);
      }
    });
  }
}
