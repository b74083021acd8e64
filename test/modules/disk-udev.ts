// Disks as disk_setup sees them in a temp tree: the kernel's /sys/class/block (from
// disk-tree.ts) plus udev's database /run/udev/data/b<maj>:<min> with what blkid found
// (E:ID_FS_TYPE, E:ID_FS_LABEL, E:ID_PART_TABLE_TYPE, E:ID_PART_ENTRY_TYPE), and the
// partitioning and mkfs tools as stand-ins that are never run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addDisk, addTool } from './disk-tree.js';

/** udev's record of a device (what blkid found), as /run/udev/data/b<maj>:<min>. */
export function udev(root: string, majmin: string, props: Record<string, string> = {}): void {
  const p = path.join(root, `run/udev/data/b${majmin}`);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, ['I:1234', ...Object.entries(props).map(([k, v]) => `E:${k}=${v}`), 'G:systemd', ''].join('\n'));
}

/** A 10 GiB disk udev has probed; each partition with the properties given (none: an empty partition). */
export function disk(root: string, name: string, major: number, parts: Record<number, Record<string, string>> = {}, diskProps: Record<string, string> = {}): void {
  addDisk(root, { disk: name, parts: Object.keys(parts).map(Number), major, sectors: 20971520 });
  udev(root, `${major}:0`, diskProps);
  for (const [n, props] of Object.entries(parts)) udev(root, `${major}:${n}`, props);
}

export function diskTools(root: string): void {
  for (const t of ['sfdisk', 'sgdisk', 'udevadm', 'partprobe']) addTool(root, t);
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  for (const t of ['mkfs.ext4', 'mkfs.xfs', 'mkswap']) fs.writeFileSync(path.join(root, 'usr/sbin', t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
}
