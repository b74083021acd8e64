// scripts_per_instance: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-instance, run once for each new instance.
import { perDirectoryScriptsModule } from './lib/run-scripts.js';

export const scriptsPerInstance = perDirectoryScriptsModule('instance', 'once-per-instance', 'once for each new instance');
