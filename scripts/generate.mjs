// `npm run generate`: rewrites every generated file (the registry in
// packages/core/src/generate/registry.ts) from the compiled sources in build/.
// `--check` writes nothing and exits 1 naming the files that drifted.
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';

const { GENERATED_FILES: CORE_FILES } = await import('../build/packages/core/src/generate/registry.js');
// The CLI's own: the man page and completions, written by the built CLI from its commands.
const cli =
  (...args) =>
  () =>
    execFileSync(process.execPath, ['dist/nimbus.js', ...args], { encoding: 'utf8' });
const CLI_FILES = [
  { path: 'packaging/man/nimbus.1', render: cli('devel', 'man') },
  { path: 'packaging/completion/nimbus.bash', render: cli('devel', 'completion', 'bash') },
  { path: 'packaging/completion/_nimbus', render: cli('devel', 'completion', 'zsh') },
];
const GENERATED_FILES = [...CORE_FILES, ...CLI_FILES];
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
