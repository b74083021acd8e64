// The distro-agent modules (snap, lxd, ubuntu_pro, landscape, spacewalk,
// rh_subscription, ...) talk to daemons and services of the system they run on: with
// `--exec host` on a tree other than "/", every command would register or change THIS
// machine, not the image. They run on "/", inside the tree with `--exec chroot`, or
// recorded; never on the host for a tree.
import type { ModuleContext } from '../types.js';

/** Whether the module's commands would reach the tree; when not, it says so (a warning). */
export function agentReachesTree(ctx: Pick<ModuleContext, 'host' | 'log'>, name: string): boolean {
  if (ctx.host.exec.mode !== 'host' || ctx.host.root === '/') return true;
  ctx.log.warn(`${name} was not run: with --exec host its commands would act on this machine, not on the tree at ${ctx.host.root} (use --exec chroot to run them inside the tree)`);
  return false;
}
