// scripts_per_boot: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-boot, run on every boot.
import { perDirectoryScriptsModule } from './lib/run-scripts.js';

export const scriptsPerBoot = perDirectoryScriptsModule('boot', 'always', 'on every boot');
