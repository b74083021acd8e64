// scripts_per_boot: the scripts an image or a part handler put in
// /var/lib/cloud/scripts/per-boot, run on every boot.
import { scriptsModule } from './lib/run-scripts.js';

export const scriptsPerBoot = scriptsModule('scripts_per_boot', 'always', (ctx) => `${ctx.paths.scriptsDir}/per-boot`, [
  `#cloud-config
# scripts_per_boot has no keys of its own: it runs the executables in
# /var/lib/cloud/scripts/per-boot on every boot, in name order. This config puts one there.
write_files:
  - path: /var/lib/cloud/scripts/per-boot/10-note
    permissions: '0755'
    content: |
      #!/bin/sh
      echo "$INSTANCE_ID" >> /var/log/per-boot.log
`,
]);
