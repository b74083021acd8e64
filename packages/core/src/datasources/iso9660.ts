// An ISO9660 reader for config drives and cidata images where mounting is not possible
// (containers, offline roots, tests). It reads the directory tree and file contents with
// the names Linux would show: Rock Ridge (NM, SL, CL/RE) when the image has it, else
// Joliet, else plain ISO names mapped like Linux's default (lower case, no ";1").
// Every read is bounds-checked and every loop has a limit, so a hostile or truncated
// image ends in an IsoError, never a hang, a huge allocation or another exception.

/** Random access to the bytes of an image. `read` returns exactly `length` bytes or throws IsoError. */
export interface ByteSource {
  /** For messages: "/dev/sr0", "seed.iso". */
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export class IsoError extends Error {}

export type IsoNames = 'rockridge' | 'joliet' | 'iso9660';

export interface IsoEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  /** Symlink target (Rock Ridge SL), not followed. */
  target?: string;
}

export interface IsoOptions {
  /** Largest file readFile returns (default 64 MiB); larger ones are an IsoError. */
  maxFileBytes?: number;
  /** Which names to use; default the richest the image has. */
  names?: IsoNames;
}

const SECTOR = 2048;
const VD_START = 16 * SECTOR;
const MAX_DESCRIPTORS = 64;
const MAX_DIR_BYTES = 16 * 1024 * 1024;
const MAX_DIR_ENTRIES = 65536;
const MAX_CONTINUATIONS = 32;
const MAX_NAME = 1024;
const MAX_DEPTH = 128;
const MAX_EXTENTS = 1024;

interface Extent {
  offset: number;
  size: number;
}

interface Node {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  /** Directories: one extent (their data). Files: one or more (multi-extent). */
  extents: Extent[];
  size: number;
  target?: string;
}

/** A Uint8Array as a ByteSource. */
export function bufferSource(data: Uint8Array, name = 'image'): ByteSource {
  return {
    name,
    size: data.length,
    read(offset: number, length: number): Uint8Array {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.length) {
        throw new IsoError(`${name}: truncated image: needs bytes ${offset}..${offset + length} but has ${data.length}`);
      }
      return data.subarray(offset, offset + length);
    },
  };
}

const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function ucs2be(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

function stripVersion(name: string): string {
  return name.replace(/;\d*$/, '');
}

/** Plain ISO9660 names as Linux shows them by default (map=normal). */
function mapPlainName(name: string): string {
  return stripVersion(name).replace(/\.$/, '').toLowerCase();
}

/** The volume label when `src` holds an ISO9660 image, else null; reads only the descriptors. */
export function isoVolumeId(src: ByteSource): string | null {
  try {
    const vds = readDescriptors(src);
    const pvd = vds.find((d) => d[0] === 1);
    return pvd ? ascii(pvd.subarray(40, 72)).trim() : null;
  } catch {
    return null;
  }
}

function readDescriptors(src: ByteSource): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const off = VD_START + i * SECTOR;
    if (off + SECTOR > src.size) break;
    const vd = src.read(off, SECTOR);
    if (ascii(vd.subarray(1, 6)) !== 'CD001') {
      if (i === 0) throw new IsoError(`${src.name}: not an ISO9660 image (no CD001 at sector 16)`);
      break;
    }
    if (vd[0] === 255) return out;
    out.push(vd);
  }
  if (out.length === 0) throw new IsoError(`${src.name}: not an ISO9660 image (no CD001 at sector 16)`);
  return out;
}

export class IsoImage {
  readonly volumeId: string;
  readonly names: IsoNames;
  private readonly blockSize: number;
  private readonly root: Node;
  private readonly susp: { skip: number } | null;
  private readonly dirCache = new Map<number, Node[]>();
  private readonly maxFileBytes: number;

  constructor(
    private readonly src: ByteSource,
    opts: IsoOptions = {},
  ) {
    this.maxFileBytes = opts.maxFileBytes ?? 64 * 1024 * 1024;
    const vds = readDescriptors(src);
    const pvd = vds.find((d) => d[0] === 1);
    if (!pvd) throw new IsoError(`${src.name}: no primary volume descriptor`);
    this.volumeId = ascii(pvd.subarray(40, 72)).trim();
    const bs = u16le(pvd, 128);
    // Only power-of-two sizes 512..2048 exist in practice; anything else is a broken image.
    if (![512, 1024, 2048].includes(bs)) throw new IsoError(`${src.name}: unsupported logical block size ${bs}`);
    this.blockSize = bs;
    const joliet = vds.find((d) => d[0] === 2 && ['%/@', '%/C', '%/E'].includes(ascii(d.subarray(88, 91))));

    const pvdRoot = this.rootRecord(pvd);
    this.susp = this.findSusp(pvdRoot);
    const want = opts.names ?? (this.susp ? 'rockridge' : joliet ? 'joliet' : 'iso9660');
    if (want === 'rockridge' && !this.susp) throw new IsoError(`${src.name}: no Rock Ridge extensions`);
    if (want === 'joliet' && !joliet) throw new IsoError(`${src.name}: no Joliet volume descriptor`);
    this.names = want;
    if (want === 'joliet') {
      this.root = this.rootRecord(joliet as Uint8Array);
      this.susp = null;
    } else {
      this.root = pvdRoot;
      if (want === 'iso9660') this.susp = null;
    }
  }

  /** Whether `path` exists, and what it is. */
  stat(path: string): IsoEntry | null {
    const n = this.lookup(path);
    return n ? publicEntry(n) : null;
  }

  /** The entries of a directory, sorted by name; null when `path` is not a directory. */
  list(path: string): IsoEntry[] | null {
    const n = this.lookup(path);
    if (n?.type !== 'dir') return null;
    return this.children(n).map(publicEntry);
  }

  /** A file's bytes; null when absent or not a regular file. */
  readFile(path: string): Uint8Array | null {
    const n = this.lookup(path);
    if (n?.type !== 'file') return null;
    if (n.size > this.maxFileBytes) throw new IsoError(`${this.src.name}: ${path} is ${n.size} bytes, more than the ${this.maxFileBytes} allowed`);
    const out = new Uint8Array(n.size);
    let at = 0;
    for (const e of n.extents) {
      out.set(this.src.read(e.offset, e.size), at);
      at += e.size;
    }
    return out;
  }

  private lookup(path: string): Node | null {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length > MAX_DEPTH) throw new IsoError(`${this.src.name}: path too deep: ${path}`);
    let cur = this.root;
    for (const part of parts) {
      if (part === '..') throw new IsoError(`${this.src.name}: ".." not allowed in ${path}`);
      if (cur.type !== 'dir') return null;
      const next = this.children(cur).find((c) => c.name === part);
      if (!next) return null;
      cur = next;
    }
    return cur;
  }

  private rootRecord(vd: Uint8Array): Node {
    const rec = vd.subarray(156, 190);
    const r = this.parseRecordHead(rec, 0, 'root directory record');
    return { name: '', type: 'dir', extents: [{ offset: r.offset, size: r.size }], size: r.size };
  }

  private parseRecordHead(buf: Uint8Array, pos: number, what: string): { offset: number; size: number; flags: number; nameLen: number; len: number } {
    const len = buf[pos]!;
    if (len < 34 || pos + len > buf.length) throw new IsoError(`${this.src.name}: bad ${what} (length ${len})`);
    const ear = buf[pos + 1]!;
    const lba = u32le(buf, pos + 2);
    const size = u32le(buf, pos + 10);
    const flags = buf[pos + 25]!;
    const nameLen = buf[pos + 32]!;
    if (33 + nameLen > len) throw new IsoError(`${this.src.name}: bad ${what} (name overruns record)`);
    const offset = (lba + ear) * (this.blockSize ?? SECTOR);
    if (offset + size > this.src.size) {
      throw new IsoError(`${this.src.name}: truncated image: ${what} points at bytes ${offset}..${offset + size} but the image has ${this.src.size}`);
    }
    return { offset, size, flags, nameLen, len };
  }

  /** SUSP presence: an "SP" entry at the start of the root's "." record system use area. */
  private findSusp(root: Node): { skip: number } | null {
    const ext = root.extents[0]!;
    if (ext.size < 34) return null;
    const first = this.src.read(ext.offset, Math.min(ext.size, this.blockSize));
    const len = first[0]!;
    if (len < 34 || len > first.length) return null;
    const nameLen = first[32]!;
    const suStart = 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0);
    const su = first.subarray(suStart, len);
    if (su.length >= 7 && su[0] === 0x53 && su[1] === 0x50 && su[4] === 0xbe && su[5] === 0xef) return { skip: su[6]! };
    return null;
  }

  private children(dir: Node): Node[] {
    const ext = dir.extents[0]!;
    const cached = this.dirCache.get(ext.offset);
    if (cached) return cached;
    if (ext.size > MAX_DIR_BYTES) throw new IsoError(`${this.src.name}: directory of ${ext.size} bytes is larger than the ${MAX_DIR_BYTES} allowed`);
    const data = this.src.read(ext.offset, ext.size);
    const out: Node[] = [];
    const byName = new Map<string, Node>();
    let pos = 0;
    let count = 0;
    let pendingMulti: Node | null = null;
    while (pos < data.length) {
      const len = data[pos]!;
      if (len === 0) {
        // Records never cross a block boundary: the rest of this block is padding.
        pos = (Math.floor(pos / this.blockSize) + 1) * this.blockSize;
        continue;
      }
      if (++count > MAX_DIR_ENTRIES) throw new IsoError(`${this.src.name}: more than ${MAX_DIR_ENTRIES} entries in one directory`);
      const r = this.parseRecordHead(data, pos, 'directory record');
      const rawName = data.subarray(pos + 33, pos + 33 + r.nameLen);
      const special = r.nameLen === 1 && (rawName[0] === 0 || rawName[0] === 1);
      const suStart = 33 + r.nameLen + (r.nameLen % 2 === 0 ? 1 : 0);
      const su = data.subarray(pos + Math.min(suStart + (this.susp?.skip ?? 0), r.len), pos + r.len);
      pos += r.len;
      if (special) continue;
      if (data[pos - r.len + 26] !== 0 || data[pos - r.len + 27] !== 0) {
        throw new IsoError(`${this.src.name}: not supported: interleaved files`);
      }
      const rr = this.susp ? this.rockRidge(su) : null;
      if (rr?.relocated) continue; // shown where its CL entry points
      let name: string;
      if (rr?.name !== undefined) name = rr.name;
      else if (this.names === 'joliet') name = stripVersion(ucs2be(rawName));
      else name = mapPlainName(ascii(rawName));
      if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) continue;

      const isDir = (r.flags & 0x02) !== 0;
      const multi = (r.flags & 0x80) !== 0;
      if (pendingMulti && pendingMulti.name === name && !isDir) {
        // Further extents of a file larger than one extent can hold.
        if (pendingMulti.extents.length >= MAX_EXTENTS) throw new IsoError(`${this.src.name}: too many extents for ${name}`);
        pendingMulti.extents.push({ offset: r.offset, size: r.size });
        pendingMulti.size += r.size;
        if (!multi) pendingMulti = null;
        continue;
      }
      pendingMulti = null;
      let node: Node;
      if (rr?.childLink !== undefined) {
        node = this.relocatedDir(name, rr.childLink);
      } else if (rr?.symlink !== undefined) {
        node = { name, type: 'symlink', extents: [], size: 0, target: rr.symlink };
      } else {
        node = { name, type: isDir ? 'dir' : 'file', extents: [{ offset: r.offset, size: r.size }], size: r.size };
      }
      if (multi && node.type === 'file') pendingMulti = node;
      if (byName.has(name)) continue;
      byName.set(name, node);
      out.push(node);
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.dirCache.set(ext.offset, out);
    return out;
  }

  /** A Rock Ridge CL entry: the directory's real extent, sized by its own "." record. */
  private relocatedDir(name: string, lba: number): Node {
    const offset = lba * this.blockSize;
    if (offset + 34 > this.src.size) throw new IsoError(`${this.src.name}: truncated image: relocated directory ${name} at block ${lba}`);
    const head = this.src.read(offset, Math.min(this.blockSize, this.src.size - offset));
    const r = this.parseRecordHead(head, 0, `relocated directory ${name}`);
    return { name, type: 'dir', extents: [{ offset: r.offset, size: r.size }], size: r.size };
  }

  /** Reads the Rock Ridge entries of one record, following CE continuation areas (bounded). */
  private rockRidge(area: Uint8Array): { name?: string; symlink?: string; childLink?: number; relocated: boolean } {
    const res: { name?: string; symlink?: string; childLink?: number; relocated: boolean } = { relocated: false };
    let name = '';
    let haveName = false;
    let link = '';
    let haveLink = false;
    let linkJoin = false; // the last SL component continues into the next one
    let cur: Uint8Array | null = area;
    let continuations = 0;
    while (cur) {
      let next: Uint8Array | null = null;
      let p = 0;
      while (p + 4 <= cur.length) {
        const sig = String.fromCharCode(cur[p]!, cur[p + 1]!);
        const len = cur[p + 2]!;
        if (len < 4 || p + len > cur.length) break;
        const e = cur.subarray(p, p + len);
        p += len;
        if (sig === 'ST') break;
        if (sig === 'CE' && len >= 28) {
          if (++continuations > MAX_CONTINUATIONS) throw new IsoError(`${this.src.name}: too many Rock Ridge continuation areas`);
          const off = u32le(e, 4) * this.blockSize + u32le(e, 12);
          const clen = u32le(e, 20);
          if (clen > this.blockSize) throw new IsoError(`${this.src.name}: Rock Ridge continuation area of ${clen} bytes`);
          next = this.src.read(off, clen);
        } else if (sig === 'NM' && len >= 5) {
          const flags = e[4]!;
          if (flags & 0x06) continue; // "." or ".." aliases
          name += ascii(e.subarray(5));
          haveName = true;
          if (name.length > MAX_NAME) throw new IsoError(`${this.src.name}: Rock Ridge name longer than ${MAX_NAME}`);
        } else if (sig === 'SL' && len >= 5) {
          haveLink = true;
          let q = 5;
          while (q + 2 <= e.length) {
            const cf = e[q]!;
            const cl = e[q + 1]!;
            if (q + 2 + cl > e.length) break;
            let comp = ascii(e.subarray(q + 2, q + 2 + cl));
            if (cf & 0x02) comp = '.';
            else if (cf & 0x04) comp = '..';
            if (cf & 0x08) {
              link = '/';
            } else {
              if (link !== '' && !link.endsWith('/') && !linkJoin) link += '/';
              link += comp;
            }
            linkJoin = (cf & 0x01) !== 0;
            q += 2 + cl;
            if (link.length > MAX_NAME * 4) throw new IsoError(`${this.src.name}: Rock Ridge symlink target too long`);
          }
        } else if (sig === 'CL' && len >= 12) {
          res.childLink = u32le(e, 4);
        } else if (sig === 'RE') {
          res.relocated = true;
        }
      }
      cur = next;
    }
    if (haveName) res.name = name;
    if (haveLink) res.symlink = link;
    return res;
  }
}

function publicEntry(n: Node): IsoEntry {
  const e: IsoEntry = { name: n.name, type: n.type, size: n.size };
  if (n.target !== undefined) e.target = n.target;
  return e;
}

/** Opens an image held in memory. */
export function openIso(data: Uint8Array | ByteSource, opts: IsoOptions = {}, name = 'image'): IsoImage {
  const src = data instanceof Uint8Array ? bufferSource(data, name) : data;
  return new IsoImage(src, opts);
}

/** The part of host.fs this reader needs. */
export interface IsoFileAccess {
  read(path: string): Uint8Array | null;
  stat(path: string): { size: number; isFile: boolean } | null;
}

/**
 * Opens an image file read through host.fs (a regular file, or a device whose size the
 * caller found, e.g. from /sys/class/block/<dev>/size). The size is checked before
 * reading so a whole DVD in the drive is refused instead of read into memory.
 */
export function openIsoFile(fs: IsoFileAccess, path: string, opts: IsoOptions & { maxImageBytes?: number; knownSize?: number } = {}): IsoImage {
  const max = opts.maxImageBytes ?? 128 * 1024 * 1024;
  const st = fs.stat(path);
  if (!st) throw new IsoError(`${path}: no such file or device`);
  const size = st.isFile ? st.size : opts.knownSize;
  if (size === undefined) throw new IsoError(`${path}: size unknown, not reading it whole`);
  if (size > max) throw new IsoError(`${path}: ${size} bytes, larger than the ${max} an ISO datasource may be`);
  let data: Uint8Array | null;
  try {
    data = fs.read(path);
  } catch (e) {
    throw new IsoError(`${path}: cannot read: ${(e as Error).message}`);
  }
  if (!data) throw new IsoError(`${path}: no such file or device`);
  if (data.length > max) throw new IsoError(`${path}: ${data.length} bytes, larger than the ${max} an ISO datasource may be`);
  return new IsoImage(bufferSource(data, path), opts);
}
