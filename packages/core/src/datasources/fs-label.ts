// Which filesystem a block device holds, with its label and UUID, read from its first
// bytes as blkid does for the three kinds a seed comes on: iso9660 (the primary volume
// descriptor at 32 KiB), vfat (the boot sector, and the volume-label entry of the root
// directory, which blkid prefers) and ext2/3/4 (the superblock at 1 KiB). The local
// stage then needs no blkid process to find config-2 / cidata. Pure: the bytes come
// through `read`, so tests give it image files.

export interface FsProbe {
  type: 'iso9660' | 'vfat' | 'ext2' | 'ext3' | 'ext4';
  /** As blkid prints LABEL; null when the filesystem has none. */
  label: string | null;
  /** As blkid prints UUID (vfat: the volume serial "ABCD-1234"; iso9660: the creation time); null when none. */
  uuid: string | null;
}

/** Bytes at offset; shorter (or null) past the end of the device. */
export type ReadAt = (offset: number, length: number) => Uint8Array | null;

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function exactly(read: ReadAt, offset: number, length: number): Uint8Array | null {
  const b = read(offset, length);
  return b !== null && b.length >= length ? b.subarray(0, length) : null;
}

/** The first of iso9660, ext, vfat the device holds (blkid's order for these), or null. */
export function probeFilesystem(read: ReadAt): FsProbe | null {
  return probeIso9660(read) ?? probeExt(read) ?? probeVfat(read);
}

export function probeIso9660(read: ReadAt): FsProbe | null {
  const pvd = exactly(read, 16 * 2048, 2048);
  if (pvd === null || pvd[0] !== 1 || latin1(pvd.subarray(1, 6)) !== 'CD001') return null;
  const label = latin1(pvd.subarray(40, 72)).replace(/[ \0]+$/, '');
  // blkid's UUID for iso9660 is the volume creation time: YYYY-MM-DD-HH-MM-SS-cc.
  const t = latin1(pvd.subarray(813, 829));
  const uuid = /^\d{16}$/.test(t) && t !== '0000000000000000' ? `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}-${t.slice(8, 10)}-${t.slice(10, 12)}-${t.slice(12, 14)}-${t.slice(14, 16)}` : null;
  return { type: 'iso9660', label: label === '' ? null : label, uuid };
}

const EXT_MAGIC = 0xef53;
const EXT3_COMPAT_HAS_JOURNAL = 0x4;
// Incompatible features ext3 does not have (extents, 64bit, flex_bg, ...): ext4.
const EXT4_INCOMPAT = 0x40 | 0x80 | 0x200 | 0x2000 | 0x8000 | 0x10000;
const EXT4_RO_COMPAT = 0x8 | 0x10 | 0x20 | 0x40 | 0x400;

export function probeExt(read: ReadAt): FsProbe | null {
  const sb = exactly(read, 1024, 1024);
  if (sb === null || u16(sb, 56) !== EXT_MAGIC) return null;
  const compat = u32(sb, 92);
  const incompat = u32(sb, 96);
  const roCompat = u32(sb, 100);
  const type = incompat & EXT4_INCOMPAT || roCompat & EXT4_RO_COMPAT ? 'ext4' : compat & EXT3_COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
  const rawLabel = sb.subarray(120, 136);
  const end = rawLabel.indexOf(0);
  const label = Buffer.from(rawLabel.subarray(0, end < 0 ? 16 : end)).toString('utf8');
  const u = hex(sb.subarray(104, 120));
  const uuid = /^0+$/.test(u) ? null : `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
  return { type, label: label === '' ? null : label, uuid };
}

/** Largest root directory read for its volume-label entry (FAT12/16 have at most 512 entries by default). */
const MAX_FAT_ROOT_BYTES = 256 * 1024;

export function probeVfat(read: ReadAt): FsProbe | null {
  const bs = exactly(read, 0, 512);
  if (bs === null || bs[510] !== 0x55 || bs[511] !== 0xaa) return null;
  if (bs[0] !== 0xeb && bs[0] !== 0xe9) return null;
  const bytesPerSector = u16(bs, 11);
  const perCluster = bs[13]!;
  const reserved = u16(bs, 14);
  const fats = bs[16]!;
  const rootEntries = u16(bs, 17);
  // A BIOS parameter block that is not FAT's (an MBR, NTFS, exFAT) stops here.
  if (![512, 1024, 2048, 4096].includes(bytesPerSector) || perCluster === 0 || (perCluster & (perCluster - 1)) !== 0 || reserved === 0 || fats === 0 || fats > 4) return null;
  const fat32 = u16(bs, 22) === 0;
  const fatSectors = fat32 ? u32(bs, 36) : u16(bs, 22);
  if (fatSectors === 0) return null;
  // The extended boot record: 0x29 says the serial and label fields are there.
  const ebr = fat32 ? 64 : 36;
  const hasEbr = bs[ebr + 2] === 0x29 || bs[ebr + 2] === 0x28;
  const serial = hasEbr ? u32(bs, ebr + 3) : null;
  const bootLabel = hasEbr && bs[ebr + 2] === 0x29 ? fatName(bs.subarray(ebr + 7, ebr + 18)) : null;

  const firstRootSector = reserved + fats * fatSectors;
  let rootDir: Uint8Array | null;
  if (fat32) {
    // Only the root directory's first cluster: mkfs.vfat and other tools put the label entry first.
    const rootCluster = u32(bs, 44);
    rootDir = rootCluster >= 2 ? read((firstRootSector + (rootCluster - 2) * perCluster) * bytesPerSector, Math.min(perCluster * bytesPerSector, MAX_FAT_ROOT_BYTES)) : null;
  } else {
    rootDir = read(firstRootSector * bytesPerSector, Math.min(rootEntries * 32, MAX_FAT_ROOT_BYTES));
  }
  const dirLabel = rootDir === null ? null : rootDirLabel(rootDir);
  const label = dirLabel ?? bootLabel;
  const uuid =
    serial === null
      ? null
      : serial
          .toString(16)
          .toUpperCase()
          .padStart(8, '0')
          .replace(/^(....)/, '$1-');
  return { type: 'vfat', label, uuid };
}

/** An 11-character FAT name, blanks trimmed; "NO NAME" (the no-label mark) is none. */
function fatName(b: Uint8Array): string | null {
  const raw = Buffer.from(b);
  if (raw[0] === 0x05) raw[0] = 0xe5; // 0xE5 as a first character is stored as 0x05
  const s = raw.toString('latin1').replace(/[ \0]+$/, '');
  return s === '' || s === 'NO NAME' ? null : s;
}

/** The volume-label entry of a FAT root directory: attribute 0x08, not a long-name part. */
function rootDirLabel(dir: Uint8Array): string | null {
  for (let o = 0; o + 32 <= dir.length; o += 32) {
    const first = dir[o]!;
    if (first === 0) break; // end of the directory
    if (first === 0xe5) continue; // deleted
    const attr = dir[o + 11]!;
    if ((attr & 0x3f) === 0x0f) continue; // a long-name part
    if ((attr & 0x18) === 0x08) return fatName(dir.subarray(o, o + 11));
  }
  return null;
}
