// zod in the init and CLI bundles, which validate (see zod.ts): a require() inside a
// function, which esbuild bundles as a module wrapped in a function that runs on the
// first call, so a start that validates nothing does not evaluate zod.
export function requireZod(): typeof import('zod') {
  return require('zod') as typeof import('zod');
}
