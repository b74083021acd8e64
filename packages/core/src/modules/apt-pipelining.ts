// apt_pipelining: apt's HTTP pipeline depth (Acquire::http::Pipeline-Depth) in
// /etc/apt/apt.conf.d/90cloud-init-pipelining, once per instance. `false` turns
// pipelining off (depth 0), 0-5 sets the depth, `os` (the default) leaves apt's own.
import type { Module, ModuleContext, Z } from './types.js';
import { treeFamily } from './lib/package-manager.js';

export const PIPELINING_FILE = '/etc/apt/apt.conf.d/90cloud-init-pipelining';

/** The file text for a depth (pure): cloud-init's two lines. */
export function pipeliningSnippet(depth: number): string {
  return `//Written by cloud-init per 'apt_pipelining'\nAcquire::http::Pipeline-Depth "${depth}";\n`;
}

/** What a value asks for (pure): a depth to write, `keep` apt's default, or why it is not understood. */
export function pipeliningDepth(v: unknown): { depth: number } | { keep: string } | { bad: string } {
  if (v === undefined || v === null) return { keep: 'os' };
  if (v === false) return { depth: 0 };
  if (v === true) return { keep: 'true (pipelining on: apt already pipelines)' };
  const s = String(v).toLowerCase().trim();
  if (s === 'false') return { depth: 0 };
  if (s === 'os' || s === 'none' || s === 'unchanged') return { keep: s };
  if (/^[0-5]$/.test(s) && (typeof v === 'number' || typeof v === 'string')) return { depth: Number(s) };
  return { bad: `${JSON.stringify(v)} is not false, os or a depth from 0 to 5` };
}

function run(ctx: ModuleContext): void {
  const v = ctx.cfg.apt_pipelining;
  const d = pipeliningDepth(v);
  if ('bad' in d) {
    ctx.log.warn(`${ctx.source.where(['apt_pipelining'])}apt_pipelining: ${d.bad}; apt's setting is left as it is`);
    return;
  }
  if ('keep' in d) {
    if (d.keep === 'none' || d.keep === 'unchanged') ctx.log.deprecated(`${ctx.source.where(['apt_pipelining'])}apt_pipelining: ${d.keep} is deprecated since cloud-init 22.4; use os`);
    ctx.log.debug(`apt_pipelining ${d.keep}: apt's own pipelining setting is kept`);
    return;
  }
  if (treeFamily(ctx) !== 'apt') {
    ctx.log.info('apt_pipelining is for Debian and Ubuntu; this image does not use apt, nothing written');
    return;
  }
  ctx.host.fs.write(PIPELINING_FILE, pipeliningSnippet(d.depth), { mode: 0o644 });
  ctx.log.info(`wrote ${PIPELINING_FILE} with pipeline depth ${d.depth}`);
}

export const aptPipelining: Module = {
  name: 'apt_pipelining',
  frequency: 'once-per-instance',
  keys: ['apt_pipelining'],
  schema: (z: Z) => z.object({ apt_pipelining: z.union([z.number().int(), z.boolean(), z.enum(['os', 'none', 'unchanged'])]).optional() }),
  examples: ['#cloud-config\napt_pipelining: false\n', '#cloud-config\napt_pipelining: os\n', '#cloud-config\napt_pipelining: 3\n'],
  run,
};
