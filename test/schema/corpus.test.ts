// The schema corpus (test/schema/corpus), written for nimbus: every file under valid/
// has no problem at all; every file under invalid/ and network/ says on its own lines
// what must be reported there, as `# expect: <severity> <key path>` (several joined by
// " ; "). Each expected problem must be reported on that line with that path, and
// nothing else may be reported: every error at once, each at the right place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText, formatProblem, pathText, type SchemaType } from '../../packages/core/src/index.js';

const DIR = 'test/schema/corpus';

function expectations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /#\s*expect:\s*(.+)$/.exec(line);
    if (!m) return;
    for (const e of (m[1] as string).split(';')) {
      const [, severity, path] = /^(\S+)\s+(.+)$/.exec(e.trim()) ?? [];
      out.push(`${i + 1} ${severity} ${path}`);
    }
  });
  return out.sort();
}

function run(dir: string, type: SchemaType): void {
  for (const name of readdirSync(join(DIR, dir)).sort()) {
    test(`schema corpus ${dir}/${name}`, () => {
      const file = join(DIR, dir, name);
      const text = readFileSync(file, 'utf8');
      const { problems } = checkText(type, text, file);
      const got = problems.map((p) => `${p.pos?.line ?? 0} ${p.severity} ${pathText(p.path)}`).sort();
      const valid = dir === 'valid' || name.startsWith('valid');
      const want = valid ? [] : expectations(text);
      if (!valid) assert.ok(want.length > 0, `${file} expects nothing`);
      assert.deepEqual(got, want, `${file}:\n${problems.map(formatProblem).join('\n')}`);
      for (const p of problems) {
        assert.equal(p.file, file);
        assert.ok(p.pos && p.pos.col >= 1, `${formatProblem(p)} has no column`);
      }
    });
  }
}

run('valid', 'cloud-config');
run('invalid', 'cloud-config');
run('network', 'network-config');

test('schema corpus: columns point at the key (flow style included)', () => {
  const file = join(DIR, 'invalid/10-flow-style.yaml');
  const { problems } = checkText('cloud-config', readFileSync(file, 'utf8'), file);
  assert.deepEqual(
    problems.map((p) => [pathText(p.path), p.pos?.line, p.pos?.col]),
    [
      ['write_files.0.encoding', 2, 27],
      ['runcmd.0.1', 2, 58],
      ['finall_message', 2, 68],
    ],
  );
});
