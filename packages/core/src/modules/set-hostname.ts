// set_hostname: the instance's host name from configuration or metadata, once per
// instance. The local stage already set it before the network started
// (lib/early-hostname.ts), so a DHCP client cannot claim it first; this module then
// applies what the full user-data adds, and does nothing when that is the same name.
import type { Module, ModuleContext } from './types.js';
import { HOSTNAME_KEYS, setHostname } from './lib/hostname.js';
import { hostnameSchema } from './lib/hostname-schema.js';

export const setHostnameModule: Module = {
  name: 'set_hostname',
  frequency: 'once-per-instance',
  rerunAfterInterruption: true,
  keys: HOSTNAME_KEYS,
  alwaysRun: true,
  schema: hostnameSchema,
  examples: [
    `#cloud-config
hostname: web-1
fqdn: web-1.example.org
prefer_fqdn_over_hostname: false
`,
    `#cloud-config
# Keep the host name the image has.
preserve_hostname: true
`,
  ],
  run: (ctx: ModuleContext) => setHostname(ctx),
};
