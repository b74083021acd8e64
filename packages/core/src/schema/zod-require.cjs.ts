// zod in the CommonJS bundles (see zod.ts): a require() inside a function, which
// esbuild bundles as a module wrapped in a function that runs on the first call, so a
// bundle that holds zod does not evaluate it at start.
export function requireZod(): typeof import('zod') {
  return require('zod') as typeof import('zod');
}
