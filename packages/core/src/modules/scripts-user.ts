// scripts_user: runs the instance's scripts — user-data scripts and runcmd — from
// instances/<iid>/scripts, in the final stage.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsUser = scriptsModule('scripts_user', 'once-per-instance', (ctx) => ctx.paths.instance('scripts'));
