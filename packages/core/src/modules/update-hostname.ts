// update_hostname: every boot, keeps the host name in step with configuration and
// metadata, unless someone changed it by hand since nimbus last wrote it (then it is
// theirs) or preserve_hostname is set.
import type { Module } from './types.js';
import { HOSTNAME_KEYS, PREVIOUS_HOSTNAME_FILE, applyHostname, currentStaticName, wantedName, writeSetHostname } from './lib/hostname.js';
import { hostnameSchema } from './lib/hostname-schema.js';

export const updateHostname: Module = {
  name: 'update_hostname',
  frequency: 'always',
  keys: HOSTNAME_KEYS,
  alwaysRun: true,
  schema: hostnameSchema,
  examples: [
    `#cloud-config
# Checked on every boot: a new name here (or in the metadata) is applied, unless
# the host name was changed by hand since nimbus set it.
hostname: db-2
create_hostname_file: true
`,
  ],
  run(ctx) {
    if (ctx.cfg.preserve_hostname === true) {
      ctx.log.info('preserve_hostname is set: the host name is left as it is');
      return;
    }
    const w = wantedName(ctx);
    if (w === null) return;
    if ('error' in w) {
      ctx.log.error(w.error);
      return;
    }
    const current = currentStaticName(ctx.host, ctx.distro);
    const ours = ctx.host.fs.readText(PREVIOUS_HOSTNAME_FILE)?.trim() ?? null;
    if (current === w.name) return;
    if (ours !== null && current !== null && current !== ours) {
      ctx.log.info(`the host name was changed to ${current} since nimbus set ${ours}: left as it is`);
      return;
    }
    applyHostname(ctx, w.name);
    writeSetHostname(ctx.host, w);
  },
};
