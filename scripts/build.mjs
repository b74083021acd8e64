// Builds nimbus: type-checks and compiles everything with tsc into build/ (tests run on
// that output), then bundles the CLI and the four stage daemons with esbuild into dist/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const t0 = Date.now();
rmSync('build', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const t1 = Date.now();

const entries = {
  nimbus: 'packages/cli/src/main.ts',
  'nimbus-local': 'packages/local/src/main.ts',
  'nimbus-init': 'packages/init/src/main.ts',
  'nimbus-config': 'packages/config/src/main.ts',
  'nimbus-final': 'packages/final/src/main.ts',
};
mkdirSync('dist', { recursive: true });
// The bundles are CommonJS so they run from any directory (/usr/lib/nimbus) on the
// Node the distros ship; this package.json stops the repo's "type": "module" applying.
writeFileSync('dist/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([, f]) => existsSync(f))),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'none',
  define: { NIMBUS_VERSION: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
console.error(`nimbus: built in ${Date.now() - t0} ms (tsc ${t1 - t0} ms, esbuild ${Date.now() - t1} ms)`);
