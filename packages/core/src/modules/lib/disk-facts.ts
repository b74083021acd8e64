// What a disk holds, read as data from the tree through `host`: the kernel's
// /sys/class/block (which partitions a disk has, their numbers and sizes) and udev's
// database /run/udev/data/b<major>:<minor> (E:ID_FS_TYPE, E:ID_FS_LABEL,
// E:ID_PART_TABLE_TYPE, E:ID_PART_ENTRY_TYPE: what blkid found when udev probed the
// device). A running system has both; a temp tree presents a machine by holding the
// same files, so disk_setup's decisions are made on facts and never by running blkid
// or lsblk against a tree that is only data.
import * as nodePath from 'node:path';
import type { Host } from '../../host/host.js';
import { realPath } from './block-device.js';

export interface BlockFacts {
  /** The node under /dev, after symlinks (/dev/vdb, /dev/vdb1). */
  dev: string;
  kind: 'disk' | 'part';
  /** Whether udev's record of the device was found: without it nothing is known of its content. */
  probed: boolean;
  fstype: string | null;
  label: string | null;
  /** dos or gpt when the device holds a partition table. */
  ptable: string | null;
  /** The partition's type: 0x83 on MBR, a GUID on GPT. */
  partType: string | null;
}

/** udev's database entry (pure): the E: properties of /run/udev/data/b<maj>:<min>. */
export function parseUdevData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 2) out[line.slice(2, eq)] = line.slice(eq + 1);
  }
  return out;
}

function sysDir(host: Host, dev: string): string | null {
  const name = nodePath.posix.basename(realPath(host, dev));
  const sys = `/sys/class/block/${name}`;
  return host.fs.exists(sys) ? sys : null;
}

/** The facts of one block device, or null when /sys/class/block does not know it. */
export function factsOf(host: Host, dev: string): BlockFacts | null {
  const sys = sysDir(host, dev);
  if (sys === null) return null;
  const node = `/dev/${nodePath.posix.basename(sys)}`;
  const kind = (host.fs.readText(`${sys}/partition`)?.trim() ?? '') === '' ? 'disk' : 'part';
  const majmin = host.fs.readText(`${sys}/dev`)?.trim() ?? '';
  const udev = /^\d+:\d+$/.test(majmin) ? host.fs.readText(`/run/udev/data/b${majmin}`) : null;
  const e = udev === null ? {} : parseUdevData(udev);
  const v = (k: string): string | null => (e[k] !== undefined && e[k] !== '' ? (e[k] as string) : null);
  return {
    dev: node,
    kind,
    probed: udev !== null,
    fstype: v('ID_FS_TYPE'),
    label: v('ID_FS_LABEL'),
    ptable: v('ID_PART_TABLE_TYPE'),
    partType: v('ID_PART_ENTRY_TYPE'),
  };
}

/** The partitions of a disk, in partition-number order, from its /sys/class/block directory. */
export function partitionsOf(host: Host, disk: string): BlockFacts[] {
  const sys = sysDir(host, disk);
  if (sys === null) return [];
  const dir = realPath(host, sys);
  const parts: { n: number; f: BlockFacts }[] = [];
  for (const name of host.fs.list(dir)) {
    const num = host.fs.readText(`${dir}/${name}/partition`)?.trim();
    if (num === undefined || !/^\d+$/.test(num)) continue;
    const f = factsOf(host, `/dev/${name}`);
    if (f !== null) parts.push({ n: Number(num), f });
  }
  return parts.sort((a, b) => a.n - b.n).map((p) => p.f);
}

/** The disk and its partitions, as lsblk lists them (cloud-init's enumerate_disk). */
export function enumerateDisk(host: Host, dev: string): BlockFacts[] {
  const f = factsOf(host, dev);
  if (f === null) return [];
  return f.kind === 'disk' ? [f, ...partitionsOf(host, dev)] : [f];
}

/** The size of a device in logical sectors (cloud-init's blockdev --getsize64 / --getss). */
export function sectorsOf(host: Host, dev: string): number | null {
  const sys = sysDir(host, dev);
  if (sys === null) return null;
  const size = host.fs.readText(`${sys}/size`)?.trim();
  if (size === undefined || !/^\d+$/.test(size)) return null;
  const ss = host.fs.readText(`${sys}/queue/logical_block_size`)?.trim();
  const sector = ss !== undefined && /^\d+$/.test(ss) && Number(ss) > 0 ? Number(ss) : 512;
  // /sys counts 512-byte units whatever the logical sector size.
  return (Number(size) * 512) / sector;
}

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The first executable `cmd` on the usual PATH in the tree (as cloud-init's subp.which), or null. */
export function whichIn(host: Host, cmd: string): string | null {
  for (const dir of PATH_DIRS) {
    const p = `${dir}/${cmd}`;
    const s = host.fs.stat(p);
    if (s?.isFile && (s.mode & 0o111) !== 0) return p;
  }
  return null;
}
