// The schema of the host-name keys, shared by set_hostname and update_hostname (kept
// apart from hostname-common.ts so the local stage's bundle carries no zod).
import { z } from 'zod';

export const hostnameSchema = z.object({
  preserve_hostname: z.boolean().optional(),
  hostname: z.string().optional(),
  fqdn: z.string().optional(),
  prefer_fqdn_over_hostname: z.boolean().optional(),
  create_hostname_file: z.boolean().optional(),
});
