// The VM's identity as cloud-init 25.x derives it: the instance-id is the SMBIOS system
// UUID in lower case (kept as previously recorded when it only differs by the byte
// order of its first three fields, so an old kernel's reading never makes a "new"
// instance), and the VM id Azure knows is that UUID byte-swapped on gen1 (BIOS) VMs.
import type { Host } from '../../host/host.js';

export const AZURE_CHASSIS_ASSET_TAG = '7783-7084-3265-9085-8269-3286-77';
const PREVIOUS_IID = '/var/lib/cloud/data/instance-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The little-endian reading of the first three fields; null when it is not a UUID. */
export function byteSwapUuid(uuid: string): string | null {
  const u = uuid.toLowerCase();
  if (!UUID.test(u)) return null;
  const rev = (h: string) => h.match(/../g)!.reverse().join('');
  const [a, b, c, d, e] = u.split('-') as [string, string, string, string, string];
  return `${rev(a)}-${rev(b)}-${rev(c)}-${d}-${e}`;
}

/** DMI product_uuid in lower case, or null. */
export function systemUuid(host: Host): string | null {
  const v = host.sysfs.dmi('product_uuid')?.trim().toLowerCase();
  return v ? v : null;
}

/** Gen1 VMs boot with BIOS: no /sys/firmware/efi. */
export function isGen1(host: Host): boolean {
  return !host.fs.isDir('/sys/firmware/efi') && !host.fs.exists('/dev/efi');
}

/** The VM id Azure reports for this machine (compute.vmId), from the system UUID. */
export function vmIdOf(host: Host): string | null {
  const u = systemUuid(host);
  if (u === null) return null;
  return isGen1(host) ? (byteSwapUuid(u) ?? u) : u;
}

/** The instance-id: the system UUID, or the recorded one when it is the same UUID read in the other byte order. */
export function azureInstanceId(host: Host): string | null {
  const u = systemUuid(host);
  if (u === null) return null;
  const prev = host.fs.readText(PREVIOUS_IID)?.trim();
  if (prev && [u, byteSwapUuid(u)].includes(prev.toLowerCase())) return prev;
  return u;
}
