// cloud-init runs a module that names its distros (Module.distros) only on those:
// elsewhere it is skipped, with an info line saying how to run it anyway, unless
// `unverified_modules` lists it. The name compared is cloud-init's distro name
// (system_info.distro, else the os-release ID), so Rocky is not "rhel".
import type { Module, ModuleContext } from '../types.js';
import { isDict } from '../../config/merge.js';
import type { Logger } from '../../log/logger.js';

/** The distro name cloud-init would compare with a module's distros list. */
export function distroName(ctx: Pick<ModuleContext, 'cfg' | 'distro'>): string {
  const si = ctx.cfg.system_info;
  if (isDict(si) && typeof si.distro === 'string' && si.distro !== '') return si.distro;
  return ctx.distro.id;
}

/**
 * Why `mod` is skipped on this distro, or null when it runs. The runner (and a test's
 * direct run) calls it before the module: it logs the info line either way when the
 * module is not verified here (skipped, or forced by `unverified_modules`).
 */
export function distroSkip(mod: Pick<Module, 'name' | 'distros'>, ctx: Pick<ModuleContext, 'cfg' | 'distro'>, log: Pick<Logger, 'info'>): string | null {
  if (mod.distros === undefined) return null;
  const d = distroName(ctx);
  if (mod.distros.includes(d) || mod.distros.includes('all')) return null;
  const forced = ctx.cfg.unverified_modules;
  if (Array.isArray(forced) && forced.includes(mod.name)) {
    log.info(`${mod.name} is not verified on distro ${d} (it is for ${mod.distros.join(', ')}); running it because unverified_modules lists it`);
    return null;
  }
  const why = `not verified on distro ${d} (it is for ${mod.distros.join(', ')}); add ${mod.name} to unverified_modules to run it anyway`;
  log.info(`${mod.name}: ${why}; skipped`);
  return why;
}
