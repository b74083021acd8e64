// final_message: the line that says the boot is done (on the console and in the log),
// and instances/<iid>/boot-finished. The message is a template: $UPTIME, $TIMESTAMP,
// $DATASOURCE, $VERSION (also as ${NAME} or {{ name }}).
import { z } from 'zod';
import type { Module, ModuleContext } from './types.js';

import { NIMBUS_VERSION_STRING } from '../version.js';

export const DEFAULT_FINAL_MESSAGE = 'nimbus v. $VERSION finished at $TIMESTAMP. Datasource $DATASOURCE.  Up $UPTIME seconds';

export function rfc2822(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function renderFinalMessage(template: string, vars: Record<string, string>): string {
  return template
    .replace(/\$\{(\w+)\}|\$(\w+)|\{\{\s*(\w+)\s*\}\}/g, (whole, a: string | undefined, b: string | undefined, c: string | undefined) => {
      const key = (a ?? b ?? c ?? '').toUpperCase();
      return key in vars ? (vars[key] as string) : whole;
    });
}

export const finalMessage: Module = {
  name: 'final_message',
  frequency: 'always',
  keys: ['final_message'],
  alwaysRun: true,
  schema: z.object({ final_message: z.string().optional() }),
  run(ctx: ModuleContext) {
    const uptime = ctx.host.sysfs.uptime().toFixed(2);
    const ts = rfc2822(ctx.host.clock.now());
    const tpl = typeof ctx.cfg.final_message === 'string' ? ctx.cfg.final_message : DEFAULT_FINAL_MESSAGE;
    const msg = renderFinalMessage(tpl, { UPTIME: uptime, TIMESTAMP: ts, DATASOURCE: ctx.ds.description, VERSION: NIMBUS_VERSION_STRING });
    ctx.log.info(msg);
    ctx.host.fs.write(ctx.paths.instance('boot-finished'), `${uptime} - ${ts} - v. ${NIMBUS_VERSION_STRING}\n`);
    if (ctx.ds.dsname === 'None') ctx.log.warn('used the None datasource: no instance data was found, so only the system configuration was applied');
  },
};
