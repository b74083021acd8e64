// Builds nimbus: type-checks and compiles everything with tsc into build/ (tests run on
// that output), then bundles the CLI and the four stage daemons with esbuild into dist/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { existsSync, mkdirSync, writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const t0 = Date.now();
rmSync('build', { recursive: true, force: true });
// --no-typecheck (the fast lane's inner loop): esbuild transpiles each file into build/
// as tsc would lay it out, in about a second instead of tsc's twenty; the type check is
// left to `npm test` and `npm run typecheck`.
if (process.argv.includes('--no-typecheck')) {
  const sources = ['packages', 'test'].flatMap((d) => allTs(d)).filter((f) => !f.endsWith('.d.ts'));
  await build({ entryPoints: sources, outdir: 'build', outbase: '.', format: 'esm', platform: 'node', target: 'node18', logLevel: 'warning' });
} else execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const t1 = Date.now();

function allTs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' ? [] : e.isDirectory() ? allTs(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

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
const built = Object.entries(entries).filter(([, f]) => existsSync(f));
// NIMBUS_BUILD_ID: a hash of every source file and the lock file (version.ts).
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []))
    .sort();
}
const sourceHash = createHash('sha256');
for (const f of [...readdirSync('packages').flatMap((p) => sourceFiles(path.join('packages', p, 'src'))), 'package-lock.json']) sourceHash.update(f).update('\0').update(readFileSync(f)).update('\0');
const buildId = sourceHash.digest('hex').slice(0, 16);
// In a CommonJS bundle Node's require is at hand: util/builtin-require.ts (createRequire,
// for the ESM build) becomes builtin-require.cjs.ts (see util/builtin.ts). zod is
// reached through schema/zod-require.ts (a static import in the ESM build); in the
// bundles it becomes zod-require.cjs.ts, which loads dist/nimbus-zod.js with its own
// code cache, so no bundle holds zod (see schema/zod.ts).
const cjsRequire = {
  name: 'cjs-require',
  setup(b) {
    b.onResolve({ filter: /\/builtin-require\.js$/ }, (args) => ({ path: path.join(args.resolveDir, 'builtin-require.cjs.ts') }));
    b.onResolve({ filter: /\/zod-require\.js$/ }, (args) => ({ path: path.join(args.resolveDir, 'zod-require.cjs.ts') }));
  },
};
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
};
const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
// zod first: the bundles carry its hash and size, which key its code cache.
await build({
  ...common,
  stdin: { contents: "export * from 'zod';\nexport { default } from 'zod';\n", resolveDir: '.', sourcefile: 'nimbus-zod.js' },
  outfile: 'dist/nimbus-zod.js',
});
const zodBytes = readFileSync('dist/nimbus-zod.js');
const defines = {
  NIMBUS_VERSION: JSON.stringify(version),
  NIMBUS_BUILD_ID: JSON.stringify(buildId),
  NIMBUS_ZOD_HASH: JSON.stringify(hashOf(zodBytes)),
  NIMBUS_ZOD_BYTES: String(zodBytes.length),
};
// Each program is two files: NAME.bundle.js, the code, and NAME.js, the loader that the
// units and /usr/bin/nimbus start, which runs the bundle with its V8 code cache
// (packages/core/src/host/code-cache.ts).
await build({
  ...common,
  entryPoints: Object.fromEntries(built.map(([name, f]) => [`${name}.bundle`, f])),
  outdir: 'dist',
  plugins: [cjsRequire],
  define: defines,
  banner: { js: '#!/usr/bin/env node' },
});
for (const [name] of built) {
  const bytes = readFileSync(`dist/${name}.bundle.js`);
  await build({
    ...common,
    entryPoints: ['packages/core/src/host/bundle-loader.ts'],
    outfile: `dist/${name}.js`,
    define: {
      NIMBUS_BUNDLE: JSON.stringify(`${name}.bundle.js`),
      NIMBUS_BUNDLE_NAME: JSON.stringify(name),
      NIMBUS_BUNDLE_HASH: JSON.stringify(hashOf(bytes)),
      NIMBUS_BUNDLE_BYTES: String(bytes.length),
    },
    banner: { js: '#!/usr/bin/env node' },
  });
}
// The tests' CLI library (test/helpers/cli-entry.ts): the CLI's commands without its
// main, run in the tests' worker thread (test/helpers/boot-worker.ts), beside a copy of
// zod as in dist/.
mkdirSync('build/cli-worker', { recursive: true });
writeFileSync('build/cli-worker/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
writeFileSync('build/cli-worker/nimbus-zod.js', zodBytes);
await build({ ...common, entryPoints: ['test/helpers/cli-entry.ts'], outfile: 'build/cli-worker/cli.cjs', plugins: [cjsRequire], define: defines });
console.error(`nimbus: built in ${Date.now() - t0} ms (${process.argv.includes('--no-typecheck') ? 'transpiled' : 'tsc'} ${t1 - t0} ms, esbuild ${Date.now() - t1} ms)`);
