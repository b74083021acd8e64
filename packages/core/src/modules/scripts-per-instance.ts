// scripts_per_instance: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-instance, run once for each new instance.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerInstance = scriptsModule('scripts_per_instance', 'once-per-instance', (ctx) => `${ctx.paths.scriptsDir}/per-instance`);
