// `nimbus try`: a first boot (and with --second-boot a reboot) of a throwaway machine,
// every command recorded, nothing run: the tree is a copy of the image (or a stock
// distro skeleton) with a seed made of the user's files, and the four stages run on it
// in this process exactly as the daemons run them. What they did becomes the plan.
import * as nodePath from 'node:path';
import { createHost, type Host } from '../host/host.js';
import type { ScratchTree } from '../host/rootfs.js';
import { COMMAND_RECORD, type RecordedCommand } from '../host/exec.js';
import { copyImageTree, makeScratchDir, readTreeFile, removeScratchDir, snapshotTree, writeTreeFiles, type TreeFile, type TreeSnapshot } from '../host/scratch-tree.js';
import { disabledReason, openStage } from '../stages/env.js';
import { guarded } from '../stages/guard.js';
import { WHOLE_BOOT } from '../stages/whole-boot.js';
import { NETWORK_STATE } from '../stages/network.js';
import { statusReport } from '../state/status-report.js';
import { nicFiles, skeletonFiles, TRY_DISTROS, TRY_NIC, type TryDistro } from './distros.js';
import { unifiedDiff } from './diff.js';
import { maskArgv, maskSecrets } from './mask.js';
import { locateMessage } from './locate.js';
import {
  accountsOf,
  changesBetween,
  isNetworkFile,
  isStatePath,
  isText,
  keysIn,
  modeText,
  networkOf,
  ownerText,
  packagesOf,
  worseExit,
  type BootPlan,
  type PlanCommand,
  type PlanFile,
  type PlanMessage,
  type PlanStage,
  type TryPlan,
} from './plan.js';

/** One input file: where the user has it, and its bytes. */
export interface TryInput {
  path: string;
  bytes: Uint8Array;
}

export interface TryOptions {
  /** A user-data file, or a seed directory (a config drive tree or a NoCloud seed). */
  userData?: TryInput;
  seedDir?: { path: string; kind: 'config-drive' | 'nocloud' };
  metaData?: TryInput;
  vendorData?: TryInput;
  networkConfig?: TryInput;
  /** A distro name of TRY_DISTROS; ignored when `image` is given. */
  distro?: string;
  /** An unpacked image tree: copied, never changed. */
  image?: string;
  secondBoot?: boolean;
  showSecrets?: boolean;
  /** Leave the tree in place (its path is returned) instead of removing it. */
  keep?: boolean;
}

export class TryError extends Error {}

const DEFAULT_META = 'instance-id: iid-nimbus-try\n';
/** The drop-in that makes the seed the datasource (read last: 99-). */
const TRY_CFG = '/etc/cloud/cloud.cfg.d/99-nimbus-try.cfg';

/** The seed files: a NoCloud seed from the inputs, or the user's seed directory copied. */
function seedFiles(o: TryOptions): TreeFile[] {
  const dir = '/var/lib/cloud/seed/nocloud';
  const files: TreeFile[] = [{ kind: 'file', path: `${dir}/meta-data`, content: o.metaData?.bytes ?? DEFAULT_META }];
  if (o.userData) files.push({ kind: 'file', path: `${dir}/user-data`, content: o.userData.bytes, mode: 0o600 });
  if (o.vendorData) files.push({ kind: 'file', path: `${dir}/vendor-data`, content: o.vendorData.bytes, mode: 0o600 });
  if (o.networkConfig) files.push({ kind: 'file', path: `${dir}/network-config`, content: o.networkConfig.bytes });
  return files;
}

/** The in-tree files a message may name, mapped to the user's own files. */
function sourceNames(o: TryOptions, instanceDir: string | null, userDataHead: string): Map<string, string> {
  const m = new Map<string, string>();
  const seed = '/var/lib/cloud/seed/nocloud';
  let userPath = o.userData?.path;
  let vendorPath = o.vendorData?.path;
  if (o.seedDir?.kind === 'config-drive') {
    userPath = `${o.seedDir.path}/openstack/latest/user_data`;
    vendorPath = `${o.seedDir.path}/openstack/latest/vendor_data.json`;
    m.set('/var/lib/cloud/seed/config_drive', o.seedDir.path);
  } else if (o.seedDir?.kind === 'nocloud') {
    userPath = `${o.seedDir.path}/user-data`;
    vendorPath = `${o.seedDir.path}/vendor-data`;
    m.set(seed, o.seedDir.path);
  } else {
    if (o.userData) m.set(`${seed}/user-data`, o.userData.path);
    if (o.metaData) m.set(`${seed}/meta-data`, o.metaData.path);
    if (o.vendorData) m.set(`${seed}/vendor-data`, o.vendorData.path);
    if (o.networkConfig) m.set(`${seed}/network-config`, o.networkConfig.path);
  }
  if (instanceDir !== null) {
    if (userPath) {
      m.set(`${instanceDir}/user-data.txt`, userPath);
      // cloud-config.txt keeps the user's lines when the user-data is one cloud-config
      // (else it is the merge of the parts, whose lines are no file's).
      if (userDataHead.startsWith('#cloud-config')) m.set(`${instanceDir}/cloud-config.txt`, userPath);
    }
    if (vendorPath) {
      m.set(`${instanceDir}/vendor-data.txt`, vendorPath);
      m.set(`${instanceDir}/vendor-cloud-config.txt`, vendorPath);
    }
  }
  return m;
}

function readCommands(host: Host, from: number): { commands: RecordedCommand[]; end: number } {
  const bytes = host.fs.read(COMMAND_RECORD);
  if (bytes === null) return { commands: [], end: 0 };
  const text = bytes.subarray(from).toString('utf8');
  const commands = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RecordedCommand);
  return { commands, end: bytes.length };
}

interface BootContext {
  root: string;
  opts: TryOptions;
  /** The content a path had before this boot (the image's, or what an earlier boot left). */
  before: (p: string) => Buffer | null;
  shown: (text: string, path?: string) => string;
  /** Owners the stages asked for and this process (not root) could not give. */
  scratch: ScratchTree;
}

async function boot(n: number, title: string, c: BootContext): Promise<{ plan: BootPlan; after: TreeSnapshot }> {
  const { root } = c;
  removeScratchDir(nodePath.join(root, 'run')); // a reboot empties /run
  const snapBefore = snapshotTree(root);
  const probe = createHost({ root, exec: 'record', scratch: c.scratch });
  let offset = probe.fs.read(COMMAND_RECORD)?.length ?? 0;
  const stages: PlanStage[] = [];
  const commands: PlanCommand[] = [];
  const rawMessages: { stage: string; level: PlanMessage['level']; text: string }[] = [];
  const disabled = disabledReason(probe);
  if (disabled !== null) rawMessages.push({ stage: 'init-local', level: 'error', text: `nimbus is ${disabled} in this image: a boot would configure nothing` });
  for (const s of disabled === null ? WHOLE_BOOT : []) {
    const host = createHost({ root, exec: 'record', scratch: c.scratch });
    const t0 = host.clock.monotonicMs();
    const env = openStage(host, s.name, { quiet: true });
    const r = await guarded(env, s.name, () => s.run(env), { code: 1, modules: [] });
    stages.push({ name: s.name, exitCode: r.code, ms: Math.round(host.clock.monotonicMs() - t0), modules: r.modules.map((m) => ({ name: m.name, outcome: m.outcome, reason: m.reason })) });
    for (const e of env.log.report.errors) rawMessages.push({ stage: s.name, level: 'error', text: e });
    for (const w of env.log.report.recoverable.WARNING) rawMessages.push({ stage: s.name, level: 'warning', text: w });
    for (const d of env.log.report.recoverable.DEPRECATED) rawMessages.push({ stage: s.name, level: 'deprecated', text: d });
    const rec = readCommands(host, offset);
    offset = rec.end;
    for (const cmd of rec.commands) {
      const pc: PlanCommand = { stage: s.name, argv: c.opts.showSecrets ? cmd.argv : maskArgv(cmd.argv) };
      if (cmd.env) pc.env = cmd.env;
      if (cmd.stdin) pc.stdin = cmd.stdin;
      const exe = cmd.argv[0] ?? '';
      if (exe.startsWith('/var/lib/cloud/')) {
        const script = readTreeFile(root, exe);
        if (script !== null && isText(script)) pc.script = c.shown(script.toString('utf8'));
      }
      commands.push(pc);
    }
  }
  const host = createHost({ root, exec: 'record', scratch: c.scratch });
  const report = statusReport(host);
  const snapAfter = snapshotTree(root);
  const instanceDir = host.fs.readlink('/var/lib/cloud/instance');
  const stored = instanceDir === null ? null : readTreeFile(root, `${instanceDir}/user-data.txt`);
  const names = sourceNames(c.opts, instanceDir, stored === null ? '' : stored.subarray(0, 20).toString('utf8'));
  const messages = rawMessages.map((m): PlanMessage => {
    const loc = locateMessage(c.shown(m.text.split(root).join('<tree>')), names);
    return { stage: m.stage, level: m.level, text: loc.text, ...(loc.at ? { at: loc.at } : {}) };
  });
  const changes = changesBetween(snapBefore, snapAfter);
  const passwd = host.fs.readText('/etc/passwd') ?? '';
  const group = host.fs.readText('/etc/group') ?? '';
  const asRoot = process.geteuid?.() === 0;
  const files: PlanFile[] = [];
  const state: string[] = [];
  const keys: BootPlan['keys'] = [];
  for (const ch of changes) {
    if (isStatePath(ch.path)) {
      if (ch.after?.kind !== 'dir' || ch.change === 'removed') state.push(ch.path);
      continue;
    }
    const e = ch.after ?? ch.before!;
    const f: PlanFile = { path: ch.path, change: ch.change, kind: e.kind, mode: ch.after && ch.after.kind !== 'link' ? modeText(ch.after.mode) : null, size: ch.after?.size ?? 0 };
    if (ch.after !== undefined && ch.after.kind !== 'link') {
      // Not root, this process owns what it wrote; the boot (root) would own it, or give it the owner asked for.
      const owner = c.scratch.owners.get(ch.path) ?? (asRoot ? { uid: ch.after.uid, gid: ch.after.gid } : { uid: 0, gid: 0 });
      f.owner = ownerText(owner, passwd, group);
    }
    if (ch.after?.target !== undefined) f.target = ch.after.target;
    if (e.kind === 'file') {
      const old = ch.before?.kind === 'file' ? c.before(ch.path) : null;
      const now = ch.after?.kind === 'file' ? readTreeFile(root, ch.path) : null;
      if ((old !== null && !isText(old)) || (now !== null && !isText(now))) f.binary = true;
      else {
        const diff = unifiedDiff(old === null ? null : c.shown(old.toString('utf8'), ch.path), now === null ? null : c.shown(now.toString('utf8'), ch.path), `image${ch.path}`, `boot${ch.path}`);
        if (diff !== '') f.diff = diff;
      }
      if (now !== null && /\/authorized_keys2?$/.test(ch.path)) keys.push({ file: ch.path, keys: keysIn(now.toString('utf8')) });
    }
    files.push(f);
  }
  const netRec = host.fs.readText(NETWORK_STATE);
  const netFiles = files.filter((f) => isNetworkFile(f.path)).map((f) => f.path);
  const network = netRec === null || !changes.some((ch) => ch.path === NETWORK_STATE) ? null : networkOf(JSON.parse(netRec), netFiles);
  if (network !== null) network.source = locateMessage(network.source, names).text;
  const { users, groups } = accountsOf(commands);
  const plan: BootPlan = {
    boot: n,
    title,
    status: disabled !== null ? 'disabled' : report.exitCode === 2 ? 'degraded' : report.status,
    exitCode: disabled !== null ? 1 : report.exitCode,
    stages,
    files,
    state,
    users,
    groups,
    keys,
    packages: [...new Set(commands.flatMap((c2) => packagesOf(c2.argv)))],
    network,
    commands,
    messages,
  };
  return { plan, after: snapAfter };
}

/** Runs the boot(s) and returns the plan. Throws TryError for inputs it cannot use. */
export async function runTry(o: TryOptions): Promise<{ plan: TryPlan; tree: string | null }> {
  if (o.image !== undefined && o.distro !== undefined) throw new TryError('give --distro or --image, not both');
  const distro = o.image === undefined ? TRY_DISTROS.find((d) => d.name === (o.distro ?? 'debian')) : undefined;
  if (o.image === undefined && distro === undefined) throw new TryError(`--distro ${o.distro}: not supported; one of ${TRY_DISTROS.map((d) => d.name).join(', ')}`);
  if (o.seedDir !== undefined && (o.metaData || o.vendorData || o.networkConfig))
    throw new TryError(`${o.seedDir.path} is a seed directory: its own meta-data, vendor-data and network config are used, so --meta-data, --vendor-data and --network-config cannot be given with it`);
  const root = makeScratchDir('nimbus-try-');
  const scratch: ScratchTree = { owners: new Map() };
  try {
    // What try itself writes into the tree is "the image's version" of those files too.
    const written = new Map<string, Buffer>();
    const write = (files: TreeFile[]) => {
      writeTreeFiles(root, files);
      for (const f of files) if (f.kind === 'file') written.set(f.path, Buffer.from(f.content));
    };
    if (o.image !== undefined) copyImageTree(o.image, root);
    else write(skeletonFiles(distro as TryDistro));
    const probe = createHost({ root, exec: 'record', scratch });
    if (probe.fs.list('/sys/class/net').length === 0) write(nicFiles(TRY_NIC.name, TRY_NIC.mac));
    if (o.seedDir !== undefined) {
      const to = o.seedDir.kind === 'config-drive' ? '/var/lib/cloud/seed/config_drive' : '/var/lib/cloud/seed/nocloud';
      probe.fs.remove(to);
      probe.fs.mkdir(to);
      copyImageTree(o.seedDir.path, nodePath.join(root, to));
    } else write(seedFiles(o));
    // An image's own datasource_list names its cloud (Ec2, Azure, ...): the try's seed
    // must be what the boot finds, as the image would find its cloud's data there.
    const dsName = o.seedDir?.kind === 'config-drive' ? 'ConfigDrive' : 'NoCloud';
    write([{ kind: 'file', path: TRY_CFG, content: `# nimbus try: the instance's data is the seed nimbus try made\ndatasource_list: [${dsName}, None]\n` }]);
    const imageVersion = (p: string): Buffer | null => written.get(p) ?? (o.image !== undefined ? readTreeFile(o.image, p) : null);
    const shown = (text: string, path?: string) => (o.showSecrets ? text : maskSecrets(text, path));
    const later = new Map<string, Buffer | null>();
    const ctx: BootContext = { root, opts: o, before: (p) => (later.has(p) ? (later.get(p) ?? null) : imageVersion(p)), shown, scratch };
    const boots: BootPlan[] = [];
    const first = await boot(1, 'first boot of a new instance', ctx);
    boots.push(first.plan);
    if (o.secondBoot) {
      for (const f of first.plan.files) later.set(f.path, readTreeFile(root, f.path));
      boots.push((await boot(2, 'a reboot of the same instance', ctx)).plan);
    }
    const exitCode = boots.map((b) => b.exitCode).reduce(worseExit, 0);
    const inputs: Record<string, string> = {};
    if (o.userData) inputs['user-data'] = o.userData.path;
    if (o.seedDir) inputs[o.seedDir.kind] = o.seedDir.path;
    if (o.metaData) inputs['meta-data'] = o.metaData.path;
    if (o.vendorData) inputs['vendor-data'] = o.vendorData.path;
    if (o.networkConfig) inputs['network-config'] = o.networkConfig.path;
    const worst = boots.find((b) => b.exitCode === exitCode) ?? first.plan;
    const plan: TryPlan = { image: o.image ?? (distro as { pretty: string }).pretty, inputs, secretsShown: o.showSecrets === true, status: worst.status, exitCode, boots };
    return { plan, tree: o.keep ? root : null };
  } finally {
    if (!o.keep) removeScratchDir(root);
  }
}
