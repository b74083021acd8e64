// cloud-init runs a module that names its distros only on those: elsewhere it is
// skipped unless `unverified_modules` lists it. The name compared is cloud-init's
// distro name (system_info.distro, else the os-release ID), so Rocky is not "rhel".
import type { ModuleContext } from '../types.js';
import { isDict } from '../../config/merge.js';

/** The distro name cloud-init would compare with a module's distros list. */
export function distroName(ctx: Pick<ModuleContext, 'cfg' | 'distro'>): string {
  const si = ctx.cfg.system_info;
  if (isDict(si) && typeof si.distro === 'string' && si.distro !== '') return si.distro;
  return ctx.distro.id;
}

/**
 * Whether `name` may run here. When not, it says so (a warning: configuration the user
 * gave was not applied) and how to run it anyway; a module listed in
 * `unverified_modules` runs everywhere, with a note.
 */
export function runsOnThisDistro(ctx: Pick<ModuleContext, 'cfg' | 'distro' | 'log'>, name: string, distros: readonly string[]): boolean {
  const d = distroName(ctx);
  if (distros.includes(d)) return true;
  const forced = ctx.cfg.unverified_modules;
  if (Array.isArray(forced) && forced.includes(name)) {
    ctx.log.info(`${name} is not verified on distro ${d} (it is for ${distros.join(', ')}); running it because unverified_modules lists it`);
    return true;
  }
  ctx.log.warn(`${name} is not for this distro: it runs on ${distros.join(', ')}, this is ${d}; its configuration was not applied (add ${name} to unverified_modules to run it anyway)`);
  return false;
}
