// resizefs: grows the root filesystem to fill its (just grown) partition on every boot,
// unless resize_rootfs is false: resize2fs for ext2/3/4, xfs_growfs for xfs, `btrfs
// filesystem resize max` for btrfs, bcachefs's device resize. `noblock` starts the
// resize in the background and goes on with the boot. The root's device and type come
// from the tree's mount table, so a temp tree describes the machine.
import type { Module, ModuleContext, Z } from './types.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { inContainer, isBlockDevice, mountOf, rootFromCmdline, type MountEntry } from './lib/block-device.js';

export const resizefsSchema = (z: Z) => z.object({ resize_rootfs: z.union([z.boolean(), z.literal('noblock')]).optional() });

/** The command that grows a filesystem of this type mounted at `mountPoint` from `dev` (pure); null for a type nimbus cannot grow. */
export function resizeCommand(fstype: string, mountPoint: string, dev: string, opts: { btrfsQueue: boolean; btrfsTarget?: string } = { btrfsQueue: false }): string[] | null {
  const t = fstype.toLowerCase();
  if (t.startsWith('btrfs')) return ['btrfs', 'filesystem', 'resize', ...(opts.btrfsQueue ? ['--enqueue'] : []), 'max', opts.btrfsTarget ?? mountPoint];
  if (t.startsWith('ext')) return ['resize2fs', dev];
  if (t.startsWith('xfs')) return ['xfs_growfs', mountPoint];
  if (t.startsWith('bcachefs')) return ['bcachefs', 'device', 'resize', dev];
  return null;
}

/** Whether `btrfs --version` output is 5.10 or later, whose resize can wait in line behind another exclusive operation (pure). */
export function btrfsQueues(versionOutput: string): boolean {
  const m = /v(\d+)\.(\d+)/.exec(versionOutput.split('\n')[0] ?? '');
  if (m === null) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > 5 || (maj === 5 && min >= 10);
}

/**
 * resize_rootfs as cloud-init reads it (pure): a boolean, `noblock`, or the strings Python's
 * cloud-init takes for one (a quoted "yes", "off"); null for anything else, which
 * cloud-init would quietly take as false.
 */
export function resizeSetting(v: unknown): boolean | 'noblock' | null {
  if (v === undefined || v === null) return true;
  if (typeof v === 'boolean' || v === 'noblock') return v;
  if (typeof v !== 'string') return null;
  const l = v.toLowerCase();
  if (['true', '1', 'on', 'yes'].includes(l)) return true;
  if (['false', '0', 'off', 'no'].includes(l)) return false;
  return null;
}

/** The device to resize, as cloud-init finds it: /dev/root through root=, a bare name under /dev; a reason when there is none. */
function writableDevice(ctx: ModuleContext, m: MountEntry): { dev: string } | { skip: string; quiet?: true } {
  let dev = m.device;
  const container = inContainer(ctx.host);
  if (dev === '/dev/root' && !ctx.host.fs.exists(dev) && !container) {
    const c = rootFromCmdline(ctx.host.sysfs.cmdline());
    if (c === null) return { skip: 'the root is /dev/root and the kernel command line has no root=' };
    dev = c;
  }
  if (dev === 'overlayroot') return { skip: 'the root is an overlayroot', quiet: true };
  if (!dev.startsWith('/dev/') && !ctx.host.fs.exists(dev.startsWith('/') ? dev : `/${dev}`)) dev = `/dev/${dev.replace(/^\/+/, '')}`;
  if (!ctx.host.fs.exists(dev)) return container ? { skip: `${dev} does not exist in this container`, quiet: true } : { skip: `${dev} does not exist` };
  if (!isBlockDevice(ctx.host, dev)) return container ? { skip: `${dev} is not a block device in this container`, quiet: true } : { skip: `${dev} is not a block device` };
  return { dev };
}

function run(ctx: ModuleContext): void {
  const v = resizeSetting(ctx.cfg.resize_rootfs);
  if (v === null) throw new Error(`${ctx.source.where(['resize_rootfs'])}resize_rootfs ${JSON.stringify(ctx.cfg.resize_rootfs)} is not true, false or noblock`);
  if (v === false) {
    ctx.log.debug('resizing the root filesystem is turned off (resize_rootfs: false)');
    return;
  }
  const { entry, source } = mountOf(ctx.host, '/');
  if (source === null) {
    // An image tree under --root is not mounted anywhere: there is nothing running to grow.
    const say = ctx.host.root === '/' ? ctx.log.warn : ctx.log.info;
    say.call(ctx.log, `could not determine the filesystem of /: ${ctx.host.root === '/' ? '' : `the tree ${ctx.host.root} has `}no /proc/self/mountinfo or /etc/mtab`);
    return;
  }
  if (entry === null) {
    ctx.log.warn(`could not determine the filesystem of /: ${source} shows no mount for it`);
    return;
  }
  if (entry.fstype === 'zfs') {
    ctx.log.warn(`not supported: resizing a zfs root (${entry.device}); grow the pool with zpool online -e`);
    return;
  }
  const info = `dev=${entry.device} mnt_point=${entry.mountPoint} fstype=${entry.fstype}`;
  const w = writableDevice(ctx, entry);
  if ('skip' in w) {
    if (w.quiet) ctx.log.debug(`not resizing /: ${w.skip} (${info})`);
    else ctx.log.warn(`not resizing /: ${w.skip} (${info})`);
    return;
  }
  if (resizeCommand(entry.fstype, entry.mountPoint, w.dev) === null) {
    ctx.log.warn(`not resizing unknown filesystem type ${entry.fstype} for / (${info})`);
    return;
  }
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`${ctx.host.root} is not the running system: its root filesystem (${info}) is not resized`);
    return;
  }
  let cmd: string[];
  if (entry.fstype.toLowerCase().startsWith('btrfs')) {
    // A read-only / (snapper's) is resized through a writable subvolume.
    const ro = entry.options.split(',').includes('ro');
    const snap = `${entry.mountPoint.replace(/\/$/, '')}/.snapshots`;
    const target = ro && ctx.host.fs.isDir(snap) ? snap : entry.mountPoint;
    const ver = ctx.host.exec.run(['btrfs', '--version']);
    cmd = resizeCommand(entry.fstype, entry.mountPoint, w.dev, { btrfsQueue: btrfsQueues(ver.stdout), btrfsTarget: target }) as string[];
  } else cmd = resizeCommand(entry.fstype, entry.mountPoint, w.dev) as string[];
  if (v === 'noblock') {
    // The shell only puts the command in the background; the command and its arguments
    // are its positional parameters, never part of the script. The unit is a oneshot
    // with RemainAfterExit, so the resize goes on after the stage exits.
    const why = failure(ctx.host.exec.run(['sh', '-c', '"$@" </dev/null &', 'resizefs', ...cmd], { output: 'log' }));
    if (why !== null) throw new Error(`starting ${cmd.join(' ')} in the background failed: ${why}`);
    ctx.log.info(`resizing the root filesystem in the background (${info}): ${cmd.join(' ')}`);
    return;
  }
  const why = failure(ctx.host.exec.run(cmd, { output: 'log' }));
  if (why !== null) throw new Error(`resizing the root filesystem failed (${cmd.join(' ')}): ${why}`);
  ctx.log.info(`resized the root filesystem (${info}): ${cmd.join(' ')}`);
}

export const resizefs: Module = {
  name: 'resizefs',
  frequency: 'always',
  keys: ['resize_rootfs'],
  alwaysRun: true,
  schema: resizefsSchema,
  examples: ['#cloud-config\nresize_rootfs: false\n', '#cloud-config\nresize_rootfs: noblock\n'],
  run,
};
