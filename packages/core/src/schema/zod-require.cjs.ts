// zod in the bundles (see zod.ts). Even unevaluated, zod inside a bundle costs every
// start about 25 ms of parsing without a code cache, and with one, a later boot still
// deserializes zod's compiled functions: so no bundle holds it. It is nimbus-zod.js
// beside them (scripts/build.mjs makes it and fills in the constants), loaded on the
// first check with a code cache of its own (host/code-cache.ts).
import { loadCached } from '../host/code-cache.js';

declare const NIMBUS_ZOD_HASH: string;
declare const NIMBUS_ZOD_BYTES: number;

export function requireZod(): typeof import('zod') {
  const file = { path: `${__dirname}/nimbus-zod.js`, name: 'nimbus-zod', buildId: NIMBUS_ZOD_HASH, bytes: NIMBUS_ZOD_BYTES };
  return loadCached(file, process.argv.slice(2), require).exports as typeof import('zod');
}
