// cloud-init runs a module that names its distros (Module.distros) only on those:
// elsewhere it is skipped, with an info line saying how to run it anyway, unless
// `unverified_modules` lists it. The name compared is cloud-init's distro name
// (system_info.distro, else the os-release ID), so Rocky is not "rhel".
import type { Module, ModuleContext } from '../types.js';
import { isDict } from '../../config/merge.js';

/** The distro name cloud-init would compare with a module's distros list. */
export function distroName(ctx: Pick<ModuleContext, 'cfg' | 'distro'>): string {
  const si = ctx.cfg.system_info;
  if (isDict(si) && typeof si.distro === 'string' && si.distro !== '') return si.distro;
  return ctx.distro.id;
}

/**
 * Whether `mod` runs on this distro: `run` with a note when `unverified_modules`
 * forces it, `skip` with the reason when it is not verified here, null when it is.
 */
export function distroVerdict(mod: Pick<Module, 'name' | 'distros'>, ctx: Pick<ModuleContext, 'cfg' | 'distro'>): { run: boolean; note: string } | null {
  if (mod.distros === undefined) return null;
  const d = distroName(ctx);
  if (mod.distros.includes(d) || mod.distros.includes('all')) return null;
  const forced = ctx.cfg.unverified_modules;
  if (Array.isArray(forced) && forced.includes(mod.name)) {
    return { run: true, note: `${mod.name} is not verified on distro ${d} (it is for ${mod.distros.join(', ')}); running it because unverified_modules lists it` };
  }
  return { run: false, note: `not verified on distro ${d} (it is for ${mod.distros.join(', ')}); add ${mod.name} to unverified_modules to run it anyway` };
}
