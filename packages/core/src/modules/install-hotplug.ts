// install_hotplug: network hotplug (`updates.network.when: [hotplug]`), once per
// instance. When the datasource can refresh its network config (net/hotplug-policy.ts)
// and hotplug is enabled — by the user's `updates`, by the datasource's default (Ec2,
// as in cloud-init 25.x) or by `nimbus devel hotplug-hook enable` — the udev rule is
// written whose hook hands each NIC add/remove to `nimbus devel hotplug-hook handle`
// (through nimbus-hotplugd.socket), and udev reloads its rules. Otherwise a rule left
// from before is removed; a user who asked for hotplug on a datasource that cannot do it
// is told so. The `boot` events of the same key are the network stage's (docs/networking.md).
import type { Module, ModuleContext, Z } from './types.js';
import { HOTPLUG_ENABLED_FILE, HOTPLUG_RULE, UPDATE_EVENTS, hotplugPolicy, hotplugSupported, parseHotplugEnabled } from '../net/hotplug-policy.js';
import { installHotplugRule, removeHotplugRule } from '../net/hotplug-rule.js';

function run(ctx: ModuleContext): void {
  const scopes = parseHotplugEnabled(ctx.host.fs.readText(HOTPLUG_ENABLED_FILE));
  if (scopes === null) ctx.log.warn(`${HOTPLUG_ENABLED_FILE}: not JSON of the form {"scopes": [...]}; ignored`);
  const policy = hotplugPolicy(ctx.cfg, ctx.ds.dsname, scopes ?? []);
  if (policy.problem !== undefined) throw new Error(`${ctx.source.where(['updates'])}${policy.problem}`);
  const sup = hotplugSupported(ctx.ds.dsname);
  if (sup.supported && policy.enabled) {
    ctx.log.info(`network hotplug: ${policy.because}`);
    installHotplugRule(ctx.host, ctx.ds.dsname, ctx.log);
    return;
  }
  const why = sup.supported ? `hotplug is not enabled (${policy.because})` : sup.why;
  if (removeHotplugRule(ctx.host, ctx.log, why)) return;
  if (policy.byUser) ctx.log.warn(`${ctx.source.where(['updates', 'network', 'when'])}network hotplug is not supported here: ${why}; no udev rule is installed`);
  else ctx.log.debug(`network hotplug: ${why}`);
}

export { HOTPLUG_RULE, UPDATE_EVENTS };

export const installHotplug: Module = {
  name: 'install_hotplug',
  frequency: 'once-per-instance',
  keys: ['updates'],
  alwaysRun: true,
  rerunAfterInterruption: true,
  schema: (z: Z) =>
    z.object({
      updates: z
        .object({
          network: z
            .object({ when: z.array(z.enum(UPDATE_EVENTS)) })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
    }),
  examples: ['#cloud-config\nupdates:\n  network:\n    when: [boot]\n', '#cloud-config\nupdates:\n  network:\n    when: [boot-new-instance, hotplug]\n'],
  run,
};
