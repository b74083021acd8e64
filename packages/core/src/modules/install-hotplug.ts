// install_hotplug: network hotplug (`updates.network.when: [hotplug]`), once per
// instance. cloud-init answers it with a udev rule whose hook makes `cloud-init devel
// hotplug-hook` re-apply the network config when a NIC comes or goes. nimbus has no
// hotplug handler yet, so a rule would call a command that is not there: where the user
// asks for hotplug it is reported "not supported"; where only the datasource's default
// asks (Ec2, as in cloud-init 25.x) it is an info line. A rule left by cloud-init is
// removed (it would run the missing handler), as cloud-init removes it when hotplug is
// off. The `boot` events of the same key are the network stage's (docs/networking.md).
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure } from './lib/tree-exec.js';

export const HOTPLUG_RULE = '/etc/udev/rules.d/90-cloud-init-hook-hotplug.rules';
export const UPDATE_EVENTS = ['boot-new-instance', 'boot-legacy', 'boot', 'hotplug'] as const;

// cloud-init's datasources whose default update events include hotplug.
const HOTPLUG_BY_DEFAULT = new Set(['Ec2']);

/** Whether network hotplug is asked for (pure): the user's `updates.network.when`, else the datasource's default. */
export function hotplugWanted(cfg: Record<string, unknown>, dsname: string): { wanted: boolean; byUser: boolean; problem?: string } {
  const updates = cfg.updates;
  if (updates === undefined || updates === null) return { wanted: HOTPLUG_BY_DEFAULT.has(dsname), byUser: false };
  if (!isDict(updates)) return { wanted: false, byUser: false, problem: 'updates must be a mapping' };
  const net = updates.network;
  if (net === undefined || net === null) return { wanted: HOTPLUG_BY_DEFAULT.has(dsname), byUser: false };
  if (!isDict(net) || !Array.isArray(net.when)) return { wanted: false, byUser: false, problem: 'updates.network must be a mapping with a when list' };
  const bad = net.when.filter((w: unknown) => typeof w !== 'string' || !(UPDATE_EVENTS as readonly string[]).includes(w));
  if (bad.length > 0) return { wanted: false, byUser: false, problem: `updates.network.when: ${bad.map((b) => JSON.stringify(b)).join(', ')} not one of ${UPDATE_EVENTS.join(', ')}` };
  const wanted = net.when.includes('hotplug');
  return { wanted, byUser: wanted };
}

function run(ctx: ModuleContext): void {
  const h = hotplugWanted(ctx.cfg, ctx.ds.dsname);
  if (h.problem !== undefined) throw new Error(`${ctx.source.where(['updates'])}${h.problem}`);
  if (ctx.host.fs.exists(HOTPLUG_RULE)) {
    ctx.host.fs.remove(HOTPLUG_RULE);
    ctx.log.info(`removed ${HOTPLUG_RULE}: its hook needs a hotplug handler nimbus does not have`);
    if (ctx.host.exec.has('udevadm')) {
      const why = failure(ctx.host.exec.run(['udevadm', 'control', '--reload-rules']));
      if (why !== null) ctx.log.warn(`udevadm control --reload-rules failed: ${why}`);
    }
  }
  if (!h.wanted) {
    ctx.log.debug('network hotplug is not enabled');
    return;
  }
  if (h.byUser) ctx.log.warn(`${ctx.source.where(['updates', 'network', 'when'])}not supported: network hotplug (updates.network.when: hotplug); NICs added later are not configured by nimbus`);
  else ctx.log.info(`the ${ctx.ds.dsname} datasource enables network hotplug by default; nimbus has no hotplug handler, so none is installed`);
}

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
  examples: ['#cloud-config\nupdates:\n  network:\n    when: [boot]\n'],
  run,
};
