// bootcmd: the user's commands run early on every boot, in the init stage, with
// INSTANCE_ID set. A list item is an argv, run as is; a string is a shell line, run
// with `sh -c` (as cloud-init runs it in its shell script). Output goes to
// cloud-init-output.log; a failing command is reported and the next still runs.
import { z } from 'zod';
import type { Module } from './types.js';

export const bootcmdSchema = z.object({ bootcmd: z.array(z.union([z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))])).optional() });

/** The argv for each bootcmd item, or why an item cannot be run (pure). */
export function bootcmdArgv(item: unknown): string[] | { bad: string } {
  if (typeof item === 'string') return ['sh', '-c', item];
  if (Array.isArray(item)) {
    if (item.length === 0) return { bad: 'an empty list' };
    if (item.every((w) => typeof w === 'string' || typeof w === 'number' || typeof w === 'boolean')) return item.map((w) => String(w));
    return { bad: 'a list with a non-scalar item' };
  }
  return { bad: item === null ? 'null' : typeof item };
}

export const bootcmd: Module = {
  name: 'bootcmd',
  frequency: 'always',
  keys: ['bootcmd'],
  schema: bootcmdSchema,
  run(ctx) {
    const list = ctx.cfg.bootcmd;
    if (!Array.isArray(list)) throw new Error(`${ctx.source.where(['bootcmd'])}bootcmd must be a list of commands (strings or lists of words)`);
    let ran = 0;
    list.forEach((item: unknown, i: number) => {
      const argv = bootcmdArgv(item);
      if (!Array.isArray(argv)) {
        ctx.log.error(`${ctx.source.where(['bootcmd', i])}bootcmd[${i}]: expected a string or a list of words, got ${argv.bad}; not run`);
        return;
      }
      const r = ctx.host.exec.run(argv, { output: 'log', env: { INSTANCE_ID: ctx.ds.instanceId } });
      if (!r.recorded && (r.error !== undefined || r.code !== 0)) {
        ctx.log.error(`${ctx.source.where(['bootcmd', i])}bootcmd[${i}] failed (${r.error ?? `exit ${r.code}`}); its output is in /var/log/cloud-init-output.log`);
        return;
      }
      ran++;
    });
    ctx.log.info(`${ran} of ${list.length} bootcmd command(s) ${ctx.host.exec.mode === 'record' ? 'recorded' : 'ran'}`);
  },
};
