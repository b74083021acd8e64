// final_message: the line that says the boot is done (in the log and on stderr, which
// is the journal and the console) and instances/<iid>/boot-finished. The message is a
// template as cloud-init's: a `## template: jinja` one, or $name / ${name} (dotted
// names reach into mappings), with uptime, timestamp, datasource and version in lower
// and upper case. A template that names an unknown variable is reported and not shown.
import type { Module, ModuleContext } from './types.js';
import { isJinjaTemplate, renderJinjaPart } from '../userdata/jinja.js';

import { NIMBUS_VERSION_STRING } from '../version.js';
import { rfc2822 } from './lib/rfc2822.js';

export const DEFAULT_FINAL_MESSAGE = '## template: jinja\nnimbus v. {{version}} finished at {{timestamp}}. Datasource {{datasource}}.  Up {{uptime}} seconds';

/** cloud-init's basic templates: ${a.b} or $a.b looked up in vars; throws naming an unknown variable (pure). */
export function basicRender(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z0-9_.]+)/g, (_w, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    let cur: unknown = vars;
    for (const key of name.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(key in (cur as Record<string, unknown>))) throw new Error(`the template uses $${name}, which is not one of ${Object.keys(vars).join(', ')}`);
      cur = (cur as Record<string, unknown>)[key];
    }
    return String(cur);
  });
}

/** The message for a template and the four values (pure): jinja when the header says so, basic otherwise. */
export function renderFinalMessage(template: string, values: { uptime: string; timestamp: string; datasource: string; version: string }): string {
  const vars: Record<string, string> = { ...values };
  for (const [k, v] of Object.entries(values)) vars[k.toUpperCase()] = v;
  const text = template.trim() === '' ? DEFAULT_FINAL_MESSAGE : template.trim();
  return isJinjaTemplate(text) ? renderJinjaPart(text, vars, 'final_message') : basicRender(text, vars);
}

export const finalMessage: Module = {
  name: 'final_message',
  frequency: 'always',
  keys: ['final_message'],
  alwaysRun: true,
  schema: (z) => z.object({ final_message: z.string().optional() }),
  examples: [
    `#cloud-config
final_message: "ready after $UPTIME seconds, configured from $DATASOURCE"
`,
    `#cloud-config
final_message: |
  ## template: jinja
  nimbus {{ version }} finished at {{ timestamp }}
`,
  ],
  run(ctx: ModuleContext) {
    const uptime = ctx.host.sysfs.uptime().toFixed(2);
    const ts = rfc2822(ctx.host.clock.now());
    const tpl = typeof ctx.cfg.final_message === 'string' ? ctx.cfg.final_message : DEFAULT_FINAL_MESSAGE;
    try {
      ctx.log.info(renderFinalMessage(tpl, { uptime, timestamp: ts, datasource: ctx.ds.description, version: NIMBUS_VERSION_STRING }));
    } catch (e) {
      ctx.log.warn(`${ctx.source.where(['final_message'])}final_message could not be rendered: ${(e as Error).message}`);
    }
    ctx.host.fs.write(ctx.paths.instance('boot-finished'), `${uptime} - ${ts} - v. ${NIMBUS_VERSION_STRING}\n`);
    if (ctx.ds.dsname === 'None') ctx.log.warn('used the None datasource: no instance data was found, so only the system configuration was applied');
  },
};
