// A machine's disks as a temp tree shows them to growpart and resizefs: the mount table
// (/proc/self/mountinfo), the device nodes under /dev (plain files: the tree is data),
// udev's /dev/block and /dev/disk links, and /sys/class/block with each partition's
// entry inside its disk's directory, as the kernel lays them out.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DiskSpec {
  /** Disk name (vda, nvme0n1, sda). */
  disk: string;
  /** Partition numbers the disk has; empty for a whole-disk filesystem. */
  parts?: number[];
  major?: number;
  /** Sectors of 512 bytes. */
  sectors?: number;
}

function put(root: string, p: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
  fs.writeFileSync(path.join(root, p), text, { mode });
}

function link(root: string, p: string, target: string): void {
  fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
  fs.rmSync(path.join(root, p), { force: true });
  fs.symlinkSync(target, path.join(root, p));
}

/** The name of partition n of a disk, as the kernel names it (vda1, nvme0n1p1). */
export function partName(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}

export function addDisk(root: string, spec: DiskSpec): void {
  const major = spec.major ?? 254;
  const devdir = `sys/devices/pci0000:00/0000:00:04.0/virtio1/block/${spec.disk}`;
  put(root, `${devdir}/dev`, `${major}:0\n`);
  put(root, `${devdir}/size`, `${spec.sectors ?? 41943040}\n`);
  put(root, `dev/${spec.disk}`, '');
  link(root, `dev/block/${major}:0`, `../${spec.disk}`);
  link(root, `sys/class/block/${spec.disk}`, `../../devices/pci0000:00/0000:00:04.0/virtio1/block/${spec.disk}`);
  for (const n of spec.parts ?? []) {
    const p = partName(spec.disk, n);
    put(root, `${devdir}/${p}/partition`, `${n}\n`);
    put(root, `${devdir}/${p}/dev`, `${major}:${n}\n`);
    put(root, `${devdir}/${p}/size`, '4194304\n');
    put(root, `dev/${p}`, '');
    link(root, `dev/block/${major}:${n}`, `../${p}`);
    link(root, `sys/class/block/${p}`, `../../devices/pci0000:00/0000:00:04.0/virtio1/block/${spec.disk}/${p}`);
  }
}

/** An LVM logical volume /dev/mapper/<name> → /dev/dm-0 over one partition. */
export function addLvm(root: string, name: string, over: string): void {
  put(root, 'dev/dm-0', '');
  link(root, `dev/mapper/${name}`, '../dm-0');
  put(root, 'sys/devices/virtual/block/dm-0/dev', '253:0\n');
  put(root, 'sys/devices/virtual/block/dm-0/dm/uuid', 'LVM-abcdef\n');
  put(root, `sys/devices/virtual/block/dm-0/slaves/${over}`, '');
  link(root, 'sys/class/block/dm-0', '../../devices/virtual/block/dm-0');
}

/** The mount table: `/` (and any more) mounted from these sources with these types. */
export function mountTable(root: string, mounts: { source: string; point: string; fstype: string; opts?: string }[]): void {
  const lines = mounts.map((m, i) => `${22 + i} 1 254:${i + 1} / ${m.point.replace(/ /g, '\\040')} ${m.opts ?? 'rw,relatime'} shared:1 - ${m.fstype} ${m.source} rw`);
  put(root, 'proc/self/mountinfo', ['20 1 0:20 / /proc rw,nosuid shared:12 - proc proc rw', ...lines, '30 22 0:25 / /run rw,nosuid shared:13 - tmpfs tmpfs rw'].join('\n') + '\n');
}

/** An executable stand-in for a tool in the image (never run: commands are recorded). */
export function addTool(root: string, name: string): void {
  put(root, `usr/bin/${name}`, '#!/bin/sh\nexit 0\n', 0o755);
}

export function cmdline(root: string, text: string): void {
  put(root, 'proc/cmdline', `${text}\n`);
}
