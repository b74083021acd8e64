// scripts_user: runs the instance's scripts — user-data scripts and runcmd — from
// instances/<iid>/scripts, in the final stage.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsUser = scriptsModule('scripts_user', 'once-per-instance', (ctx) => ctx.paths.instance('scripts'), [
  `#cloud-config
# scripts_user has no keys of its own: it runs the instance's scripts (user-data
# parts that start with #!, and the script runcmd writes) in the final stage.
runcmd:
  - [touch, /run/first-boot-done]
`,
]);
