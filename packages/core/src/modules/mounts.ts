// mounts: /etc/fstab entries from `mounts` plus cloud-init's defaults (the first
// ephemeral disk at /mnt, the metadata's swap disk), and a swap file from `swap`.
// Names such as ephemeral0 and swap are resolved through the datasource's
// block-device-mapping (or the disk's label); devices that are not there are skipped
// with a warning; every line carries nofail and a device timeout, so a disk missing on
// a later boot can never hang it. Lines marked comment=cloudconfig are nimbus's own
// (and cloud-init's): they are replaced on each run, every other line is kept.
import type { Module, ModuleContext, Z } from './types.js';
import type { Host } from '../host/host.js';
import { distroFacts } from '../distro/facts.js';
import { isDict } from '../config/merge.js';
import { failure, treeIsRunning } from './lib/tree-exec.js';
import { pathProblem } from './lib/validators.js';

export const MNT_COMMENT = 'comment=cloudconfig';
export const DEVICE_TIMEOUT = 'x-systemd.device-timeout=10s';
const DEFAULT_OPTS = 'defaults,nofail,x-systemd.requires=cloud-init.service,_netdev';
const FSTAB = '/etc/fstab';

export const mountsSchema = (z: Z) => {
  const field = z.union([z.string(), z.number(), z.null()]);
  return z.object({
    mounts: z.array(z.array(field)).optional(),
    mount_default_fields: z.array(field).length(6).optional(),
    swap: z.object({ filename: z.string().optional(), size: z.union([z.string(), z.number()]).optional(), maxsize: z.union([z.string(), z.number()]).optional() }).optional(),
    device_aliases: z.record(z.string(), z.string()).optional(),
  });
};

type Entry = (string | null)[];

const SHORT_DEV = /^x?[shv]d[a-z][0-9]*$|^sr[0-9]+$|^nvme\d+n\d+(p\d+)?$/;
const NETWORK = /^.+:.*/;
const BY = /^(LABEL|UUID|PARTUUID|PARTLABEL)=(.+)$/;

export function isMetaName(n: string): boolean {
  return ['ami', 'root', 'swap'].includes(n) || (/^(ephemeral|ebs)/.test(n) && !n.includes(':'));
}

/** "1G", "512M", "1.5 GB", 1073741824 → bytes (cloud-init's human2bytes); null when not a size. */
export function humanBytes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$/i.exec(v);
  if (m === null) return null;
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[(m[2] as string).toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.floor(Number(m[1]) * mult);
}

/** cloud-init's suggested swap size for a memory size (filesystem space unknown: capped by maxsize or twice the memory). */
export function suggestedSwapSize(mem: number, maxsize: number | null): number {
  const GB = 2 ** 30;
  const max = maxsize ?? mem * 2;
  const min = mem < 4 * GB ? mem : mem < 16 * GB ? 4 * GB : Math.round(Math.sqrt(mem / GB)) * GB;
  return Math.min(min, max);
}

/** fstab text with nimbus's entries: lines holding comment=cloudconfig dropped, the others kept, new lines appended (pure). */
export function fstabWith(existing: string, lines: readonly Entry[]): string {
  const kept = existing.split('\n').filter((l, i, all) => !l.includes(MNT_COMMENT) && !(i === all.length - 1 && l === ''));
  return [...kept, ...lines.map((l) => l.join('\t'))].join('\n') + '\n';
}

/** Options with nofail and the device timeout made sure of, then the cloudconfig mark (pure). */
export function safeOptions(opts: string): string {
  const parts = opts.split(',').filter((o) => o !== '' && o !== MNT_COMMENT && o !== 'nobootwait');
  if (!parts.includes('nofail')) parts.push('nofail');
  if (!parts.some((o) => o.startsWith('x-systemd.device-timeout='))) parts.push(DEVICE_TIMEOUT);
  parts.push(MNT_COMMENT);
  return parts.join(',');
}

function blockDeviceMapping(ctx: ModuleContext): Record<string, unknown> {
  const bdm = ctx.ds.ec2Metadata?.['block-device-mapping'];
  return isDict(bdm) ? bdm : {};
}

function exists(host: Host, p: string): boolean {
  return host.fs.stat(p) !== null;
}

/** The disk's node in /sys/block, by the device's last name (cloud-init's block-device test). */
function isBlock(host: Host, dev: string, part: string | null): boolean {
  const name = dev.split('/').pop() as string;
  const sys = `/sys/block/${name}`;
  return part === null ? exists(host, sys) : exists(host, `${sys}/${part.split('/').pop() as string}`);
}

/**
 * The device path for an fstab source: metadata names through block-device-mapping
 * (or the filesystem label, as OpenStack labels ephemeral disks), short names under
 * /dev, the first partition when the disk has one. Returns a reason when it is absent.
 */
export function resolveDevice(ctx: ModuleContext, start: string): { device: string } | { absent: string } {
  if (NETWORK.test(start) && !BY.test(start)) return { device: start };
  const by = BY.exec(start);
  if (by !== null) {
    const link = `/dev/disk/by-${(by[1] as string).toLowerCase()}/${by[2] as string}`;
    return exists(ctx.host, link) ? { device: start } : { absent: `${link} does not exist` };
  }
  let name = start === 'ephemeral' ? 'ephemeral0' : start;
  const dot = /^(.+)\.(\d+)$/.exec(name);
  const partNo = dot === null ? null : Number(dot[2]);
  if (dot !== null) name = dot[1] as string;
  const aliases = isDict(ctx.cfg.device_aliases) ? ctx.cfg.device_aliases : {};
  if (typeof aliases[name] === 'string') name = aliases[name] as string;
  let dev = name;
  if (isMetaName(name)) {
    const mapped = blockDeviceMapping(ctx)[name];
    if (typeof mapped === 'string' && mapped !== '') dev = mapped.startsWith('/') ? mapped : `/dev/${mapped}`;
    else if (exists(ctx.host, `/dev/disk/by-label/${name}`)) {
      const target = ctx.host.fs.readlink(`/dev/disk/by-label/${name}`);
      dev = target === null ? `/dev/disk/by-label/${name}` : target.startsWith('/') ? target : `/dev/${target.split('/').pop() as string}`;
    } else return { absent: `the metadata maps no device to ${name}` };
  } else if (SHORT_DEV.test(name)) dev = `/dev/${name}`;
  if (!dev.startsWith('/dev/') || /[\s\0]/.test(dev) || dev.split('/').includes('..')) return { absent: `${JSON.stringify(start)} is not a device path` };
  // EC2 names sdX in its mapping; Xen and KVM guests see xvdX or vdX.
  if (!exists(ctx.host, dev)) {
    const m = /^\/dev\/(?:sd|xvd|vd)([a-z]\d*)$/.exec(dev);
    const alt = m === null ? undefined : ['sd', 'xvd', 'vd'].map((p) => `/dev/${p}${m[1] as string}`).find((d) => exists(ctx.host, d));
    if (alt === undefined) return { absent: `${dev} does not exist` };
    dev = alt;
  }
  const suffixes = (n: number) => [`${n}`, `p${n}`, `-part${n}`].map((s) => `${dev}${s}`);
  const part = suffixes(partNo ?? 1).find((p) => exists(ctx.host, p)) ?? null;
  if (partNo !== null && part === null) return { absent: `${dev} has no partition ${partNo}` };
  if (!isBlock(ctx.host, dev, part)) return { absent: `${dev} is not a block device (no /sys/block entry)` };
  return { device: part ?? dev };
}

/**
 * fstab's escape for the first two fields (fstab(5)): a blank inside a path is \040 (a
 * tab \011), and a backslash itself \134 so that nothing reads as an escape it was not (pure).
 */
export function escapeFstabField(v: string): string {
  return v.replace(/[\\ \t]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** A C0 control character (other than tab) or DEL, which in a field could start a new fstab line or hide the rest of one. */
function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Why a field cannot stand in fstab, or null. The source (a device, LABEL=, host:/path)
 * and the mount point may hold blanks, written escaped; no field may hold a control
 * character or a comment sign, so no value can add or hide a line.
 */
export function fieldProblem(v: string, i: number): string | null {
  if (v === '') return `field ${i + 1} is empty`;
  if (hasControl(v)) return `field ${i + 1} ${JSON.stringify(v)} contains a control character`;
  if (v.includes('#')) return `field ${i + 1} ${JSON.stringify(v)} contains a comment sign (#)`;
  if (i >= 2 && /\s/.test(v)) return `field ${i + 1} ${JSON.stringify(v)} must be one word`;
  if (i === 1 && v !== 'none') return pathProblem(v);
  if (i === 2 && !/^[A-Za-z0-9._+-]+$/.test(v)) return `filesystem type ${JSON.stringify(v)} is not a type name`;
  if ((i === 4 || i === 5) && !/^\d+$/.test(v)) return `field ${i + 1} ${JSON.stringify(v)} must be a number`;
  return null;
}

function swapFile(ctx: ModuleContext): string | null {
  const sw = ctx.cfg.swap;
  if (sw === undefined || sw === null) return null;
  if (!isDict(sw)) {
    ctx.log.error(`${ctx.source.where(['swap'])}swap must be a mapping (filename, size, maxsize)`);
    return null;
  }
  const fname = sw.filename === undefined ? '/swap.img' : sw.filename;
  const why = pathProblem(fname);
  if (why !== null) {
    ctx.log.error(`${ctx.source.where(['swap', 'filename'])}swap.filename: ${why}; no swap file`);
    return null;
  }
  const file = fname as string;
  if (sw.size === undefined || sw.size === 0 || sw.size === '0') return null;
  if (exists(ctx.host, file)) {
    ctx.log.info(`swap file ${file} exists: kept`);
    return file;
  }
  let size: number | null;
  if (sw.size === 'auto') {
    const mem = /^MemTotal:\s+(\d+)\s*kB/m.exec(ctx.host.fs.readText('/proc/meminfo') ?? '');
    if (mem === null) {
      ctx.log.warn('swap size auto: /proc/meminfo cannot be read, no swap file made');
      return null;
    }
    const max = sw.maxsize === undefined ? null : humanBytes(sw.maxsize);
    size = suggestedSwapSize(Number(mem[1]) * 1024, max);
  } else size = humanBytes(sw.size);
  if (size === null) {
    ctx.log.error(`${ctx.source.where(['swap', 'size'])}swap.size ${JSON.stringify(sw.size)} is not a size such as 2G, 512M or auto; no swap file`);
    return null;
  }
  const mib = Math.floor(size / 2 ** 20);
  if (mib === 0) return null;
  const path = ctx.host.exec.pathFor(file);
  let r = failure(ctx.host.exec.run(['fallocate', '-l', `${mib}M`, path]));
  if (r !== null) {
    ctx.log.info(`fallocate failed (${r}); trying dd`);
    ctx.host.fs.remove(file);
    r = failure(ctx.host.exec.run(['dd', 'if=/dev/zero', `of=${path}`, 'bs=1M', `count=${mib}`]));
  }
  if (r === null && exists(ctx.host, file)) ctx.host.fs.chmod(file, 0o600);
  if (r === null) r = failure(ctx.host.exec.run(['mkswap', path]));
  if (r !== null) {
    ctx.host.fs.remove(file);
    ctx.log.error(`creating the swap file ${file} (${mib} MiB) failed: ${r}`);
    return null;
  }
  ctx.log.info(`swap file ${file} (${mib} MiB)`);
  return file;
}

function run(ctx: ModuleContext): void {
  const defvals: (string | null)[] =
    Array.isArray(ctx.cfg.mount_default_fields) && ctx.cfg.mount_default_fields.length === 6
      ? ctx.cfg.mount_default_fields.map((v: unknown) => (v === null || v === undefined ? null : String(v)))
      : [null, null, 'auto', DEFAULT_OPTS, '0', '2'];
  const existing = ctx.host.fs.readText(FSTAB) ?? '';
  const owned = new Map<string, string>();
  for (const l of existing.split('\n')) {
    if (l.includes(MNT_COMMENT) || l.trim() === '' || l.trim().startsWith('#')) continue;
    owned.set(l.trim().split(/\s+/)[0] as string, l);
  }
  const cfgList = Array.isArray(ctx.cfg.mounts) ? ctx.cfg.mounts : [];
  if (ctx.cfg.mounts !== undefined && ctx.cfg.mounts !== null && !Array.isArray(ctx.cfg.mounts)) ctx.log.error(`${ctx.source.where(['mounts'])}mounts must be a list of fstab entries`);
  const entries: Entry[] = [];
  const origin = new WeakMap<Entry, number>();
  const named = new Set<string>();
  cfgList.forEach((item: unknown, i: number) => {
    const at = ctx.source.where(['mounts', i]);
    if (!Array.isArray(item) || item.length === 0) {
      ctx.log.warn(`${at}mounts[${i}] is not a list such as [ /dev/vdb, /data, ext4 ]; skipped`);
      return;
    }
    const start = String(item[0]);
    const wantsMount = !(item.length >= 2 && (item[1] === null || item[1] === undefined)) && !(item.length === 1 && defvals[1] === null);
    named.add(start);
    const r = resolveDevice(ctx, start);
    if ('absent' in r) {
      if (wantsMount) ctx.log.warn(`${at}mounts[${i}]: ${start}: ${r.absent}; no fstab entry for it`);
      return;
    }
    named.add(r.device);
    if (owned.has(r.device)) {
      ctx.log.info(`${r.device} already has a line of its own in /etc/fstab: kept, not replaced`);
      return;
    }
    const e: Entry = defvals.map((d, j) => (j < item.length && item[j] !== null && item[j] !== undefined ? String(item[j]) : d));
    e[0] = r.device;
    origin.set(e, i);
    // An entry without a mount point removes the device's earlier ones.
    if (e[1] === null) {
      for (const prev of entries) if (prev[0] === e[0]) prev[1] = null;
      entries.push(e);
      return;
    }
    entries.push(e);
  });
  const defaults: [string, Entry][] = [
    ['ephemeral0', [null, '/mnt', 'auto', defvals[3] ?? DEFAULT_OPTS, '0', '2']],
    ['swap', [null, 'none', 'swap', 'sw', '0', '0']],
  ];
  for (const [name, e] of defaults) {
    if (named.has(name)) continue;
    const r = resolveDevice(ctx, name);
    if ('absent' in r) {
      ctx.log.debug(`default mount ${name}: ${r.absent}; not added`);
      continue;
    }
    if (owned.has(r.device) || entries.some((x) => x[0] === r.device) || named.has(r.device)) continue;
    e[0] = r.device;
    entries.push(e);
  }
  const active = entries.filter((e) => e[1] !== null);
  const sf = swapFile(ctx);
  if (sf !== null) active.push([sf, 'none', 'swap', 'sw', '0', '0']);
  const lines: Entry[] = [];
  for (const e of active) {
    const probs = e.map((v, i) => ({ i, why: fieldProblem(v ?? '', i) })).filter((p): p is { i: number; why: string } => p.why !== null);
    if (probs.length > 0) {
      const idx = origin.get(e);
      const at = ctx.source.where(idx !== undefined ? ['mounts', idx, (probs[0] as { i: number }).i] : ['swap']);
      const dev = probs.some((p) => p.i === 0) ? '' : `${JSON.stringify(e[0])}: `;
      ctx.log.error(`${at}mounts${idx !== undefined ? `[${idx}]` : ''}: ${dev}${probs.map((p) => p.why).join('; ')}; no fstab entry for it`);
      continue;
    }
    lines.push([...e.slice(0, 3), safeOptions(e[3] as string), ...e.slice(4, 6)]);
  }
  const hadOwn = existing.split('\n').some((l) => l.includes(MNT_COMMENT));
  if (lines.length === 0 && !hadOwn) {
    ctx.log.debug('no fstab entries to write');
    return;
  }
  const next = fstabWith(
    existing,
    lines.map((l) => l.map((v, i) => (i < 2 && v !== null ? escapeFstabField(v) : v))),
  );
  const changed = next !== (existing.endsWith('\n') || existing === '' ? existing : `${existing}\n`);
  if (lines.length === 0 && !changed) {
    ctx.log.debug('no fstab entries to write');
    return;
  }
  for (const l of lines) if ((l[1] as string).startsWith('/') && !ctx.host.fs.exists(l[1] as string)) ctx.host.fs.mkdir(l[1] as string);
  if (changed) {
    const st = ctx.host.fs.stat(FSTAB);
    ctx.host.fs.write(FSTAB, next, { mode: st === null ? 0o644 : st.mode & 0o7777 });
    ctx.log.info(`/etc/fstab: ${lines.length} nimbus entr${lines.length === 1 ? 'y' : 'ies'} (${lines.map((l) => `${l[0]} ${l[1]}`).join(', ') || 'none'})`);
  }
  const cmds: string[][] = [];
  if (lines.some((l) => l[2] === 'swap')) cmds.push(['swapon', '-a']);
  if (changed) {
    cmds.push(['mount', '-a']);
    if (distroFacts(ctx.distro).initSystem === 'systemd') cmds.push(['systemctl', 'daemon-reload']);
  }
  if (cmds.length > 0 && !treeIsRunning(ctx)) {
    ctx.log.info(`${ctx.host.root} is not the running system: ${cmds.map((c) => c.join(' ')).join(', ')} not run`);
    return;
  }
  for (const c of cmds) {
    const why = failure(ctx.host.exec.run(c));
    if (why !== null) ctx.log.warn(`${c.join(' ')} failed: ${why}`);
  }
}

export const mounts: Module = {
  name: 'mounts',
  frequency: 'once-per-instance',
  keys: ['mounts', 'swap', 'mount_default_fields', 'device_aliases'],
  alwaysRun: true,
  schema: mountsSchema,
  examples: [
    `#cloud-config
mounts:
  - [vdc, /srv/data, ext4, 'defaults,noatime', '0', '2']
  - [ephemeral0, null]
swap:
  filename: /swap.img
  size: auto
  maxsize: 2G
`,
  ],
  run,
};
