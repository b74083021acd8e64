// scripts_per_instance: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-instance, run once for each new instance.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerInstance = scriptsModule('scripts_per_instance', 'once-per-instance', (ctx) => `${ctx.paths.scriptsDir}/per-instance`, [
  `#cloud-config
# scripts_per_instance has no keys of its own: it runs the executables in
# /var/lib/cloud/scripts/per-instance once for each new instance, in name order. This config puts one there.
write_files:
  - path: /var/lib/cloud/scripts/per-instance/10-note
    permissions: '0755'
    content: |
      #!/bin/sh
      echo "$INSTANCE_ID" >> /var/log/per-instance.log
`,
]);
