// `schema --docs MODULE...|all`: each module's documentation from its own record — its
// frequency, the keys that activate it, every key with its type, and its examples — in
// the layout of cloud-init 22.4's `schema --docs` (cloud-init 25 dropped the flag).
import type { ZodType } from 'zod';
import type { Module } from '../modules/types.js';
import { BUILTIN_MODULES } from '../modules/registry.js';
import { shapeOf } from './zod-shape.js';
import { zod } from './zod.js';

interface Def {
  type?: string;
  innerType?: ZodType;
  in?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
  options?: ZodType[];
  entries?: Record<string, unknown>;
  values?: unknown[];
  getter?: () => ZodType;
}

const defOf = (t: ZodType): Def => (t as unknown as { _zod?: { def?: Def } })._zod?.def ?? {};

/** A key's type in a few words: "string", "list of (string | list of string)", "one of: a, b". */
export function describeType(t: ZodType, depth = 0): string {
  if (depth > 6) return 'value';
  const d = defOf(t);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return d.innerType ? describeType(d.innerType, depth + 1) : 'value';
    case 'pipe':
      return d.in ? describeType(d.in, depth + 1) : 'value';
    case 'lazy':
      return d.getter ? describeType(d.getter(), depth + 1) : 'value';
    case 'array':
      return d.element ? `list of ${describeType(d.element, depth + 1)}` : 'list';
    case 'record':
      return d.valueType ? `mapping of ${describeType(d.valueType, depth + 1)}` : 'mapping';
    case 'object':
      return 'mapping';
    case 'union': {
      const parts = [...new Set((d.options ?? []).map((o) => describeType(o, depth + 1)))];
      return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' | ')})`;
    }
    case 'enum':
      return `one of: ${Object.values(d.entries ?? {})
        .map(String)
        .join(', ')}`;
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'int':
      return 'integer';
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return d.type;
    default:
      return 'value';
  }
}

const title = (name: string) =>
  name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

export function moduleDoc(m: Module): string {
  const head = title(m.name);
  const lines = [head, '-'.repeat(head.length), ''];
  lines.push(`**Internal name:** \`\`cc_${m.name}\`\``, '');
  lines.push(`**Module frequency:** ${m.frequency}`, '');
  lines.push(m.alwaysRun ? '**Activate only on keys:** none: it runs on every boot of its stage' : `**Activate only on keys:** ${m.keys.map((k) => `\`\`${k}\`\``).join(', ')}`, '');
  lines.push('**Config schema**:');
  const shape = shapeOf(m.schema(zod().z));
  if (shape.kind === 'object') for (const [key, t] of shape.fields) lines.push(`    **${key}:** (${describeType(t)})`);
  lines.push('', '**Examples**::', '');
  m.examples.forEach((ex, i) => {
    if (i > 0) lines.push('    # --- Example' + (i + 1) + ' ---');
    for (const l of ex.replace(/\n$/, '').split('\n')) lines.push(l === '' ? '' : `    ${l}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The documentation of the named modules (cc_ prefix optional), or "all"; unknown names are an error naming them. */
export function moduleDocs(requested: readonly string[]): { text: string } | { error: string } {
  const byName = new Map(BUILTIN_MODULES.map((m) => [m.name, m]));
  const names = requested.includes('all') ? [...byName.keys()].sort() : requested.map((n) => n.replace(/^cc_/, '').replace(/-/g, '_'));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) return { error: `Invalid --docs value ${JSON.stringify(unknown)}. Must be one of: all, ${[...byName.keys()].sort().join(', ')}` };
  return { text: names.map((n) => moduleDoc(byName.get(n) as Module)).join('\n\n') };
}
