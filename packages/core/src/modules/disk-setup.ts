// disk_setup and fs_setup: partition tables (MBR through sfdisk, GPT through sgdisk) and
// filesystems (mkfs.<type>, or the user's `cmd`) on the disks a cloud gives, once per
// instance. Names go through device_aliases and the datasource (ephemeral0 → the disk
// the metadata maps it to). What a disk already holds is read from the tree
// (/sys/class/block and udev's /run/udev/data, lib/disk-facts.ts), and anything that
// holds a partition table or a filesystem is left alone unless `overwrite` (or
// `replace_fs` naming that filesystem) says otherwise; a device whose content is not
// known is left alone too. Commands go through `host`, so temp roots record them.
import type { Module, ModuleContext, Z } from './types.js';
import { isDict } from '../config/merge.js';
import { treeIsRunning, failure } from './lib/tree-exec.js';
import { realPath } from './lib/block-device.js';
import { type BlockFacts, enumerateDisk, factsOf, partitionsOf, sectorsOf, whichIn } from './lib/disk-facts.js';
import { fillCmdTemplate, forceFlag, gptSteps, type LayoutEntry, layoutMatches, layoutTypeOf, mbrScript, shellQuote } from './lib/disk-layout.js';

export const diskSetupSchema = (z: Z) => {
  const entry = z.union([z.number().int(), z.tuple([z.number().int(), z.union([z.number().int(), z.string()])])]);
  return z.object({
    device_aliases: z.record(z.string(), z.string()).optional(),
    disk_setup: z
      .record(
        z.string(),
        z
          .object({
            table_type: z.enum(['mbr', 'gpt']).optional(),
            layout: z.union([z.literal('remove'), z.boolean(), z.array(entry)]).optional(),
            overwrite: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    fs_setup: z
      .array(
        z
          .object({
            label: z.string().optional(),
            filesystem: z.string().optional(),
            device: z.string().optional(),
            partition: z.union([z.enum(['auto', 'any', 'none']), z.number().int(), z.string().regex(/^\d+$/)]).optional(),
            overwrite: z.boolean().optional(),
            replace_fs: z.string().optional(),
            extra_opts: z.union([z.array(z.string()), z.string()]).optional(),
            cmd: z.union([z.array(z.string()), z.string()]).optional(),
          })
          .strict(),
      )
      .optional(),
  });
};

/** A path or name with nothing a device name never has (a blank, a control character, ..). */
const SAFE_NAME = /^[^\s\0]+$/;
const META_NAME = /^(ephemeral\d*|ebs\d*|swap|root|ami)$/;

class Problems {
  readonly list: string[] = [];
  add(msg: string): void {
    this.list.push(msg);
  }
}

/**
 * A name through the datasource, as cloud-init's device_name_to_device: EC2's
 * block-device-mapping for ephemeral0/swap/..., Azure's resource disk link.
 */
function dsDevice(ctx: ModuleContext, name: string): string | null {
  if (!META_NAME.test(name)) return null;
  if (ctx.ds.dsname === 'Azure' && name === 'ephemeral0') return '/dev/disk/cloud/azure_resource';
  // SmartOS's disk_aliases default: a KVM guest's ephemeral disk is the second virtio disk.
  if (ctx.ds.dsname === 'SmartOS' && name === 'ephemeral0') return '/dev/vdb';
  const bdm = ctx.ds.ec2Metadata?.['block-device-mapping'];
  const mapped = isDict(bdm) ? bdm[name] : undefined;
  if (typeof mapped !== 'string' || mapped === '') return null;
  const dev = mapped.startsWith('/') ? mapped : `/dev/${mapped}`;
  // EC2 names sdX; Xen and KVM guests see xvdX or vdX.
  if (ctx.host.fs.exists(dev)) return dev;
  const m = /^\/dev\/(?:sd|xvd|vd)([a-z]\d*)$/.exec(dev);
  return (m === null ? undefined : ['xvd', 'vd', 'sd'].map((p) => `/dev/${p}${m[1] as string}`).find((d) => ctx.host.fs.exists(d))) ?? dev;
}

/** cloud-init's alias_to_device: the alias's target (or the name) through the datasource, else the alias, else nothing. */
function aliasToDevice(ctx: ModuleContext, aliases: Record<string, string>, name: string): string | null {
  const alias = aliases[name];
  return dsDevice(ctx, alias ?? name) ?? alias ?? null;
}

function settle(ctx: ModuleContext): void {
  if (ctx.host.exec.has('udevadm')) ctx.host.exec.run(['udevadm', 'settle']);
}

/** cloud-init's read_parttbl: the kernel reads the new table (partprobe, else blockdev), between two settles. */
function rereadTable(ctx: ModuleContext, dev: string): void {
  settle(ctx);
  const why = failure(ctx.host.exec.run(ctx.host.exec.has('partprobe') ? ['partprobe', dev] : ['blockdev', '--rereadpt', dev]));
  if (why !== null) ctx.log.warn(`reading the new partition table of ${dev} failed: ${why}`);
  settle(ctx);
}

function runOrThrow(ctx: ModuleContext, argv: string[], what: string, stdin?: string): void {
  const why = failure(ctx.host.exec.run(argv, stdin === undefined ? {} : { stdin }));
  if (why !== null) throw new Error(`${what}: ${argv.join(' ')} failed: ${why}`);
}

function what(f: BlockFacts): string {
  const bits = [
    f.ptable !== null ? `a ${f.ptable} partition table` : null,
    f.fstype !== null ? `a ${f.fstype} filesystem${f.label !== null ? ` labelled ${JSON.stringify(f.label)}` : ''}` : null,
  ].filter((b) => b !== null);
  return bits.join(' and ');
}

function partitionDisk(ctx: ModuleContext, disk: string, def: Record<string, unknown>, where: (k?: string) => string): void {
  const layout = def.layout ?? false;
  const table = def.table_type ?? 'mbr';
  const overwrite = def.overwrite ?? false;
  if (table !== 'mbr' && table !== 'gpt') throw new Error(`${where('table_type')}disk_setup table_type ${JSON.stringify(table)} is not mbr or gpt`);
  if (typeof overwrite !== 'boolean') throw new Error(`${where('overwrite')}disk_setup overwrite must be true or false`);
  if (layout === 'remove') throw new Error(`${where('layout')}not supported: disk_setup layout "remove" (purging a disk's partition table)`);
  const okEntry = (p: unknown) =>
    (Number.isInteger(p) && (p as number) > 0) ||
    (Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && p[0] > 0 && (Number.isInteger(p[1]) || (typeof p[1] === 'string' && /^[0-9A-Fa-f]{1,4}$/.test(p[1]))));
  if (typeof layout !== 'boolean' && !(Array.isArray(layout) && layout.every(okEntry))) {
    throw new Error(`${where('layout')}disk_setup layout must be true, false, or a list of percentages or [percentage, partition type]`);
  }
  if (layout === false || (Array.isArray(layout) && layout.length === 0)) {
    ctx.log.debug(`disk_setup: ${disk} is not to be partitioned (layout ${JSON.stringify(layout)})`);
    return;
  }
  const lay = layout as true | LayoutEntry[];
  if (table === 'mbr' && Array.isArray(lay) && lay.length > 4) throw new Error(`${where('layout')}an MBR layout has at most 4 partitions`);
  // A missing disk is the cloud's doing, not the user's: said, as cloud-init says it, and the rest goes on.
  if (!ctx.host.fs.exists(disk)) {
    ctx.log.warn(`${where()}disk_setup: ${disk} does not exist: not partitioned`);
    return;
  }
  settle(ctx);
  const dev = realPath(ctx.host, disk);
  const facts = factsOf(ctx.host, dev);
  if (facts === null || facts.kind !== 'disk') throw new Error(`${where()}disk_setup: ${dev} is not a disk device${facts === null ? ' (no /sys/class/block entry)' : ' (it is a partition)'}`);
  // cloud-init has the kernel read an MBR disk's table again before it compares layouts.
  if (table === 'mbr' && treeIsRunning(ctx)) rereadTable(ctx, dev);
  const parts = partitionsOf(ctx.host, dev);
  if (
    layoutMatches(
      lay,
      parts.map((p) => layoutTypeOf(table, p.partType)),
    )
  ) {
    ctx.log.info(`disk_setup: ${dev} already has the partitions asked for`);
    return;
  }
  if (!overwrite) {
    const used = parts.length > 0 ? `${parts.length} partition(s)` : facts.ptable !== null || facts.fstype !== null ? what(facts) : !facts.probed ? null : '';
    if (used === null) {
      ctx.log.warn(`disk_setup: ${dev} left alone: udev has no record of it (/run/udev/data), so whether it holds data is unknown (overwrite: true partitions it anyway)`);
      return;
    }
    if (used !== '') {
      ctx.log.info(`disk_setup: ${dev} left alone: it holds ${used} (overwrite: true replaces them)`);
      return;
    }
  }
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`disk_setup: ${ctx.host.root} is not the running system: ${dev} not partitioned`);
    return;
  }
  const sectors = sectorsOf(ctx.host, dev);
  if (sectors === null) throw new Error(`${where()}disk_setup: the size of ${dev} is unknown (no /sys/class/block size)`);
  if (table === 'mbr') {
    runOrThrow(ctx, ['sfdisk', '--force', dev], `partitioning ${dev}`, `${mbrScript(sectors, lay)}\n`);
  } else {
    runOrThrow(ctx, ['sgdisk', '-Z', dev], `partitioning ${dev}`);
    for (const step of gptSteps(sectors, lay)) {
      runOrThrow(ctx, ['sgdisk', '-n', step.n, dev], `partitioning ${dev}`);
      if (step.t !== null) runOrThrow(ctx, ['sgdisk', '-t', step.t, dev], `partitioning ${dev}`);
    }
  }
  rereadTable(ctx, dev);
  ctx.log.info(`disk_setup: wrote a ${table} partition table on ${dev}`);
}

type Target = { dev: string; facts: BlockFacts | null } | { skip: string };

/** cloud-init's find_device_node for partition auto/any: a filesystem that matches, else the first free partition, else the bare disk. */
function findNode(ctx: ModuleContext, device: string, fs: string | null, label: string | null, labelMatch: boolean, replaceFs: string | null, overwrite: boolean): Target | { reuse: string } {
  const all = enumerateDisk(ctx.host, device);
  if (all.length === 0) return { skip: `${device} is not a block device (no /sys/class/block entry)` };
  const unknown = all.find((d) => !d.probed);
  if (unknown !== undefined && !overwrite) return { skip: `udev has no record of ${unknown.dev} (/run/udev/data), so whether it holds data is unknown` };
  let rawUsed = false;
  for (const d of all) {
    if (replaceFs !== null && d.fstype === replaceFs && !labelMatch) return { dev: d.dev, facts: d };
    if (fs !== null && d.fstype === fs && (!labelMatch || (d.label ?? '') === (label ?? ''))) return { reuse: d.dev };
    if (d.kind !== 'disk' || d.fstype !== null || d.ptable !== null) rawUsed = true;
    if (d.kind === 'part' && d.fstype === null) return { dev: d.dev, facts: d };
  }
  if (!rawUsed || overwrite) return { dev: all[0]?.dev as string, facts: all[0] ?? null };
  return { skip: `no free partition on ${device}: each holds a filesystem and none is ${fs ?? '(no filesystem)'}${labelMatch ? ` labelled ${JSON.stringify(label ?? '')}` : ''}` };
}

/** An explicit device (a partition number, or partition none): refused when it holds anything, unless overwrite or replace_fs allow it. */
function checkExplicit(dev: string, f: BlockFacts | null, fs: string | null, label: string | null, replaceFs: string | null, overwrite: boolean, raw: boolean): Target | { reuse: string } {
  if (f === null) return { skip: `${dev} does not exist or is not a block device` };
  if (overwrite) return { dev, facts: f };
  if (!f.probed) return { skip: `udev has no record of ${dev} (/run/udev/data), so whether it holds data is unknown` };
  if (!raw && f.fstype !== null && f.fstype === fs && f.label === label) return { reuse: dev };
  if (f.fstype !== null && f.fstype === replaceFs) return { dev, facts: f };
  if (f.fstype !== null || f.ptable !== null) return { skip: `${dev} holds ${what(f)} (overwrite: true, or replace_fs: ${f.fstype ?? '<type>'}, replaces it)` };
  return { dev, facts: f };
}

function str(v: unknown, where: string, key: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Error(`${where}fs_setup ${key} must be a string`);
  return v;
}

function makeFs(ctx: ModuleContext, e: Record<string, unknown>, aliases: Record<string, string>, where: (k?: string) => string): void {
  const label = str(e.label, where('label'), 'label');
  const fs = str(e.filesystem, where('filesystem'), 'filesystem');
  const replaceFs = str(e.replace_fs, where('replace_fs'), 'replace_fs');
  let device = str(e.device, where('device'), 'device');
  const overwrite = e.overwrite ?? false;
  if (typeof overwrite !== 'boolean') throw new Error(`${where('overwrite')}fs_setup overwrite must be true or false`);
  const opts = e.extra_opts === undefined ? [] : typeof e.extra_opts === 'string' ? e.extra_opts.split(/\s+/).filter((s) => s !== '') : e.extra_opts;
  if (!Array.isArray(opts) || opts.some((o) => typeof o !== 'string')) throw new Error(`${where('extra_opts')}fs_setup extra_opts must be a string or a list of strings`);
  const cmd = e.cmd;
  if (cmd !== undefined && typeof cmd !== 'string' && !(Array.isArray(cmd) && cmd.length > 0 && cmd.every((c) => typeof c === 'string'))) {
    throw new Error(`${where('cmd')}fs_setup cmd must be a string (run by sh) or a list of strings (an argv)`);
  }
  if (fs !== null && !/^[A-Za-z0-9_.+-]+$/.test(fs)) throw new Error(`${where('filesystem')}fs_setup filesystem ${JSON.stringify(fs)} is not a filesystem type name`);
  if (label !== null && /[\0\n]/.test(label)) throw new Error(`${where('label')}fs_setup label holds a control character`);
  if (device === null) throw new Error(`${where()}fs_setup entry has no device`);
  if (!SAFE_NAME.test(device)) throw new Error(`${where('device')}fs_setup device ${JSON.stringify(device)} is not a device name`);
  let partition = e.partition === undefined ? 'any' : String(e.partition);
  if (!/^(\d*|auto|any|none)$/i.test(partition)) throw new Error(`${where('partition')}fs_setup partition ${JSON.stringify(e.partition)} is not a partition number, auto, any or none`);
  // <name>.<N>: partition N of the named device, overriding `partition`.
  const dot = /^(.+)\.(\d+)$/.exec(device);
  if (dot !== null) {
    device = dot[1] as string;
    if (e.partition !== undefined) ctx.log.warn(`${where('device')}fs_setup: the partition ${dot[2]} of ${e.device as string} overrides partition: ${String(e.partition)}`);
    partition = dot[2] as string;
  }
  device = aliasToDevice(ctx, aliases, device) ?? device;
  if (fs === null && cmd === undefined) throw new Error(`${where()}fs_setup entry for ${device} has neither filesystem nor cmd: no way to create a filesystem`);
  if (!ctx.host.fs.exists(device)) {
    ctx.log.warn(`${where('device')}fs_setup: ${device} does not exist: no ${fs ?? ''} filesystem made`);
    return;
  }
  settle(ctx);
  let dev = realPath(ctx.host, device);
  let target: Target | { reuse: string };
  const p = partition.toLowerCase();
  if (/^\d*$/.test(p)) {
    if (p !== '') dev = `${dev}${/\d$/.test(dev) ? 'p' : ''}${p}`;
    target = checkExplicit(dev, factsOf(ctx.host, dev), fs, label, replaceFs, overwrite, false);
  } else if (p === 'auto' || p === 'any') {
    target = findNode(ctx, dev, fs, label, p === 'auto', replaceFs, overwrite);
  } else {
    target = checkExplicit(dev, factsOf(ctx.host, dev), fs, label, replaceFs, overwrite, true);
  }
  if ('reuse' in target) {
    ctx.log.info(`fs_setup: ${target.reuse} already has the ${fs} filesystem${label !== null ? ` labelled ${JSON.stringify(label)}` : ''}: left as it is`);
    return;
  }
  if ('skip' in target) {
    ctx.log.info(`fs_setup: ${label ?? fs ?? 'entry'} not created: ${target.skip}`);
    return;
  }
  if (!treeIsRunning(ctx)) {
    ctx.log.info(`fs_setup: ${ctx.host.root} is not the running system: no filesystem made on ${target.dev}`);
    return;
  }
  let argv: string[];
  if (cmd !== undefined) {
    if (overwrite) ctx.log.warn(`${where('overwrite')}fs_setup overwrite ignored because cmd is given`);
    if (opts.length > 0) ctx.log.warn(`${where('extra_opts')}fs_setup extra_opts ignored because cmd is given`);
    const values = { label, filesystem: fs, device: target.dev };
    try {
      // A string is a shell command as in cloud-init, with each value quoted for sh;
      // a list is an argv, each element filled in on its own.
      argv = typeof cmd === 'string' ? ['sh', '-c', fillCmdTemplate(cmd, values, shellQuote)] : (cmd as string[]).map((c) => fillCmdTemplate(c, values, (s) => s));
    } catch (err) {
      throw new Error(`${where('cmd')}fs_setup ${(err as Error).message}`);
    }
  } else {
    const mkfs = whichIn(ctx.host, `mkfs.${fs}`) ?? whichIn(ctx.host, `mk${fs}`);
    if (mkfs === null) {
      ctx.log.warn(`${where('filesystem')}fs_setup: cannot create a ${fs} filesystem: no mkfs.${fs} in the image`);
      return;
    }
    argv = [mkfs];
    if (label !== null && label !== '') argv.push('-L', label);
    const force = forceFlag(fs as string);
    if (overwrite || target.facts?.kind === 'disk') {
      if (force !== null) argv.push(force);
      else ctx.log.warn(`fs_setup: the force flag of mkfs.${fs} is unknown`);
    }
    argv.push(...(opts as string[]), target.dev);
  }
  runOrThrow(ctx, argv, `creating ${fs ?? 'a'} filesystem on ${target.dev}`);
  ctx.log.info(`fs_setup: made ${fs ?? 'a filesystem (cmd)'}${label !== null ? ` labelled ${JSON.stringify(label)}` : ''} on ${target.dev}`);
}

function run(ctx: ModuleContext): void {
  const problems = new Problems();
  const rawAliases = ctx.cfg.device_aliases ?? {};
  if (!isDict(rawAliases) || Object.values(rawAliases).some((v) => typeof v !== 'string' || !SAFE_NAME.test(v))) {
    throw new Error(`${ctx.source.where(['device_aliases'])}device_aliases must map names to device paths`);
  }
  const aliases = rawAliases as Record<string, string>;
  const ds = ctx.cfg.disk_setup;
  if (ds !== undefined && ds !== null) {
    if (!isDict(ds)) problems.add(`${ctx.source.where(['disk_setup'])}disk_setup must be a mapping of devices to their partitioning`);
    else {
      for (const [name, def] of Object.entries(ds)) {
        const where = (k?: string) => ctx.source.where(k === undefined ? ['disk_setup', name] : ['disk_setup', name, k]);
        try {
          if (!isDict(def)) throw new Error(`${where()}disk_setup ${name} must be a mapping (table_type, layout, overwrite)`);
          const unknown = Object.keys(def).filter((k) => !['table_type', 'layout', 'overwrite'].includes(k));
          if (unknown.length > 0) throw new Error(`${where(unknown[0])}disk_setup ${name}: unknown key ${unknown[0]}`);
          if (!SAFE_NAME.test(name)) throw new Error(`${where()}disk_setup ${JSON.stringify(name)} is not a device name`);
          const disk = aliasToDevice(ctx, aliases, name) ?? name;
          partitionDisk(ctx, disk, def, where);
        } catch (err) {
          problems.add((err as Error).message);
        }
      }
    }
  }
  const fsl = ctx.cfg.fs_setup;
  if (fsl !== undefined && fsl !== null) {
    if (!Array.isArray(fsl)) problems.add(`${ctx.source.where(['fs_setup'])}fs_setup must be a list of filesystems`);
    else {
      fsl.forEach((e: unknown, i: number) => {
        const where = (k?: string) => ctx.source.where(k === undefined ? ['fs_setup', i] : ['fs_setup', i, k]);
        try {
          if (!isDict(e)) throw new Error(`${where()}fs_setup entry must be a mapping`);
          const unknown = Object.keys(e).filter((k) => !['label', 'filesystem', 'device', 'partition', 'overwrite', 'replace_fs', 'extra_opts', 'cmd'].includes(k));
          if (unknown.length > 0) throw new Error(`${where(unknown[0])}fs_setup: unknown key ${unknown[0]}`);
          makeFs(ctx, e, aliases, where);
        } catch (err) {
          problems.add((err as Error).message);
        }
      });
    }
  }
  if (problems.list.length > 0) throw new Error(problems.list.join('\n'));
}

export const diskSetup: Module = {
  name: 'disk_setup',
  frequency: 'once-per-instance',
  keys: ['disk_setup', 'fs_setup'],
  schema: diskSetupSchema,
  examples: [
    '#cloud-config\ndevice_aliases:\n  my_alias: /dev/sdb\n  swap_disk: /dev/sdc\ndisk_setup:\n  /dev/sdd: {layout: true, overwrite: true, table_type: mbr}\n  my_alias:\n    layout: [50, 50]\n    overwrite: true\n    table_type: gpt\n  swap_disk:\n    layout:\n      - [100, 82]\n    overwrite: true\n    table_type: gpt\nfs_setup:\n  - {cmd: "mkfs -t %(filesystem)s -L %(label)s %(device)s", device: my_alias.1, filesystem: ext4, label: fs1}\n  - {device: my_alias.2, filesystem: ext4, label: fs2}\n  - {device: swap_disk.1, filesystem: swap, label: swap}\n  - {device: /dev/sdd1, filesystem: ext4, label: fs3}\nmounts:\n  - [my_alias.1, /mnt1]\n  - [my_alias.2, /mnt2]\n  - [swap_disk.1, none, swap, sw, "0", "0"]\n  - [/dev/sdd1, /mnt3]\n',
    '#cloud-config\ndisk_setup:\n  ephemeral0:\n    table_type: mbr\n    layout: true\n    overwrite: false\nfs_setup:\n  - label: ephemeral0\n    filesystem: ext4\n    device: ephemeral0\n    partition: auto\n',
  ],
  run,
};
