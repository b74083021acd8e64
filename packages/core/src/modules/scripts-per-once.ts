// scripts_per_once: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-once, run once for the life of the machine.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerOnce = scriptsModule('scripts_per_once', 'once', (ctx) => `${ctx.paths.scriptsDir}/per-once`);
