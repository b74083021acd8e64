// byobu: turns byobu's launch at login on or off, for the whole system (byobu's debconf
// question, then dpkg-reconfigure) and/or for the default user (byobu-launcher-install
// or -uninstall as that user), once per instance, from `byobu_by_default`. byobu is
// installed first when the image lacks it, as cloud-init does. Each step is its own argv
// (cloud-init builds one `sh -c` line with the user's name in it).
import type { Module, ModuleContext, Z } from './types.js';
import { failure } from './lib/tree-exec.js';
import { makeInstaller } from './lib/package-install.js';
import { normalizeUsers } from './lib/normalize-users.js';

export const BYOBU_VALUES = ['enable-system', 'enable-user', 'disable-system', 'disable-user', 'enable', 'disable', 'user', 'system'] as const;

/** What a value asks for (pure), as cloud-init reads it: `enable-user` also enables for the system. */
export function byobuPlan(value: string): { enable: boolean; user: boolean; system: boolean; known: boolean } {
  const v = value === 'user' || value === 'system' ? `enable-${value}` : value;
  const known = ['enable-user', 'enable-system', 'enable', 'disable-user', 'disable-system', 'disable'].includes(v);
  const enable = v.startsWith('enable');
  const user = v.endsWith('-user') || v === 'disable';
  const system = enable || v.endsWith('-system') || v === 'disable';
  return { enable, user, system, known };
}

async function run(ctx: ModuleContext): Promise<void> {
  const raw = ctx.cfg.byobu_by_default;
  if (raw === undefined || raw === null || raw === '') {
    ctx.log.debug('byobu_by_default is empty: nothing to do');
    return;
  }
  if (typeof raw !== 'string') throw new Error(`${ctx.source.where(['byobu_by_default'])}byobu_by_default must be one of ${BYOBU_VALUES.join(', ')}`);
  const plan = byobuPlan(raw);
  if (!plan.known) ctx.log.warn(`${ctx.source.where(['byobu_by_default'])}byobu_by_default: unknown value ${JSON.stringify(raw)}; nothing changed`);
  if (!ctx.host.exec.has('byobu')) {
    const { installer, problems } = makeInstaller(ctx);
    for (const p of problems) ctx.log.warn(p);
    if (installer === null) throw new Error('byobu_by_default: byobu is not installed and there is no package manager to install it');
    const r = await installer.install([{ name: 'byobu' }], { apt: [], snap: [] });
    if (r.failed.length > 0) throw new Error(`byobu_by_default: byobu could not be installed: ${r.problems.join('; ')}`);
  }
  const failed: string[] = [];
  const verb = plan.enable ? 'install' : 'uninstall';
  if (plan.user) {
    const user = normalizeUsers(ctx.cfg).users.find((u) => u.isDefault)?.name;
    if (user === undefined) ctx.log.warn(`byobu_by_default: no default user, so byobu-launcher-${verb} is not run for one`);
    else {
      const argv = ['sudo', '-Hu', user, `byobu-launcher-${verb}`];
      const why = failure(ctx.host.exec.run(argv, { output: 'log' }));
      if (why !== null) failed.push(`${argv.join(' ')}: ${why}`);
    }
  }
  if (plan.system) {
    const sel = `byobu byobu/launch-by-default boolean ${plan.enable}\n`;
    const why = failure(ctx.host.exec.run(['debconf-set-selections'], { stdin: sel }));
    if (why !== null) failed.push(`debconf-set-selections: ${why}`);
    else {
      const argv = ['dpkg-reconfigure', 'byobu', '--frontend=noninteractive'];
      const w = failure(ctx.host.exec.run(argv, { output: 'log' }));
      if (w !== null) failed.push(`${argv.join(' ')}: ${w}`);
    }
  }
  if (failed.length > 0) throw new Error(`byobu_by_default ${raw}: ${failed.join('; ')}`);
  if (plan.user || plan.system) ctx.log.info(`byobu set to ${raw}`);
}

export const byobu: Module = {
  name: 'byobu',
  frequency: 'once-per-instance',
  // cloud-init 25.x's list for this module.
  distros: ['ubuntu', 'debian'],
  keys: ['byobu_by_default'],
  rerunAfterInterruption: true,
  schema: (z: Z) => z.object({ byobu_by_default: z.enum(BYOBU_VALUES).optional() }),
  examples: ['#cloud-config\nbyobu_by_default: enable-user\n', '#cloud-config\nbyobu_by_default: disable-system\n'],
  run,
};
