// What `nimbus try` reports: the plan of one or two boots, and the pure functions that
// make it from what a boot left behind (the snapshots of the tree before and after, the
// command record, the stages' module results and messages).
import type { TreeEntry, TreeSnapshot } from '../host/scratch-tree.js';
import type { Outcome } from '../stages/runner.js';
import type { NetworkState, Subnet } from '../net/model.js';
import type { Location } from './locate.js';

export interface PlanModule {
  name: string;
  outcome: Outcome;
  reason: string;
}

export interface PlanStage {
  name: string;
  exitCode: number;
  /** How long the stage took on the throwaway tree (commands recorded, not run). */
  ms: number;
  modules: PlanModule[];
}

export interface PlanFile {
  path: string;
  change: 'created' | 'changed' | 'removed';
  kind: TreeEntry['kind'];
  /** "0644"; null for a removed file and for links. */
  mode: string | null;
  size: number;
  /** "root:www-data" (numbers when the tree's passwd or group lacks the name). */
  owner?: string;
  target?: string;
  /** Unified diff against the image's version (text files). */
  diff?: string;
  binary?: boolean;
}

export interface PlanCommand {
  stage: string;
  argv: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** The script a recorded command would run, when it is a file nimbus wrote in the tree. */
  script?: string;
}

export interface PlanMessage {
  stage: string;
  level: 'error' | 'warning' | 'deprecated';
  text: string;
  at?: Location;
}

export interface PlanInterface {
  name: string;
  mac?: string;
  /** "192.0.2.10/24", "dhcp4", "dhcp6", "slaac". */
  addresses: string[];
  gateways: string[];
}

export interface PlanNetwork {
  renderer: string;
  source: string;
  interfaces: PlanInterface[];
  nameservers: string[];
  files: string[];
}

export interface BootPlan {
  boot: number;
  title: string;
  /** As `nimbus status` words it after this boot, and its exit code. */
  status: string;
  exitCode: number;
  stages: PlanStage[];
  files: PlanFile[];
  /** nimbus's own state and logs (/var/lib/cloud, /run, /var/log), by path. */
  state: string[];
  users: string[];
  groups: string[];
  keys: { file: string; keys: string[] }[];
  packages: string[];
  network: PlanNetwork | null;
  commands: PlanCommand[];
  messages: PlanMessage[];
}

export interface TryPlan {
  /** The distro of the throwaway tree, or the image directory. */
  image: string;
  inputs: Record<string, string>;
  secretsShown: boolean;
  status: string;
  exitCode: number;
  boots: BootPlan[];
}

/** nimbus's own bookkeeping: shown as a list, not diffed. */
export function isStatePath(p: string): boolean {
  return p.startsWith('/var/lib/cloud/') || p === '/var/lib/cloud' || p.startsWith('/run/') || p === '/run' || p.startsWith('/var/log/');
}

export interface Change {
  path: string;
  change: PlanFile['change'];
  before?: TreeEntry;
  after?: TreeEntry;
}

/** Entries created, changed or removed between two snapshots (directories only when created or removed). */
export function changesBetween(before: TreeSnapshot, after: TreeSnapshot): Change[] {
  const out: Change[] = [];
  for (const [p, a] of after) {
    const b = before.get(p);
    if (b === undefined) out.push({ path: p, change: 'created', after: a });
    else if (b.stamp !== a.stamp || b.kind !== a.kind || b.target !== a.target) {
      if (a.kind === 'dir' && b.kind === 'dir' && a.mode === b.mode) continue;
      out.push({ path: p, change: 'changed', before: b, after: a });
    }
  }
  for (const [p, b] of before) if (!after.has(p)) out.push({ path: p, change: 'removed', before: b });
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Whether bytes look like text (no NUL, valid UTF-8). */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The word after `install` in an apt-get/dnf/yum/zypper install command, and the rest. */
export function packagesOf(argv: readonly string[]): string[] {
  const tool = (argv[0] ?? '').split('/').pop() ?? '';
  if (!['apt-get', 'apt', 'dnf', 'yum', 'zypper', 'apk', 'snap'].includes(tool)) return [];
  const i = argv.findIndex((a) => a === 'install' || a === 'add' || a === 'in');
  if (i < 0) return [];
  return argv.slice(i + 1).filter((a) => !a.startsWith('-'));
}

/** Users and groups a boot's commands create (useradd, adduser, groupadd). */
export function accountsOf(commands: readonly { argv: readonly string[] }[]): { users: string[]; groups: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const lastWord = (argv: readonly string[]) => {
    // The name is the one operand: the first word that is neither an option nor its value.
    const VALUED = new Set(['-c', '--comment', '-d', '--home-dir', '-g', '--gid', '-G', '--groups', '-s', '--shell', '-u', '--uid', '-p', '--password', '-e', '--expiredate', '-k', '--skel', '-K']);
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i] as string;
      if (VALUED.has(a)) i++;
      else if (!a.startsWith('-')) return a;
    }
    return null;
  };
  for (const c of commands) {
    const tool = (c.argv[0] ?? '').split('/').pop();
    const name = lastWord(c.argv);
    if (name === null) continue;
    if ((tool === 'useradd' || tool === 'adduser') && !users.includes(name)) users.push(name);
    if ((tool === 'groupadd' || tool === 'addgroup') && !groups.includes(name)) groups.push(name);
  }
  return { users, groups };
}

/** "ssh-ed25519 alice@laptop" for each key line of an authorized_keys file (type and comment, not the key). */
export function keysIn(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const t = words.findIndex((w) => /^(ssh-|ecdsa-|sk-)/.test(w));
    if (t < 0) {
      out.push(line.length > 40 ? `${line.slice(0, 40)}...` : line);
      continue;
    }
    const comment = words.slice(t + 2).join(' ');
    out.push(`${words[t]}${comment ? ` ${comment}` : ''}${t > 0 ? ` (options: ${words.slice(0, t).join(' ')})` : ''}`);
  }
  return out;
}

function subnetText(s: Subnet): string {
  return s.type === 'static' ? `${s.address}/${s.prefix}` : s.type;
}

/** The addresses and gateways a rendered network state gives each interface. */
export function networkOf(rec: { renderer: string; source: string; state: NetworkState }, files: string[]): PlanNetwork {
  const interfaces = rec.state.interfaces.map((i): PlanInterface => {
    const gateways = [
      ...i.subnets.flatMap((s) => (s.type === 'static' && s.gateway ? [s.gateway] : [])),
      ...i.subnets.flatMap((s) => s.routes.filter((r) => r.prefix === 0 && r.via).map((r) => r.via as string)),
    ];
    const out: PlanInterface = { name: i.name, addresses: i.subnets.map(subnetText), gateways: [...new Set(gateways)] };
    if (i.mac) out.mac = i.mac;
    return out;
  });
  const ns = [...rec.state.dns.nameservers, ...rec.state.interfaces.flatMap((i) => i.subnets.flatMap((s) => s.dns.nameservers))];
  return { renderer: rec.renderer, source: rec.source, interfaces, nameservers: [...new Set(ns)], files };
}

/** Paths that belong to a network stack's configuration. */
export function isNetworkFile(p: string): boolean {
  return /^\/etc\/(network\/|netplan\/|NetworkManager\/|systemd\/network\/|sysconfig\/network-scripts\/|sysconfig\/network$|resolv\.conf$)/.test(p);
}

const RANK: Record<string, number> = { 0: 0, 2: 1, 1: 2 };

/** The worse of two status exit codes: error (1) over degraded (2) over done (0). */
export function worseExit(a: number, b: number): number {
  return (RANK[String(a)] ?? 2) >= (RANK[String(b)] ?? 2) ? a : b;
}

/** The name of an id in a passwd or group file's text, or the number. */
function nameOf(id: number, text: string): string {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length > 2 && f[2] === String(id) && f[0]) return f[0];
  }
  return String(id);
}

/** "user:group" for an owner, by the tree's /etc/passwd and /etc/group. */
export function ownerText(owner: { uid: number; gid: number }, passwd: string, group: string): string {
  return `${nameOf(owner.uid, passwd)}:${nameOf(owner.gid, group)}`;
}
