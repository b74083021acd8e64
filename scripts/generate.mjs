// `npm run generate`: rewrites every generated file (the registry in
// packages/core/src/generate/registry.ts) from the compiled sources in build/.
// `--check` writes nothing and exits 1 naming the files that drifted.
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const { GENERATED_FILES } = await import('../build/packages/core/src/generate/registry.js');
const check = process.argv.includes('--check');
const drifted = [];
for (const g of GENERATED_FILES) {
  const current = existsSync(g.path) ? readFileSync(g.path, 'utf8') : null;
  const want = g.render(current);
  if (want === current) continue;
  drifted.push(g.path);
  if (check) continue;
  mkdirSync(dirname(g.path), { recursive: true });
  writeFileSync(g.path, want);
  if (g.mode !== undefined) chmodSync(g.path, g.mode);
}
if (check && drifted.length > 0) {
  console.error(`generated files differ from their generators (run npm run generate):\n  ${drifted.join('\n  ')}`);
  process.exit(1);
}
console.log(drifted.length === 0 ? `generate: ${GENERATED_FILES.length} files up to date` : `generate: rewrote ${drifted.join(', ')}`);
