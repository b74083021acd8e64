// Custom modules: JavaScript files in /etc/cloud/modules.d/ (the admin's) and
// /usr/lib/nimbus/modules/ (packaged), with the built-ins' shape, listed in cloud.cfg
// like them. A file is named after its module (ws-virt-network-dep.js for
// ws_virt_network_dep) and is loaded only when its module is listed. It exports the
// module, or a function that receives { z } (nimbus's zod) and returns it:
//
//   module.exports = ({ z }) => ({ name, frequency, keys, schema: z.object({...}), run(ctx) {...} });
//
// Only the function form loads zod (schema/zod.ts), when its file is loaded; a module
// object may give its schema as a builder, (z) => z.object({...}), as the built-ins do.
//
// Only files that root owns and that neither group nor others can write, in
// directories alike, are loaded: anyone who can write one runs code as root at boot.
// A file that cannot be loaded is an error naming it; the other modules still run.
//
// A tree given to --root (other than "/") is data: its custom modules are never run on
// this machine, with any --exec mode (running JavaScript inside a tree would need the
// tree's own node and nimbus: not supported). A module listed there is an error naming
// the file. The one way to use custom modules on a tree is a directory of this machine's
// own, named by NIMBUS_MODULES_DIR: its modules act on the tree through ctx.host.
import { nodeModule, vm } from '../../util/builtin.js';
import { createHost } from '../../host/host.js';
import type { ZodType } from 'zod';
import { zod, type Z } from '../../schema/zod.js';
import type { Host } from '../../host/host.js';
import { FREQUENCIES, type Frequency, type Module, type SchemaBuilder } from '../types.js';

export const CUSTOM_MODULE_DIRS = ['/etc/cloud/modules.d', '/usr/lib/nimbus/modules'] as const;

/** The environment variable naming this machine's directory of custom modules for a run on a tree. */
export const MODULES_DIR_ENV = 'NIMBUS_MODULES_DIR';

/**
 * Where a run reads custom modules from: the system's directories when it works on "/";
 * on a tree, only this machine's directory named by NIMBUS_MODULES_DIR (read through a
 * host rooted at "/"), or none.
 */
export function customModuleSources(host: Host, env: NodeJS.ProcessEnv = process.env): { reader: Host; dirs: readonly string[] } | null {
  if (host.root === '/') return { reader: host, dirs: CUSTOM_MODULE_DIRS };
  const chosen = env[MODULES_DIR_ENV];
  if (chosen === undefined || chosen === '' || !chosen.startsWith('/')) return null;
  return { reader: createHost({ root: '/', exec: 'record' }), dirs: [chosen.replace(/\/+$/, '') || '/'] };
}

export class CustomModuleError extends Error {}

/** What a custom module file is named: its module name with dashes ("ws_virt_network_dep" → ws-virt-network-dep.js) or underscores. */
export function moduleFileNames(name: string): string[] {
  const dashed = name.replace(/_/g, '-');
  return [...new Set([`${dashed}.js`, `${name}.js`, `${dashed}.cjs`, `${name}.cjs`])];
}

/** Why a file (or directory) is not trusted to hold code run as root, or null. */
function trustProblem(host: Host, path: string, kind: 'file' | 'directory'): string | null {
  const st = host.fs.stat(path);
  if (st === null) return `${path} does not exist`;
  if (kind === 'file' && !st.isFile) return `${path} is not a regular file`;
  if (st.uid !== 0) return `${path} is owned by uid ${st.uid}, not root`;
  if ((st.mode & 0o022) !== 0) return `${path} is writable by ${(st.mode & 0o002) !== 0 ? 'others' : 'its group'} (mode 0${(st.mode & 0o777).toString(8)})`;
  return null;
}

function isSchema(v: unknown): v is ZodType {
  return v !== null && typeof v === 'object' && typeof (v as { safeParse?: unknown }).safeParse === 'function';
}

/** Checks that a loaded value has the Module shape; returns the module or throws naming what is wrong. */
export function asModule(v: unknown, expectedName: string, file: string): Module {
  const bad = (why: string) => new CustomModuleError(`${file}: ${why}`);
  if (v === null || typeof v !== 'object') throw bad('module.exports must be a module object (or a function returning one)');
  const m = v as Record<string, unknown>;
  if (m.name !== expectedName) throw bad(`declares name ${JSON.stringify(m.name)}, but a file named so must hold module ${JSON.stringify(expectedName)}`);
  if (typeof m.frequency !== 'string' || !(FREQUENCIES as readonly string[]).includes(m.frequency)) throw bad(`frequency ${JSON.stringify(m.frequency)} is not one of ${FREQUENCIES.join(', ')}`);
  if (!Array.isArray(m.keys) || !m.keys.every((k) => typeof k === 'string')) throw bad('keys must be a list of top-level configuration keys');
  if (typeof m.run !== 'function') throw bad('run(ctx) is missing');
  if (m.alwaysRun !== undefined && typeof m.alwaysRun !== 'boolean') throw bad('alwaysRun must be true or false');
  if (m.examples !== undefined && !(Array.isArray(m.examples) && m.examples.every((e) => typeof e === 'string'))) throw bad('examples must be a list of cloud-config documents (strings)');
  const keys = m.keys as string[];
  let schema: SchemaBuilder;
  if (m.schema === undefined) {
    // Without a schema, its keys are known to exist and accepted as they are.
    schema = (z) => z.object(Object.fromEntries(keys.map((k) => [k, z.unknown().optional()])));
  } else if (isSchema(m.schema)) {
    const given = m.schema;
    schema = () => given;
  } else if (typeof m.schema === 'function') {
    const build = m.schema as (z: Z) => unknown;
    schema = (z) => {
      const s = build.call(m, z);
      if (!isSchema(s)) throw bad('schema(z) must return a zod schema');
      return s;
    };
  } else throw bad('schema must be a zod schema (use the z given to the exported function) or a function (z) => schema');
  const run = m.run as Module['run'];
  return {
    name: expectedName,
    frequency: m.frequency as Frequency,
    keys,
    ...(m.alwaysRun === true ? { alwaysRun: true } : {}),
    schema,
    examples: (m.examples as string[] | undefined) ?? [],
    run: (ctx) => run.call(m, ctx),
  };
}

/** Evaluates a CommonJS module's source as Node would, with require() relative to its real path. */
function evaluate(source: string, realPath: string): unknown {
  const fn = vm().compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: realPath });
  const mod: { exports: unknown } = { exports: {} };
  fn(mod.exports, nodeModule().createRequire(realPath), mod, realPath, realPath.slice(0, realPath.lastIndexOf('/')));
  return mod.exports;
}

export interface CustomLookup {
  module: Module | null;
  /** The file found for the name, when there is one (also when it could not be loaded). */
  file: string | null;
}

const cache = new Map<string, CustomLookup>();
const listings = new Map<string, { mtimeMs: number; names: Set<string> }>();

/**
 * The names in a module directory, read again only when the directory changed: a stage
 * looks up every module of its list that is not built in (30-odd in the stock lists),
 * up to four names in two directories each, and one stat and a readdir cost less than
 * those stats.
 */
function dirNames(host: Host, dir: string): Set<string> {
  const st = host.fs.stat(dir);
  if (st === null || !st.isDir) return new Set();
  const key = `${host.root}\0${dir}`;
  const kept = listings.get(key);
  if (kept !== undefined && kept.mtimeMs === st.mtimeMs) return kept.names;
  const names = new Set(host.fs.list(dir));
  listings.set(key, { mtimeMs: st.mtimeMs, names });
  return names;
}

/**
 * The custom module called `name`: the first file for it in /etc/cloud/modules.d, then
 * the packaged directory. Returns {module: null, file: null} when there is none; throws
 * CustomModuleError naming the file when one is there but cannot be used.
 */
export function findCustomModule(host: Host, name: string): CustomLookup {
  const sources = customModuleSources(host);
  const key = `${host.root}\0${sources?.dirs.join(':') ?? ''}\0${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (!/^[a-z0-9_]+$/.test(name)) return { module: null, file: null };
  const found = sources === null ? null : findIn(sources.reader, sources.dirs, name);
  if (found !== null) {
    cache.set(key, found);
    return found;
  }
  if (host.root !== '/') {
    // The tree's own module is code from the tree: named, never loaded.
    for (const dir of CUSTOM_MODULE_DIRS) {
      const names = dirNames(host, dir);
      const fname = moduleFileNames(name).find((f) => names.has(f));
      if (fname !== undefined) {
        throw new CustomModuleError(
          `${dir}/${fname}: not loaded: with --root ${host.root}, custom modules in the tree are code from the tree, and nimbus never runs code from a tree on this machine (not supported: running a custom module inside the tree; ${MODULES_DIR_ENV} may name a directory of this machine's own modules)`,
        );
      }
    }
  }
  const none = { module: null, file: null };
  cache.set(key, none);
  return none;
}

function findIn(host: Host, dirs: readonly string[], name: string): CustomLookup | null {
  for (const dir of dirs) {
    const names = dirNames(host, dir);
    for (const fname of moduleFileNames(name)) {
      const file = `${dir}/${fname}`;
      if (!names.has(fname) || host.fs.stat(file) === null) continue;
      const why = trustProblem(host, dir, 'directory') ?? trustProblem(host, file, 'file');
      if (why !== null) throw new CustomModuleError(`${file}: not loaded: ${why}`);
      const source = host.fs.readText(file) ?? '';
      let exported: unknown;
      try {
        exported = evaluate(source, host.fs.real(file));
        if (typeof exported === 'function') exported = (exported as (api: { z: Z }) => unknown)({ z: zod().z });
      } catch (e) {
        const err = e as Error;
        // The first stack line under the file names where it broke.
        const at = (err.stack ?? '').split('\n').find((l) => l.includes(host.fs.real(file)));
        throw new CustomModuleError(`${file}: could not be loaded: ${err.name}: ${err.message}${at !== undefined ? ` (${at.trim().replace(/^at /, '')})` : ''}`);
      }
      return { module: asModule(exported, name, file), file };
    }
  }
  return null;
}
