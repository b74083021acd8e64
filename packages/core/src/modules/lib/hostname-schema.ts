// The schema of the host-name keys, shared by set_hostname and update_hostname.
import type { Z } from '../types.js';

export const hostnameSchema = (z: Z) =>
  z.object({
    preserve_hostname: z.boolean().optional(),
    hostname: z.string().optional(),
    fqdn: z.string().optional(),
    prefer_fqdn_over_hostname: z.boolean().optional(),
    create_hostname_file: z.boolean().optional(),
  });
