// docs/modules.md's generated parts, drawn from the module records: the table of
// built-in modules (the stock module list each runs in, frequency, activating keys),
// the table of cloud-init modules nimbus does not have yet, and every built-in's
// examples. The prose around them is written by hand.
import type { Module } from '../modules/types.js';
import { BUILTIN_MODULES } from '../modules/registry.js';
import { NOT_IMPLEMENTED } from '../modules/not-implemented.js';
import { builtinConfig } from '../config/defaults.js';
import { parseModuleList } from '../config/modules-list.js';
import { distroFromOsRelease } from '../distro/detect.js';
import { codeList } from './markdown.js';
import { replaceRegion } from './region.js';
import type { GeneratedFile } from './types.js';

export const MODULES_DOC = 'docs/modules.md';

const LISTS = [
  ['cloud_init_modules', 'init'],
  ['cloud_config_modules', 'config'],
  ['cloud_final_modules', 'final'],
] as const;

/** Which stock module list (init, config, final) names each module, for one distro family. */
export type ListPlacement = ReadonlyMap<string, string>;

/** Where each module runs in a stock configuration's module lists (pure). */
export function placementIn(cfg: Record<string, unknown>): ListPlacement {
  const at = new Map<string, string>();
  for (const [key, label] of LISTS) for (const e of parseModuleList(cfg[key], key).entries) if (!at.has(e.name)) at.set(e.name, label);
  return at;
}

/** The stock lists nimbus uses without a cloud.cfg: Debian's and the rhel family's. */
export function stockPlacement(): { debian: ListPlacement; rhel: ListPlacement } {
  const of = (osr: Record<string, string>) => placementIn(builtinConfig(distroFromOsRelease(osr), []));
  return { debian: of({ ID: 'debian' }), rhel: of({ ID: 'rocky', ID_LIKE: 'rhel centos fedora' }) };
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

function listCell(name: string, stock: { debian: ListPlacement; rhel: ListPlacement }): string {
  const d = stock.debian.get(name);
  const r = stock.rhel.get(name);
  if (d === undefined && r === undefined) return 'not in the stock lists';
  if (d === r) return d as string;
  return `${d ?? '—'} / ${r ?? '—'}`;
}

function keysCell(m: Pick<Module, 'keys' | 'alwaysRun'>): string {
  if (m.alwaysRun !== true) return codeList(m.keys);
  return m.keys.length === 0 ? 'none: always runs' : `none: always runs (reads ${codeList(m.keys)})`;
}

/** The built-in modules' table (pure). */
export function renderModulesTable(modules: readonly Module[], stock: { debian: ListPlacement; rhel: ListPlacement }): string {
  const rows = [...modules].sort(byName).map((m) => `| ${m.name} | ${listCell(m.name, stock)} | ${m.frequency} | ${keysCell(m)} |`);
  return ['| module | module list (Debian / RHEL) | frequency | activating keys |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** The table of cloud-init modules nimbus does not implement, with the keys that make them "not supported" (pure). */
export function renderNotImplementedTable(missing: Readonly<Record<string, readonly string[]>>, stock: { debian: ListPlacement; rhel: ListPlacement }): string {
  const rows = Object.keys(missing)
    .sort()
    .map((name) => {
      const keys = missing[name] ?? [];
      return `| ${name} | ${listCell(name, stock)} | ${keys.length === 0 ? 'none: skipped quietly' : codeList(keys)} |`;
    });
  return ['| module | module list (Debian / RHEL) | keys that make it "not supported" |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** Every built-in's examples, as YAML blocks under the module's name (pure). */
export function renderModuleExamples(modules: readonly Module[]): string {
  const parts = [...modules].sort(byName).map((m) => [`**${m.name}**`, ...m.examples.map((e) => `\`\`\`yaml\n${e.endsWith('\n') ? e : `${e}\n`}\`\`\``)].join('\n\n'));
  return parts.join('\n\n') + '\n';
}

/** docs/modules.md with its three generated regions rewritten (pure). */
export function renderModulesDoc(
  current: string | null,
  modules: readonly Module[],
  missing: Readonly<Record<string, readonly string[]>>,
  stock: { debian: ListPlacement; rhel: ListPlacement },
): string {
  let text = current ?? '';
  text = replaceRegion(text, 'modules-table', renderModulesTable(modules, stock), MODULES_DOC);
  text = replaceRegion(text, 'modules-not-implemented', renderNotImplementedTable(missing, stock), MODULES_DOC);
  return replaceRegion(text, 'modules-examples', renderModuleExamples(modules), MODULES_DOC);
}

export const MODULES_DOC_FILE: GeneratedFile = {
  path: MODULES_DOC,
  render: (current) => renderModulesDoc(current, BUILTIN_MODULES, NOT_IMPLEMENTED, stockPlacement()),
};
