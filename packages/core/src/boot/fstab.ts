// /etc/fstab entries that can hang a boot: a mount or swap on a disk that may not be
// there next boot (a second disk, an ephemeral disk, anything cloud-init wrote) without
// `nofail` makes systemd wait for the device and drop to emergency mode, and makes
// SysV's mountall fail. Pure functions on the file's text.

export interface FstabLine {
  /** 1-based line number. */
  line: number;
  spec: string;
  file: string;
  vfstype: string;
  options: string[];
}

export function readFstabLines(text: string): FstabLine[] {
  const out: FstabLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const f = t.split(/\s+/);
    if (f.length < 3) return;
    out.push({ line: i + 1, spec: f[0]!, file: f[1]!, vfstype: f[2]!, options: (f[3] ?? 'defaults').split(',') });
  });
  return out;
}

// Disks other than the first one, by kernel name: they come and go with the flavour,
// the volume attachments and the hypervisor's probing order.
const SECONDARY_DISK = /^\/dev\/(?:(?:s|v|xv|h)d[b-z][a-z]*\d*|nvme[1-9]\d*n\d+(?:p\d+)?|sr\d+|cdrom\d*)$/;

/** Why an entry's device may be missing at boot, or null when it is expected to be there. */
export function mayBeMissing(e: FstabLine): string | null {
  if (e.options.includes('comment=cloudconfig')) return 'written by cloud-init for a cloud-provided disk';
  if (/ephemeral/i.test(e.spec) || e.spec.startsWith('/dev/disk/cloud/')) return 'an ephemeral disk, which a new instance or a resize can lose';
  if (SECONDARY_DISK.test(e.spec)) return `${e.spec} is not the boot disk and may be absent or renamed`;
  if (e.vfstype === 'swap' && e.spec.startsWith('/mnt/')) return 'a swap file on the ephemeral disk (/mnt)';
  return null;
}

/** The options nimbus puts on every mount it writes (DESIGN.md: nofail and a device timeout). */
export const SAFE_OPTIONS: readonly string[] = ['nofail', 'x-systemd.device-timeout=10s'];

export interface FstabTrap {
  entry: FstabLine;
  reason: string;
  options: string[];
}

export function fstabTraps(text: string): FstabTrap[] {
  const out: FstabTrap[] = [];
  for (const e of readFstabLines(text)) {
    if (e.options.includes('nofail') || e.options.includes('noauto')) continue;
    const reason = mayBeMissing(e);
    if (reason === null) continue;
    const hasTimeout = e.options.some((o) => o.startsWith('x-systemd.device-timeout='));
    const options = [...e.options, ...SAFE_OPTIONS.filter((o) => !(hasTimeout && o.startsWith('x-systemd.device-timeout=')))];
    out.push({ entry: e, reason, options });
  }
  return out;
}

/** Replaces the options field of the trap lines, keeping every other byte of the file. */
export function addNofail(text: string, traps: readonly FstabTrap[]): string {
  const lines = text.split('\n');
  for (const t of traps) {
    const raw = lines[t.entry.line - 1]!;
    // Each field with the whitespace before it, so the column layout survives the edit.
    const fields = [...raw.matchAll(/(\s*)(\S+)/g)].map((m) => ({ ws: m[1]!, tok: m[2]! }));
    const tail = raw.slice(fields.reduce((n, f) => n + f.ws.length + f.tok.length, 0));
    const opts = t.options.join(',');
    if (fields.length >= 4) fields[3]!.tok = opts;
    else fields.push({ ws: '\t', tok: opts }, { ws: '\t', tok: '0' }, { ws: '\t', tok: '0' });
    lines[t.entry.line - 1] = fields.map((f) => f.ws + f.tok).join('') + tail;
  }
  return lines.join('\n');
}
