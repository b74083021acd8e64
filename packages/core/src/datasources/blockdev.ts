// Block devices that may hold a datasource (config-2, cidata): finding them by
// filesystem label, and reading their files through one TreeReader whether the device
// is already mounted, mounted here (read-only, on a private temporary directory, always
// unmounted afterwards), or read directly as an ISO9660 image when mounting is not
// possible (containers, offline roots under --root, tests).
import { crypto } from '../util/builtin.js';
import * as posix from 'node:path/posix';
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import { IsoError, IsoImage, bufferSource, type ByteSource } from './iso9660.js';
import { probeFilesystem, type FsProbe } from './fs-label.js';
import { DatasourceError } from './types.js';
import { dirTreeReader, type TreeReader } from './tree.js';

export interface BlockFs {
  device: string;
  label: string | null;
  type: string | null;
  /** The filesystem UUID as blkid reports it (IBM Cloud marks its config disk with one); absent when not known. */
  uuid?: string | null;
}

/** Largest image read into memory when a device cannot be mounted. Config drives are at most 64 MiB. */
export const MAX_IMAGE_BYTES = 128 * 1024 * 1024;
/** Where temporary mounts go, as cloud-init's are. */
export const MOUNT_BASE = '/run/cloud-init/tmp';

/** Parses `blkid -o export`: blank-line separated blocks of KEY=value lines. */
export function parseBlkidExport(text: string): BlockFs[] {
  const out: BlockFs[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const kv = new Map<string, string>();
    for (const line of block.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      // blkid escapes special characters with backslashes in export mode.
      if (m) kv.set(m[1] as string, (m[2] as string).replace(/\\(.)/g, '$1'));
    }
    const dev = kv.get('DEVNAME');
    if (dev) out.push({ device: dev, label: kv.get('LABEL') ?? null, type: kv.get('TYPE') ?? null, uuid: kv.get('UUID') ?? null });
  }
  return out;
}

/** Whether devices are the machine's own (root "/", commands run here), so blkid and mount apply. */
function onRealMachine(host: Host): boolean {
  return host.root === '/' && host.exec.mode === 'host';
}

/** Optical drives present under the root's /dev (sr0, sr1, ...), in order. */
export function cdromDevices(host: Host): string[] {
  return host.fs
    .list('/dev')
    .filter((n) => /^sr\d+$/.test(n))
    .sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))
    .map((n) => `/dev/${n}`);
}

/** Size in bytes of a device or image file, or null when unknown (no medium, no sysfs entry). */
export function deviceSize(host: Host, device: string): number | null {
  const st = host.fs.stat(device);
  if (!st) return null;
  if (st.isFile) return st.size;
  const name = posix.basename(host.fs.inRoot(host.fs.real(device)));
  const sectors = Number(host.fs.readText(`/sys/class/block/${name}/size`)?.trim());
  return Number.isFinite(sectors) && sectors > 0 ? sectors * 512 : null;
}

/** Reads a device or image file whole, as an ISO9660 image; IsoError when it is not one or too big. */
export function readDeviceIso(host: Host, device: string, maxImageBytes = MAX_IMAGE_BYTES): IsoImage {
  return new IsoImage(deviceSource(host, device, maxImageBytes));
}

function deviceSource(host: Host, device: string, maxImageBytes: number): ByteSource {
  const size = deviceSize(host, device);
  if (size === null) throw new IsoError(`${device}: no medium or size unknown`);
  if (size > maxImageBytes) throw new IsoError(`${device}: ${size} bytes, larger than the ${maxImageBytes} a datasource image may be`);
  let data: Uint8Array | null;
  try {
    data = host.fs.read(device);
  } catch (e) {
    throw new IsoError(`${device}: cannot read: ${(e as Error).message}`);
  }
  if (!data) throw new IsoError(`${device}: not found`);
  if (data.length > maxImageBytes) throw new IsoError(`${device}: larger than the ${maxImageBytes} a datasource image may be`);
  return bufferSource(data, device);
}

/** sr0 < sr1 < vda < vda2 < vda10: letters as text, digit runs as numbers (no Intl: its collator costs start-up time). */
function byDeviceName(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * The block devices to probe: each name in the root's /sys/class/block (disks,
 * partitions, optical drives) and the optical drives in its /dev, as /dev paths that
 * exist, in a stable order (sr0 before sr1 before vda, vda2 before vda10). RAM disks
 * never hold a seed.
 */
export function blockDevices(host: Host): string[] {
  const names = new Set<string>();
  for (const n of host.fs.list('/sys/class/block')) if (!/^(ram|zram)\d+$/.test(n)) names.add(n);
  for (const d of cdromDevices(host)) names.add(d.slice('/dev/'.length));
  return [...names]
    .sort(byDeviceName)
    .map((n) => `/dev/${n}`)
    .filter((d) => host.fs.exists(d));
}

/**
 * The filesystems that may hold a datasource, with labels: each block device's first
 * bytes read through host (iso9660, vfat and ext labels, fs-label.ts), as blkid would
 * report them, without starting blkid. Devices with another filesystem, a partition
 * table or no medium are left out.
 */
export function listFilesystems(host: Host, log?: Logger): BlockFs[] {
  const found: BlockFs[] = [];
  for (const dev of blockDevices(host)) {
    let probe: FsProbe | null;
    try {
      probe = probeFilesystem((offset, length) => host.fs.readAt(dev, offset, length));
    } catch (e) {
      log?.debug(`${dev}: cannot read: ${(e as Error).message}`);
      continue;
    }
    if (probe !== null) found.push({ device: dev, label: probe.label, type: probe.type, uuid: probe.uuid });
  }
  return found;
}

/**
 * As listFilesystems, and on the real machine `blkid -o export` when it is there: for
 * Azure's provisioning media, which may be UDF, a filesystem the direct probe does not read.
 */
export function listFilesystemsWithBlkid(host: Host, log?: Logger): BlockFs[] {
  if (onRealMachine(host) && host.exec.has('blkid')) {
    const r = host.exec.run(['blkid', '-o', 'export'], { timeoutMs: 10_000 });
    // Exit 2 means "nothing found"; anything else that is not 0 is worth a line in the log.
    if (r.code === 0) return parseBlkidExport(r.stdout);
    if (r.code !== 2) log?.debug(`blkid -o export: exit ${r.code}${r.error ? ` (${r.error})` : ''}: ${r.stderr.trim()}`);
  }
  return listFilesystems(host, log);
}

/** Devices whose filesystem label is one of `labels` (exact, as blkid reports it), in device order. */
export function findDevicesByLabel(host: Host, labels: readonly string[], log?: Logger): BlockFs[] {
  return listFilesystems(host, log).filter((f) => f.label !== null && labels.includes(f.label));
}

/** A TreeReader over an ISO9660 image read directly. */
export function isoTreeReader(img: IsoImage, label: string): TreeReader {
  return {
    label,
    readFile: (rel: string) => {
      if (rel.split('/').includes('..')) return null;
      return img.readFile(rel);
    },
    list: (rel: string) => {
      if (rel.split('/').includes('..')) return [];
      return (img.list(rel) ?? []).map((e) => e.name);
    },
  };
}

/** Where `device` is already mounted on the real machine, from /proc/mounts; null when it is not. */
export function mountPointOf(host: Host, device: string): string | null {
  if (host.root !== '/') return null;
  const mounts = host.fs.readText('/proc/mounts');
  if (!mounts) return null;
  let want: string;
  try {
    want = host.fs.real(device);
  } catch {
    return null;
  }
  const unescapeOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of mounts.split('\n')) {
    const [src, mnt] = line.split(' ');
    if (!src || !mnt || !src.startsWith('/')) continue;
    try {
      if (host.fs.real(unescapeOctal(src)) === want) return unescapeOctal(mnt);
    } catch {
      // an unreadable path in /proc/mounts is not ours
    }
  }
  return null;
}

export interface DeviceTreeOptions {
  /** Filesystem type for mount -t (from blkid); omitted lets mount probe. */
  fsType?: string | null;
  /** false: never mount, always read the image directly. Default: mount when on the real machine. */
  mount?: boolean;
  maxImageBytes?: number;
}

/**
 * Runs `fn` on the files of `device`: from its existing mount point, else mounted here
 * read-only on a private directory (unmounted afterwards whatever `fn` does), else read
 * directly as an ISO9660 image. Throws DatasourceError when none of these works.
 */
export async function withDeviceTree<T>(ctx: { host: Host; log: Logger }, device: string, fn: (reader: TreeReader) => Promise<T> | T, opts: DeviceTreeOptions = {}): Promise<T> {
  const { host, log } = ctx;
  const existing = mountPointOf(host, device);
  if (existing) {
    log.debug(`${device} is already mounted on ${existing}`);
    return fn(dirTreeReader(host, existing, `${device} (mounted on ${existing})`));
  }
  let mountError = 'mounting not attempted';
  const mayMount = opts.mount ?? host.exec.mode === 'host';
  if (mayMount && host.exec.mode === 'host') {
    const dir = makePrivateDir(host);
    const argv = ['mount', '-o', 'ro,nosuid,nodev,noexec'];
    if (opts.fsType) argv.push('-t', opts.fsType);
    argv.push(host.exec.pathFor(device), host.exec.pathFor(dir));
    const r = host.exec.run(argv, { timeoutMs: 30_000 });
    if (r.code === 0 && !r.error) {
      log.debug(`mounted ${device} read-only on ${dir}`);
      try {
        return await fn(dirTreeReader(host, dir, `${device} (mounted)`));
      } finally {
        unmount(host, log, dir);
      }
    }
    mountError = `mount failed: ${(r.error ?? r.stderr.trim()) || `exit ${r.code}`}`;
    removeIfEmpty(host, dir);
    log.debug(`${device}: ${mountError}; reading it directly as ISO9660`);
  }
  let img: IsoImage;
  try {
    img = readDeviceIso(host, device, opts.maxImageBytes);
  } catch (e) {
    const why = e instanceof IsoError ? e.message : `${device}: ${(e as Error).message}`;
    throw new DatasourceError(`${device}: cannot read (${mountError}; ${why.startsWith(device) ? why.slice(device.length + 2) : why})`);
  }
  try {
    return await fn(isoTreeReader(img, `${device} (ISO9660, read directly)`));
  } catch (e) {
    // A malformed image found while reading a file is the device's fault: say which one.
    if (e instanceof IsoError) throw new DatasourceError(e.message);
    throw e;
  }
}

function makePrivateDir(host: Host): string {
  // /run/cloud-init itself stays world-readable (instance-data.json); only tmp/ is private.
  host.fs.mkdir(posix.dirname(MOUNT_BASE), 0o755);
  host.fs.mkdir(MOUNT_BASE, 0o700);
  for (let i = 0; i < 8; i++) {
    const dir = `${MOUNT_BASE}/nimbus-mnt-${crypto().randomBytes(6).toString('hex')}`;
    if (host.fs.exists(dir)) continue;
    host.fs.mkdir(dir, 0o700);
    return dir;
  }
  throw new DatasourceError(`cannot make a private mount directory under ${MOUNT_BASE}`);
}

/** Unmounts and removes the directory; a failed unmount is retried lazily and logged, never thrown over fn's own result. */
function unmount(host: Host, log: Logger, dir: string): void {
  const target = host.exec.pathFor(dir);
  let r = host.exec.run(['umount', target], { timeoutMs: 30_000 });
  if (r.code !== 0 || r.error) {
    // Busy (a process looking at it): detach now, the kernel finishes when it is free.
    r = host.exec.run(['umount', '-l', target], { timeoutMs: 30_000 });
  }
  if (r.code !== 0 || r.error) {
    log.error(`could not unmount ${dir}: ${(r.error ?? r.stderr.trim()) || `exit ${r.code}`}`);
    return;
  }
  removeIfEmpty(host, dir);
}

function removeIfEmpty(host: Host, dir: string): void {
  // Only an empty directory is removed: a mount still on it must never be deleted through.
  if (host.fs.list(dir).length === 0) host.fs.remove(dir);
}
