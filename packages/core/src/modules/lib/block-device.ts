// Where a path is mounted and what block device lies under it, read as data from the
// tree (its /proc/self/mountinfo or /etc/mtab, /proc/cmdline, /dev and /sys/class/block)
// through `host`, so a temp tree can describe a machine and a test can check the
// commands growpart and resizefs would run on it. Shared by growpart and resizefs.
import * as nodePath from 'node:path';
import type { Host } from '../../host/host.js';

export interface MountEntry {
  /** The mount source as the kernel shows it: /dev/vda1, /dev/root, overlay, a zfs dataset. */
  device: string;
  fstype: string;
  mountPoint: string;
  /** The per-mount options (rw, ro, relatime, ...). */
  options: string;
}

/** mountinfo and mtab escape blanks and backslashes as octal (\040): undo it. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

function elements(p: string): string[] {
  return p.split('/').filter((e) => e !== '');
}

/**
 * The mount that holds `path`, from /proc/<pid>/mountinfo lines (pure): the deepest
 * mount point on the path, the last one listed when several are stacked there. A line
 * that cannot be read makes the whole answer null, as a wrong device is worse than none.
 */
export function parseMountInfo(text: string, path: string): MountEntry | null {
  const want = elements(path);
  let best: MountEntry | null = null;
  let bestDepth = -1;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 10) return null;
    const mp = unescapeOctal(parts[4] as string);
    const have = elements(mp);
    if (have.length > want.length) continue;
    if (have.some((e, i) => e !== want[i])) continue;
    if (have.length < bestDepth) continue;
    const dash = parts.indexOf('-', 6);
    if (dash < 0 || dash + 2 >= parts.length) return null;
    best = { fstype: parts[dash + 1] as string, device: unescapeOctal(parts[dash + 2] as string), mountPoint: mp, options: parts[5] as string };
    bestDepth = have.length;
  }
  return best;
}

/** The mount at exactly `path` from /etc/mtab (older systems without mountinfo; pure). */
export function parseMtab(text: string, path: string): MountEntry | null {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || line.trim().startsWith('#')) continue;
    if (unescapeOctal(f[1] as string) === path) return { device: unescapeOctal(f[0] as string), mountPoint: path, fstype: f[2] as string, options: f[3] ?? '' };
  }
  return null;
}

/** Where `path` is mounted in the tree: its mountinfo, else its /etc/mtab; `source` names the file read, null when neither is there. */
export function mountOf(host: Host, path: string): { entry: MountEntry | null; source: string | null } {
  const info = host.fs.readText('/proc/self/mountinfo');
  if (info !== null) return { entry: parseMountInfo(info, path), source: '/proc/self/mountinfo' };
  const mtab = host.fs.readText('/etc/mtab');
  if (mtab !== null) return { entry: parseMtab(mtab, path), source: '/etc/mtab' };
  return { entry: null, source: null };
}

/** The root device named by root= on the kernel command line, as a /dev path (pure); null when there is none. */
export function rootFromCmdline(cmdline: string): string | null {
  const tok = cmdline.split(/\s+/).find((t) => t.startsWith('root='));
  if (tok === undefined) return null;
  const v = tok.slice(5);
  if (v.startsWith('/dev/')) return v;
  const by = /^(LABEL|UUID|PARTUUID)=(.+)$/.exec(v);
  if (by !== null) {
    const kind = (by[1] as string).toLowerCase();
    return `/dev/disk/by-${kind}/${kind === 'label' ? by[2] : (by[2] as string).toLowerCase()}`;
  }
  return `/dev/${v}`;
}

/** Whether the tree runs in a container (systemd's marker): missing devices are normal there. */
export function inContainer(host: Host): boolean {
  return (host.fs.readText('/run/systemd/container')?.trim() ?? '') !== '';
}

/** The path in the tree that `p` resolves to after every symlink (/dev/disk/by-uuid/x → /dev/vda1). */
export function realPath(host: Host, p: string): string {
  return host.fs.inRoot(host.fs.real(p));
}

/** A device node the kernel knows: the node exists and /sys/class/block has its name. */
export function isBlockDevice(host: Host, dev: string): boolean {
  if (!host.fs.exists(dev)) return false;
  return host.fs.exists(`/sys/class/block/${nodePath.posix.basename(realPath(host, dev))}`);
}

/** The device-mapper node under a /dev/mapper name (LVM, LUKS), or null when it is not mapped. */
export function mappedDevice(host: Host, dev: string): string | null {
  const r = realPath(host, dev);
  return r.startsWith('/dev/dm-') ? r : null;
}

export type PartInfo = { disk: string; partition: string } | { problem: string; wholeDisk?: true };

/**
 * The disk and partition number of a partition device, from /sys/class/block: the
 * partition's entry sits in its disk's directory, and the disk's dev (major:minor) names
 * its node through /dev/block.
 */
export function partitionOf(host: Host, dev: string): PartInfo {
  const name = nodePath.posix.basename(realPath(host, dev));
  const sys = `/sys/class/block/${name}`;
  if (!host.fs.exists(sys)) return { problem: `${dev} has no ${sys}` };
  const num = host.fs.readText(`${sys}/partition`)?.trim();
  if (num === undefined || num === '') return { problem: `${dev} is a whole disk, not a partition`, wholeDisk: true };
  if (!/^\d+$/.test(num)) return { problem: `${sys}/partition holds ${JSON.stringify(num)}, not a partition number` };
  const diskSys = nodePath.posix.dirname(realPath(host, sys));
  const majmin = host.fs.readText(`${diskSys}/dev`)?.trim();
  if (majmin === undefined || !/^\d+:\d+$/.test(majmin)) return { problem: `${diskSys}/dev does not name the disk of ${dev}` };
  const disk = realPath(host, `/dev/block/${majmin}`);
  if (disk === `/dev/block/${majmin}` && !host.fs.exists(disk)) {
    // Without udev's /dev/block links the disk's own name is its node.
    const byName = `/dev/${nodePath.posix.basename(diskSys)}`;
    if (host.fs.exists(byName)) return { disk: byName, partition: num };
    return { problem: `no /dev/block/${majmin} or ${byName} for the disk of ${dev}` };
  }
  return { disk, partition: num };
}

/** The size of a block device in bytes from /sys/class/block/<name>/size (512-byte sectors); null when unknown. */
export function blockSize(host: Host, dev: string): number | null {
  const t = host.fs.readText(`/sys/class/block/${nodePath.posix.basename(realPath(host, dev))}/size`)?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) * 512 : null;
}
