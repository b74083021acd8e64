// Node's heavier built-in modules, each loaded the first time it is used. A top-level
// import of child_process, crypto, zlib or net costs 3-8 ms of every start (they pull
// in streams, sockets and OpenSSL bindings), and most stage runs need none of them: the
// local stage with no datasource runs no command and hashes nothing.
//
// `requireBuiltin` is Node's require: from createRequire here (the ESM build the tests
// run), and the bundle's own `require` in dist/ (scripts/build.mjs swaps in
// builtin-require.cjs.ts, since createRequire would itself load the `module` builtin).
import { requireBuiltin } from './builtin-require.js';

function lazy<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireBuiltin(name) as T);
}

export const childProcess = lazy<typeof import('node:child_process')>('node:child_process');
export const crypto = lazy<typeof import('node:crypto')>('node:crypto');
export const zlib = lazy<typeof import('node:zlib')>('node:zlib');
export const tty = lazy<typeof import('node:tty')>('node:tty');
export const os = lazy<typeof import('node:os')>('node:os');
export const vm = lazy<typeof import('node:vm')>('node:vm');
export const http = lazy<typeof import('node:http')>('node:http');
export const net = lazy<typeof import('node:net')>('node:net');
export const nodeModule = lazy<typeof import('node:module')>('node:module');
