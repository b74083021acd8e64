// scripts_per_boot: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-boot, run on every boot.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerBoot = scriptsModule('scripts_per_boot', 'always', (ctx) => `${ctx.paths.scriptsDir}/per-boot`);
