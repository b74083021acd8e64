// disk_setup's layouts and fs_setup's command lines, as pure functions: the sfdisk
// script of an MBR layout, the sgdisk steps of a GPT one, the partition types a layout
// asks for, mkfs's force flag and the `cmd` template (cloud-init's Python %-format).

/** A layout entry: a percentage of the disk, or [percentage, partition type]. */
export type LayoutEntry = number | [number, number | string];

/** sfdisk's script for an MBR layout over a disk of `sectors` sectors (cloud-init's format, pure). */
export function mbrScript(sectors: number, layout: true | LayoutEntry[]): string {
  if (layout === true) return ',,83';
  if (layout.length === 0) throw new Error('the partition layout is an empty list');
  if (layout.length > 4) throw new Error('an MBR layout has at most 4 partitions (primary partitions only)');
  return layout
    .map((p, i) => {
      const [percent, type] = Array.isArray(p) ? p : [p, 83];
      if (i === layout.length - 1) return `,,${type}`;
      return `,${Math.trunc(sectors * (percent / 100))},${type}`;
    })
    .join('\n');
}

/** sgdisk's steps for a GPT layout (pure): one -n per partition, a -t where a type is given. */
export function gptSteps(sectors: number, layout: true | LayoutEntry[]): { n: string; t: string | null }[] {
  if (layout === true) return [{ n: '1:0:0', t: null }];
  if (layout.length === 0) throw new Error('the partition layout is an empty list');
  return layout.map((p, i) => {
    const [percent, type] = Array.isArray(p) ? p : [p, null];
    const end = i === layout.length - 1 ? '0' : `+${Math.trunc(sectors * (percent / 100))}`;
    // sgdisk's 4-hex-digit codes: 82 means 8200.
    return { n: `${i + 1}:0:${end}`, t: type === null ? null : `${i + 1}:${String(type).padEnd(4, '0')}` };
  });
}

/** The GPT type GUIDs of the sgdisk codes a layout usually names (udev reports the GUID). */
const GPT_CODES: Record<string, string> = {
  '0fc63daf-8483-4772-8e79-3d69d8477de4': '83',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': '82',
  'e6d6d379-f507-44c2-a23c-238f2a3df928': '8e',
  'a19d880f-05fc-4d3b-a006-743f0f84911e': 'fd',
  'c12a7328-f81f-11d2-ba4b-00a0c93ec93b': 'ef',
  '21686148-6449-6e6f-744e-656564454649': 'ef02',
  'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7': '07',
};

/** A partition's type as a layout writes it (83, 82, ef02), from udev's ID_PART_ENTRY_TYPE (pure). */
export function layoutTypeOf(table: 'mbr' | 'gpt', partType: string | null): string | null {
  if (partType === null) return null;
  if (table === 'mbr')
    return partType
      .replace(/^0x/i, '')
      .replace(/^0+(?=.)/, '')
      .toLowerCase();
  return GPT_CODES[partType.toLowerCase()] ?? partType.toLowerCase();
}

/**
 * Whether the partitions found already are the layout asked for (cloud-init's
 * check_partition_layout): `true` asks for at least one partition; a list for as many
 * partitions, of the types it names (pure).
 */
export function layoutMatches(layout: true | LayoutEntry[], found: (string | null)[]): boolean {
  if (layout === true) return found.length >= 1;
  if (found.length !== layout.length) return false;
  return layout.every(
    (p, i) =>
      !Array.isArray(p) ||
      String(p[1])
        .toLowerCase()
        .replace(/^0+(?=.)/, '') === String(found[i]),
  );
}

/** mkfs's flag to write over what a device holds, per filesystem (cloud-init's lookup_force_flag). */
export function forceFlag(fs: string): string | null {
  const f = fs.toLowerCase();
  if (f.includes('ext')) return '-F';
  return ['btrfs', 'xfs', 'reiserfs', 'swap'].includes(f) ? '-f' : null;
}

/** A value as one word for sh (pure). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * fs_setup's `cmd` with %(label)s, %(filesystem)s and %(device)s filled in, as
 * cloud-init's Python %-format does (%% is a percent sign). Each value goes through
 * `quote` so that a label never becomes shell syntax; any other % sequence is an error
 * (Python would raise too) (pure).
 */
export function fillCmdTemplate(template: string, values: Record<'label' | 'filesystem' | 'device', string | null>, quote: (s: string) => string): string {
  return template.replace(/%(\((\w*)\)s|%|.?)/g, (_m, _all: string, key: string | undefined) => {
    if (_all === '%') return '%';
    if (key === undefined) throw new Error(`cmd has a % that is not %(label)s, %(filesystem)s, %(device)s or %%`);
    if (!(key in values)) throw new Error(`cmd names %(${key})s: only label, filesystem and device can be filled in`);
    // Python's % turns None into the word None.
    return quote(values[key as 'label'] ?? 'None');
  });
}
