// scripts_per_instance, scripts_per_boot, scripts_per_once: the scripts an image or a
// part handler put in /var/lib/cloud/scripts/per-*, each at its own frequency.
import { scriptsModule } from './scripts-common.js';

export const scriptsPerInstance = scriptsModule('scripts_per_instance', 'once-per-instance', (ctx) => `${ctx.paths.scriptsDir}/per-instance`);
export const scriptsPerBoot = scriptsModule('scripts_per_boot', 'always', (ctx) => `${ctx.paths.scriptsDir}/per-boot`);
export const scriptsPerOnce = scriptsModule('scripts_per_once', 'once', (ctx) => `${ctx.paths.scriptsDir}/per-once`);
