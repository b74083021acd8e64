// runcmd: turns the list into a shell script, instances/<iid>/scripts/runcmd, which
// scripts_user runs in the final stage. A list item is an argv, each word quoted; a
// string item is a shell line, as written.
import type { Module, Z } from './types.js';
import { runcmdScript } from './lib/command-script.js';

export const runcmdSchema = (z: Z) => z.object({ runcmd: z.array(z.union([z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])), z.null()])).optional() });

export const runcmd: Module = {
  name: 'runcmd',
  frequency: 'once-per-instance',
  keys: ['runcmd'],
  schema: runcmdSchema,
  examples: [
    `#cloud-config
runcmd:
  - [systemctl, enable, --now, nginx.service]
  - echo "provisioned at $(date -u)" > /etc/provisioned
`,
  ],
  run(ctx) {
    const list = ctx.cfg.runcmd;
    if (!Array.isArray(list)) throw new Error(`${ctx.source.where(['runcmd'])}runcmd must be a list of commands (strings or lists of words)`);
    const { script, bad } = runcmdScript(list);
    for (const b of bad) ctx.log.error(`${ctx.source.where(['runcmd', b.index])}runcmd[${b.index}]: expected a string or a list of words, got ${b.got}; left out of the script`);
    const path = ctx.paths.instance('scripts/runcmd');
    ctx.host.fs.write(path, script, { mode: 0o700 });
    ctx.log.info(`wrote ${path} (${list.length - bad.length} command(s)); scripts_user runs it in the final stage`);
  },
};
