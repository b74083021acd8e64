// bootcmd: the user's commands run early on every boot, in the init stage, with
// INSTANCE_ID set: written as one script (a list item an argv, each word quoted; a
// string a shell line) and run with /bin/sh, as cloud-init runs them. Output goes to
// cloud-init-output.log.
import type { Module, Z } from './types.js';
import { runcmdScript } from './lib/command-script.js';

export const bootcmdSchema = (z: Z) => z.object({ bootcmd: z.array(z.union([z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))])).optional() });

export const bootcmd: Module = {
  name: 'bootcmd',
  frequency: 'always',
  keys: ['bootcmd'],
  schema: bootcmdSchema,
  examples: [
    `#cloud-config
bootcmd:
  - echo "boot of $INSTANCE_ID" >> /var/log/boots.log
  - [sysctl, -w, vm.swappiness=10]
`,
  ],
  run(ctx) {
    const list = ctx.cfg.bootcmd;
    if (!Array.isArray(list)) throw new Error(`${ctx.source.where(['bootcmd'])}bootcmd must be a list of commands (strings or lists of words)`);
    // As cloud-init does: the commands become one script, and only its path is run, so
    // the user's commands (which may carry secrets) never reach an argv or the command record.
    const { script, bad } = runcmdScript(list);
    for (const b of bad) ctx.log.error(`${ctx.source.where(['bootcmd', b.index])}bootcmd[${b.index}]: expected a string or a list of words, got ${b.got}; left out of the script`);
    const path = ctx.paths.instance('bootcmd');
    ctx.host.fs.write(path, script, { mode: 0o700 });
    const r = ctx.host.exec.run(['/bin/sh', ctx.host.exec.pathFor(path)], { output: 'log', env: { INSTANCE_ID: ctx.ds.instanceId } });
    if (!r.recorded && (r.error !== undefined || r.code !== 0)) {
      throw new Error(`${ctx.source.where(['bootcmd'])}bootcmd failed (${r.error ?? `exit ${r.code}`}); its output is in /var/log/cloud-init-output.log`);
    }
    ctx.log.info(`bootcmd: ${list.length - bad.length} command(s) in ${path} ${r.recorded ? 'recorded' : 'ran'}`);
  },
};
