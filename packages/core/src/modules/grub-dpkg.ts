// grub_dpkg: tells debconf which disk (BIOS) or partition (EFI) grub is installed to, so
// a later grub-pc/grub-efi upgrade does not ask or pick the wrong one, once per instance.
// As cloud-init 25.x it acts only when `grub_dpkg.enabled` is true (22.4 acted by
// default; docs/compat.md); an unset device is found with grub-probe, then its
// /dev/disk/by-id name from udevadm, which survives a renamed disk.
import type { Module, ModuleContext, Z } from './types.js';
import { failure } from './lib/tree-exec.js';

type GrubCfg = Record<string, unknown>;

/** Python's truthy spellings (util.translate_bool) for install_devices_empty given as a string. */
export function translateBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null || v === '' || v === 0) return false;
  return ['true', '1', 'on', 'yes', 'y'].includes(String(v).trim().toLowerCase());
}

/** The debconf-set-selections text (pure): the device found or configured, for the boot mode. */
export function grubSelections(cfg: GrubCfg, efi: boolean, probe: () => string): string {
  if (efi) {
    const idevs = typeof cfg['grub-efi/install_devices'] === 'string' ? cfg['grub-efi/install_devices'] : probe();
    return `grub-pc grub-efi/install_devices string ${idevs}\n`;
  }
  const idevs = typeof cfg['grub-pc/install_devices'] === 'string' ? cfg['grub-pc/install_devices'] : probe();
  const given = cfg['grub-pc/install_devices_empty'];
  const empty = given === undefined || given === null ? idevs === '' : translateBool(given);
  return `grub-pc grub-pc/install_devices string ${idevs}\ngrub-pc grub-pc/install_devices_empty boolean ${empty}\n`;
}

/** The device grub boots from: grub-probe's answer, preferring its sorted first /dev/disk/by-id link. */
function probeDevice(ctx: ModuleContext, efi: boolean): string {
  if (!ctx.host.exec.has('grub-probe')) {
    ctx.log.debug('grub-probe is not installed: no install device found');
    return '';
  }
  const r = ctx.host.exec.run(['grub-probe', '-t', efi ? 'device' : 'disk', efi ? '/boot/efi' : '/boot']);
  const why = failure(r);
  if (why !== null) {
    ctx.log.debug(`grub-probe found no device: ${why}`);
    return '';
  }
  const disk = r.stdout.trim();
  if (disk === '' || !ctx.host.fs.exists(disk)) return '';
  const links = ctx.host.exec.run(['udevadm', 'info', '--root', '--query=symlink', disk]);
  const byId =
    failure(links) === null
      ? links.stdout
          .split(/\s+/)
          .filter((l) => l.includes('disk/by-id'))
          .sort()
      : [];
  return byId[0] ?? disk;
}

function run(ctx: ModuleContext): void {
  const key = ctx.cfg.grub_dpkg !== undefined ? 'grub_dpkg' : 'grub-dpkg';
  if (key === 'grub-dpkg') ctx.log.deprecated(`${ctx.source.where(['grub-dpkg'])}grub-dpkg is deprecated since cloud-init 22.2; use grub_dpkg`);
  const raw = ctx.cfg[key];
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new Error(`${ctx.source.where([key])}${key} must be a mapping`);
  }
  const cfg = (raw ?? {}) as GrubCfg;
  if (cfg.enabled !== true) {
    ctx.log.debug(`${key}.enabled is not true: grub's install device is left to debconf`);
    return;
  }
  for (const k of ['grub-pc/install_devices', 'grub-efi/install_devices'] as const) {
    const v = cfg[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new Error(`${ctx.source.where([key, k])}${key}.${k} must be a string`);
    // A newline would add a debconf selection of its own.
    if (typeof v === 'string' && /[\r\n]/.test(v)) throw new Error(`${ctx.source.where([key, k])}${key}.${k} must be one line`);
  }
  const efi = ctx.host.fs.exists('/sys/firmware/efi');
  const text = grubSelections(cfg, efi, () => probeDevice(ctx, efi));
  if (!ctx.host.exec.has('debconf-set-selections')) throw new Error(`${key}: debconf-set-selections is not installed; grub's install device is not set`);
  const why = failure(ctx.host.exec.run(['debconf-set-selections'], { stdin: text }));
  if (why !== null) throw new Error(`${key}: debconf-set-selections failed: ${why}`);
  ctx.log.info(`grub install device set for ${efi ? 'grub-efi' : 'grub-pc'}: ${text.trim().split('\n')[0]?.split(' ').slice(3).join(' ') || '(none)'}`);
}

export const grubDpkg: Module = {
  name: 'grub_dpkg',
  frequency: 'once-per-instance',
  // cloud-init 25.x's list for this module.
  distros: ['ubuntu', 'debian'],
  keys: ['grub_dpkg', 'grub-dpkg'],
  rerunAfterInterruption: true,
  schema: (z: Z) => {
    const body = z
      .object({
        enabled: z.boolean().optional(),
        'grub-pc/install_devices': z.string().optional(),
        'grub-pc/install_devices_empty': z.union([z.boolean(), z.string()]).optional(),
        'grub-efi/install_devices': z.string().optional(),
      })
      .strict();
    return z.object({ grub_dpkg: body.optional(), 'grub-dpkg': body.optional() });
  },
  examples: ['#cloud-config\ngrub_dpkg:\n  enabled: true\n  grub-pc/install_devices: /dev/sda\n  grub-pc/install_devices_empty: false\n'],
  run,
};
