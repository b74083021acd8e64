// The one way to zod at run time. Evaluating zod costs 15-25 ms and most runs never
// validate (the config and final stages, the CLI's other commands), so schemas are
// builders, (z) => schema, called with zod() when a check needs them. Elsewhere only
// `import type` from 'zod' is allowed: an `import { z } from 'zod'` would be evaluated
// at the start of every bundle that reaches it.
//
// `requireZod` is a static import in the ESM build (the tests). In dist/
// (scripts/build.mjs swaps the file, as it does util/builtin-require.ts) it is a
// require() that esbuild wraps to run on first use (zod-require.cjs.ts), except in the
// config and final bundles, which never validate: they hold no zod and require
// nimbus-zod.js beside them (zod-require.sibling.cjs.ts).
import { requireZod } from './zod-require.js';

export type ZodModule = typeof import('zod');
/** zod's `z` namespace, which schema builders receive. */
export type Z = ZodModule['z'];

let loaded: ZodModule | undefined;

export function zod(): ZodModule {
  if (loaded === undefined) {
    loaded = requireZod();
    // zod compiles a fast path for each schema with new Function. A boot checks one
    // small config once, where compiling costs more than it saves (about 10 ms of the
    // init stage's check); on a config of 1000 files the two are the same within noise.
    loaded.z.config({ jitless: true });
  }
  return loaded;
}
