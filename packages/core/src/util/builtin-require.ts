// Node's require for built-in modules, in the ESM build (see builtin.ts).
import { createRequire } from 'node:module';

export const requireBuiltin: (name: string) => unknown = createRequire(import.meta.url);
