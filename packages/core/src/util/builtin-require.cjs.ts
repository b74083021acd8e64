// Node's require for built-in modules, in the CommonJS bundles (see builtin.ts): the
// bundle's own require, which costs nothing to reach.
export const requireBuiltin: (name: string) => unknown = require;
