// scripts_per_once: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-once, run once for the life of the machine.
import { perDirectoryScriptsModule } from './lib/run-scripts.js';

export const scriptsPerOnce = perDirectoryScriptsModule('once', 'once', 'once for the life of the machine');
