// scripts_per_once: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-once, run once for the life of the machine.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerOnce = scriptsModule('scripts_per_once', 'once', (ctx) => `${ctx.paths.scriptsDir}/per-once`, [
  `#cloud-config
# scripts_per_once has no keys of its own: it runs the executables in
# /var/lib/cloud/scripts/per-once once for the life of the machine, in name order. This config puts one there.
write_files:
  - path: /var/lib/cloud/scripts/per-once/10-note
    permissions: '0755'
    content: |
      #!/bin/sh
      echo "$INSTANCE_ID" >> /var/log/per-once.log
`,
]);
