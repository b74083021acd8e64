// Module entries in cloud.cfg: a name ("write-files"), [name, frequency] or
// {name, frequency}. Names are canonicalised to underscores as cloud-init does.
import { FREQUENCIES, type Frequency } from '../modules/types.js';

export interface ModuleEntry {
  name: string;
  frequency?: Frequency;
}

export function canonicalModuleName(name: string): string {
  return name.trim().replace(/^cc_/, '').replace(/-/g, '_');
}

function parseFrequency(v: unknown, where: string): Frequency {
  // cloud-init also accepts the short spellings used in older configs.
  const aliases: Record<string, Frequency> = { instance: 'once-per-instance', 'per-instance': 'once-per-instance', 'per-once': 'once', 'per-always': 'always' };
  const s = typeof v === 'string' ? (aliases[v] ?? v) : v;
  if (typeof s === 'string' && (FREQUENCIES as readonly string[]).includes(s)) return s as Frequency;
  throw new Error(`${where}: frequency ${JSON.stringify(v)} is not one of ${FREQUENCIES.join(', ')}`);
}

/** Parses one list (cloud_init_modules, ...); bad entries are reported and skipped, never fatal. */
export function parseModuleList(value: unknown, key: string): { entries: ModuleEntry[]; errors: string[] } {
  const entries: ModuleEntry[] = [];
  const errors: string[] = [];
  if (value === undefined || value === null) return { entries, errors };
  if (!Array.isArray(value)) return { entries, errors: [`${key}: expected a list of modules, got ${typeof value}`] };
  value.forEach((item: unknown, i: number) => {
    const where = `${key}[${i}]`;
    try {
      if (typeof item === 'string') entries.push({ name: canonicalModuleName(item) });
      else if (Array.isArray(item) && typeof item[0] === 'string') {
        entries.push(item.length > 1 ? { name: canonicalModuleName(item[0]), frequency: parseFrequency(item[1], where) } : { name: canonicalModuleName(item[0]) });
      } else if (typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string') {
        const o = item as { name: string; frequency?: unknown };
        entries.push(o.frequency === undefined ? { name: canonicalModuleName(o.name) } : { name: canonicalModuleName(o.name), frequency: parseFrequency(o.frequency, where) });
      } else errors.push(`${where}: expected a module name, [name, frequency] or {name, frequency}, got ${JSON.stringify(item)}`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  });
  return { entries, errors };
}
