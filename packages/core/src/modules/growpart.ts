// growpart: grows the partition under / (and any other device listed) to the end of its
// disk with cloud-guest-utils' `growpart`, on every boot, with no configuration needed:
// an image written to a disk larger than itself gets its space. The device under a
// mount point is read from the tree (mountinfo, root= on the kernel command line,
// /sys/class/block), so a temp tree describes a machine and the commands are recorded.
// What cannot be grown (a whole-disk root, LVM or LUKS, a missing tool) is said in the
// log, never silently passed over.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { blockSize, inContainer, isBlockDevice, mappedDevice, mountOf, partitionOf, realPath, rootFromCmdline } from './lib/block-device.js';

export const GROWROOT_DISABLED = '/etc/growroot-disabled';
/** cloud-init's key file for growing a LUKS root (written by the image's first-boot tooling). */
const LUKS_KEYDATA = '/cc_growpart_keydata';
/** growpart keeps its state in TMPDIR; /tmp may be cleaned by systemd-tmpfiles while it runs. */
const GROWPART_TMP = '/var/tmp/nimbus-growpart';

export const growpartSchema = (z: Z) =>
  z.object({
    growpart: z
      .object({
        mode: z.union([z.enum(['auto', 'growpart', 'gpart', 'off']), z.literal(false)]).optional(),
        devices: z.array(z.string()).optional(),
        ignore_growroot_disabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
  });

type Outcome = 'changed' | 'nochange' | 'skipped' | 'failed';

interface Result {
  entry: string;
  outcome: Outcome;
  message: string;
}

/** Python's falsy spellings that cloud-init takes for "off" (YAML 1.1 reads `mode: off` as false). */
function isOff(v: unknown): boolean {
  return v === false || (typeof v === 'string' && ['off', 'false', 'no', '0'].includes(v.toLowerCase()));
}

/** The block device of a devices entry: a /dev path as it is, a mount point through the tree's mount table. */
function deviceOf(ctx: ModuleContext, entry: string): { dev: string; fstype: string | null } | { skip: string } {
  if (entry.startsWith('/dev/')) return { dev: entry, fstype: null };
  const m = mountOf(ctx.host, entry);
  if (m.source === null) return { skip: `the tree has no /proc/self/mountinfo or /etc/mtab to find the device of ${entry}` };
  if (m.entry === null) return { skip: `${m.source} shows no mount for ${entry}` };
  let dev = m.entry.device;
  if (dev === '/dev/root' && !inContainer(ctx.host)) {
    const fromCmdline = rootFromCmdline(ctx.host.sysfs.cmdline());
    if (fromCmdline !== null) dev = fromCmdline;
    else if (!ctx.host.fs.exists(dev)) return { skip: 'the root is /dev/root and the kernel command line has no root=' };
  }
  return { dev, fstype: m.entry.fstype };
}

function growOne(ctx: ModuleContext, entry: string): Result {
  const r = (outcome: Outcome, message: string): Result => ({ entry, outcome, message });
  const d = deviceOf(ctx, entry);
  if ('skip' in d) return r('skipped', d.skip);
  if (d.fstype === 'zfs') return r('skipped', `${d.dev} is a zfs dataset: growpart grows partitions, not zfs pools`);
  if (!ctx.host.fs.exists(d.dev)) return r('skipped', `${d.dev} does not exist`);
  if (!isBlockDevice(ctx.host, d.dev)) return r('skipped', `${d.dev} is not a block device (no /sys/class/block entry)`);
  const dm = mappedDevice(ctx.host, d.dev);
  if (dm !== null) {
    const name = dm.slice('/dev/'.length);
    const under = ctx.host.fs.list(`/sys/class/block/${name}/slaves`);
    const luks = ctx.host.fs.readText(`/sys/class/block/${name}/dm/uuid`)?.startsWith('CRYPT-') ?? false;
    const what = luks ? 'a LUKS volume' : 'a device-mapper (LVM) volume';
    if (luks && ctx.host.fs.exists(LUKS_KEYDATA)) {
      return r('failed', `not supported: growing ${d.dev}, ${what} over ${under.join(', ') || 'unknown devices'}, with the key in ${LUKS_KEYDATA} (cryptsetup resize)`);
    }
    const hint = under.length === 1 ? `; to grow its partition list /dev/${under[0]} in growpart.devices, then extend the volume (pvresize, lvextend)` : '';
    return r('skipped', `${d.dev} is ${what} (${dm}): growpart does not grow it, as cloud-init does not${hint}`);
  }
  const p = partitionOf(ctx.host, d.dev);
  if ('problem' in p) {
    if (p.wholeDisk) return r('skipped', `${d.dev} is a whole disk without a partition table: there is no partition to grow (resizefs grows its filesystem)`);
    return r('skipped', p.problem);
  }
  if (!treeIsRunning(ctx)) return r('skipped', `${ctx.host.root} is not the running system: growpart ${p.disk} ${p.partition} not run`);
  const before = blockSize(ctx.host, d.dev);
  ctx.host.fs.mkdir(GROWPART_TMP, 0o700);
  try {
    const env = { LANG: 'C', TMPDIR: ctx.host.exec.pathFor(GROWPART_TMP) };
    // --dry-run exits 1 when the partition already fills its disk: nothing to do.
    const dry = ctx.host.exec.run(['growpart', '--dry-run', p.disk, p.partition], { env });
    if (!dry.recorded && dry.error === undefined && dry.code === 1) return r('nochange', `no change necessary (${p.disk}, ${p.partition})`);
    const dryWhy = failure(dry);
    if (dryWhy !== null) return r('failed', `growpart --dry-run ${p.disk} ${p.partition} failed: ${dryWhy}`);
    const why = failure(ctx.host.exec.run(['growpart', p.disk, p.partition], { env }));
    if (why !== null) return r('failed', `growpart ${p.disk} ${p.partition} failed: ${why}`);
  } finally {
    ctx.host.fs.remove(GROWPART_TMP);
  }
  const after = blockSize(ctx.host, d.dev);
  const sizes = before !== null && after !== null && before !== after ? ` from ${before} to ${after} bytes` : '';
  return r('changed', `grew ${realPath(ctx.host, d.dev)} (${p.disk}, partition ${p.partition})${sizes}`);
}

function run(ctx: ModuleContext): void {
  const raw = ctx.cfg.growpart;
  if (raw !== undefined && raw !== null && !isDict(raw)) throw new Error(`${ctx.source.where(['growpart'])}growpart must be a mapping (mode, devices, ignore_growroot_disabled)`);
  const cfg = isDict(raw) ? raw : {};
  const mode = cfg.mode ?? 'auto';
  if (isOff(mode)) {
    ctx.log.debug(`growpart disabled: mode ${String(mode)}`);
    return;
  }
  if (typeof mode !== 'string' || !['auto', 'growpart', 'gpart'].includes(mode)) {
    throw new Error(`${ctx.source.where(['growpart', 'mode'])}growpart.mode ${JSON.stringify(mode)} is not one of auto, growpart, gpart, off`);
  }
  const ignoreMarker = cfg.ignore_growroot_disabled;
  if (ignoreMarker !== undefined && typeof ignoreMarker !== 'boolean') {
    throw new Error(`${ctx.source.where(['growpart', 'ignore_growroot_disabled'])}growpart.ignore_growroot_disabled must be true or false`);
  }
  if (ignoreMarker !== true && ctx.host.fs.exists(GROWROOT_DISABLED)) {
    ctx.log.info(`growpart disabled: ${GROWROOT_DISABLED} exists (growpart.ignore_growroot_disabled: true ignores it)`);
    return;
  }
  const devRaw = cfg.devices ?? ['/'];
  const devices = typeof devRaw === 'string' ? [devRaw] : devRaw;
  if (!Array.isArray(devices) || devices.some((d) => typeof d !== 'string' || d === '' || /[\0\n\r]/.test(d))) {
    throw new Error(`${ctx.source.where(['growpart', 'devices'])}growpart.devices must be a list of mount points or /dev paths`);
  }
  if (devices.length === 0) {
    ctx.log.debug('growpart: empty device list');
    return;
  }
  if (mode === 'gpart') throw new Error(`${ctx.source.where(['growpart', 'mode'])}not supported: growpart mode gpart (FreeBSD's gpart); nimbus runs on Linux, where mode growpart does this`);
  if (!ctx.host.exec.has('growpart')) {
    const msg = `the growpart command (package cloud-guest-utils) is not in the image, so no partition is grown`;
    if (mode === 'growpart') throw new Error(`${ctx.source.where(['growpart', 'mode'])}growpart.mode growpart: ${msg}`);
    ctx.log.info(`${msg} (growpart.mode auto)`);
    return;
  }
  for (const res of (devices as string[]).map((d) => growOne(ctx, d))) {
    const line = `'${res.entry}' ${res.outcome}: ${res.message}`;
    if (res.outcome === 'failed') ctx.log.warn(line);
    else ctx.log.info(line);
  }
}

export const growpart: Module = {
  name: 'growpart',
  frequency: 'always',
  keys: ['growpart'],
  alwaysRun: true,
  schema: growpartSchema,
  examples: [
    '#cloud-config\ngrowpart:\n  mode: auto\n  devices: ["/"]\n  ignore_growroot_disabled: false\n',
    '#cloud-config\ngrowpart:\n  mode: growpart\n  devices:\n    - "/"\n    - "/dev/vdb1"\n  ignore_growroot_disabled: true\n',
  ],
  run,
};
