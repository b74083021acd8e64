// zod for the ESM build the tests run (see zod.ts), loaded on first use as the bundles
// load it (zod-require.cjs.ts): most test files never validate a schema in their own
// process (their stages run as children), and evaluating zod costs each file about
// 0.15 s of CPU.
import { createRequire } from 'node:module';
import type * as zodModule from 'zod';

let zod: typeof zodModule | undefined;

export function requireZod(): typeof zodModule {
  zod ??= createRequire(import.meta.url)('zod') as typeof zodModule;
  return zod;
}
