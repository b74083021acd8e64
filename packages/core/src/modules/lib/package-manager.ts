// The distro's package manager, as cloud-init's distro classes drive it: which tool
// (from system_info.distro, else the tree's os-release), the argv of update, upgrade
// and install with the options cloud-init passes, the package specs of `packages:`
// checked and expanded, and apt-get retried while another process holds the dpkg lock.
// The argv builders are pure; the runners take the exec and the sleep as parameters.
import { isDict } from '../../config/merge.js';
import type { ExecOptions, ExecResult } from '../../host/exec.js';
import type { ModuleContext } from '../types.js';
import { parseOsRelease } from '../../distro/os-release.js';

export type ManagerName = 'apt' | 'dnf' | 'yum' | 'zypper' | 'transactional-update' | 'apk';

/** A package and an optional version, as `packages:` gives them: `name` or `[name, version]`. */
export interface PackageSpec {
  name: string;
  version?: string;
}

/** cloud-init's distro names (system_info.distro) by the tool their class drives. */
const APT_DISTROS = new Set(['debian', 'ubuntu', 'raspbian', 'linuxmint', 'pop', 'devuan']);
const RPM_DISTROS = new Set(['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'cloudlinux', 'eurolinux', 'miraclelinux', 'ol', 'openeuler', 'opencloudos', 'tencentos', 'virtuozzo', 'amazon']);
const SUSE_DISTROS = new Set(['opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'opensuse-microos', 'sles', 'sle_hpc', 'sle-micro', 'suse', 'sle-hpc']);

export type ManagerFamily = 'apt' | 'rpm' | 'suse' | 'alpine';

function familyOfName(name: string): ManagerFamily | null {
  if (APT_DISTROS.has(name)) return 'apt';
  if (RPM_DISTROS.has(name)) return 'rpm';
  if (SUSE_DISTROS.has(name)) return 'suse';
  if (name === 'alpine') return 'alpine';
  return null;
}

/**
 * Which distro class cloud-init would drive the packages with: system_info.distro when
 * cloud.cfg names one, else the tree's os-release ID, then each ID_LIKE word.
 */
export function managerFamily(systemInfoDistro: unknown, osRelease: Record<string, string>): ManagerFamily | null {
  if (typeof systemInfoDistro === 'string') {
    const f = familyOfName(systemInfoDistro.toLowerCase());
    if (f !== null) return f;
  }
  const id = (osRelease.ID ?? '').toLowerCase();
  const like = (osRelease.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  for (const n of [id, ...like]) {
    const f = familyOfName(n);
    if (f !== null) return f;
  }
  return null;
}

export interface AptSettings {
  /** apt_get_wrapper's command when it applies (eatmydata when installed, by default). */
  wrapper: string[];
  /** system_info.apt_get_command, or cloud-init's. */
  command: string[];
  /** What `upgrade` runs: system_info.apt_get_upgrade_subcommand, default dist-upgrade. */
  upgradeSubcommand: string;
}

export const APT_GET_COMMAND = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];

/** The environment cloud-init gives every apt-get run. */
export const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

/** The concrete tool of a family in this tree. */
export interface Manager {
  family: ManagerFamily;
  tool: ManagerName;
  apt?: AptSettings;
}

/** Whether a string holds whitespace or a control character (C0 or DEL): it would split a word or a line. */
export function hasBlankOrControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return /\s/.test(s);
}

/** Why a word cannot be an argument of a package command (it would be read as an option or split), or null. */
export function argProblem(s: string): string | null {
  if (s === '') return 'it is empty';
  if (s.startsWith('-')) return 'it starts with "-" (it would be read as an option)';
  if (hasBlankOrControl(s)) return 'it contains a blank or a control character';
  return null;
}

/** `name` or `name<sep>version`, cloud-init's expand_package_list: apt pins with `=`, the others with `-`. */
export function expandSpec(tool: ManagerName, p: PackageSpec): string {
  if (p.version === undefined || p.version === '') return p.name;
  return tool === 'apt' ? `${p.name}=${p.version}` : `${p.name}-${p.version}`;
}

function prefix(m: Manager): string[] {
  switch (m.tool) {
    case 'apt':
      return [...(m.apt?.wrapper ?? []), ...(m.apt?.command ?? APT_GET_COMMAND)];
    case 'dnf':
      return ['dnf', '-y'];
    case 'yum':
      // -t: yum tolerates packages already installed among those asked for.
      return ['yum', '-t', '-y'];
    case 'zypper':
      return ['zypper', '--non-interactive'];
    case 'transactional-update':
      return ['transactional-update', '--non-interactive', '--drop-if-no-change', 'pkg'];
    case 'apk':
      return ['apk', '--quiet'];
  }
}

/** argv refreshing the package indexes (pure). */
export function updateArgv(m: Manager): string[] {
  switch (m.tool) {
    case 'apt':
      return [...prefix(m), 'update'];
    case 'dnf':
    case 'yum':
      return [...prefix(m), 'makecache'];
    case 'zypper':
    case 'transactional-update':
      // A repository refresh only writes the read-write part: always zypper.
      return ['zypper', '--non-interactive', 'refresh'];
    case 'apk':
      return [...prefix(m), 'update'];
  }
}

/** argv upgrading every installed package (pure). */
export function upgradeArgv(m: Manager): string[] {
  switch (m.tool) {
    case 'apt':
      return [...prefix(m), m.apt?.upgradeSubcommand ?? 'dist-upgrade'];
    case 'dnf':
    case 'yum':
      return [...prefix(m), 'upgrade'];
    case 'zypper':
      return [...prefix(m), 'update'];
    case 'transactional-update':
      return ['transactional-update', '--non-interactive', '--drop-if-no-change', 'up'];
    case 'apk':
      return [...prefix(m), 'upgrade', '--update-cache', '--available'];
  }
}

/** argv installing the packages (pure). */
export function installArgv(m: Manager, pkgs: readonly PackageSpec[]): string[] {
  const words = pkgs.map((p) => expandSpec(m.tool, p));
  switch (m.tool) {
    case 'apt':
    case 'dnf':
    case 'yum':
      return [...prefix(m), 'install', ...words];
    case 'zypper':
    case 'transactional-update':
      return [...prefix(m), 'install', '--auto-agree-with-licenses', ...words];
    case 'apk':
      return [...prefix(m), 'add', ...words];
  }
}

/** system_info's apt settings: apt_get_wrapper (enabled true/false/auto, command), apt_get_command, apt_get_upgrade_subcommand. */
export function aptSettings(systemInfo: unknown, has: (cmd: string) => boolean): { settings: AptSettings; problems: string[] } {
  const si = isDict(systemInfo) ? systemInfo : {};
  const problems: string[] = [];
  const words = (v: unknown, key: string): string[] | null => {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0 || !list.every((w) => typeof w === 'string' && w !== '' && !/[\0\n]/.test(w))) {
      problems.push(`system_info.${key} must be a command (a string or a list of strings); cloud-init's is used`);
      return null;
    }
    return list as string[];
  };
  let wrapper: string[] = [];
  const w = si.apt_get_wrapper;
  let enabled: unknown = 'auto';
  let wcmd: string[] | null = ['eatmydata'];
  if (isDict(w)) {
    enabled = w.enabled;
    wcmd = w.command === undefined ? null : words(w.command, 'apt_get_wrapper.command');
  } else if (w !== undefined && w !== null) problems.push('system_info.apt_get_wrapper must be a mapping (enabled, command)');
  if (wcmd !== null && wcmd.length > 0) {
    if (enabled === true || enabled === 'true' || enabled === 'True') wrapper = wcmd;
    else if (String(enabled).toLowerCase() === 'auto' && has(wcmd[0] as string)) wrapper = wcmd;
  }
  const command = si.apt_get_command === undefined ? APT_GET_COMMAND : (words(si.apt_get_command, 'apt_get_command') ?? APT_GET_COMMAND);
  let upgradeSubcommand = 'dist-upgrade';
  if (si.apt_get_upgrade_subcommand !== undefined) {
    const s = si.apt_get_upgrade_subcommand;
    if (typeof s === 'string' && /^[a-z][a-z-]*$/.test(s)) upgradeSubcommand = s;
    else problems.push('system_info.apt_get_upgrade_subcommand must be an apt-get command word such as upgrade or dist-upgrade; dist-upgrade is used');
  }
  return { settings: { wrapper, command, upgradeSubcommand }, problems };
}

/** The package family of the tree the context configures (apt when nothing says otherwise, as nimbus's distro default is Debian). */
export function treeFamily(ctx: ModuleContext): ManagerFamily {
  const osr = parseOsRelease(ctx.host.fs.readText('/etc/os-release') ?? ctx.host.fs.readText('/usr/lib/os-release') ?? '');
  const si = isDict(ctx.cfg.system_info) ? ctx.cfg.system_info : {};
  return managerFamily(si.distro, osr) ?? (ctx.distro.family === 'rhel' ? 'rpm' : 'apt');
}

/** The package manager of the tree the context configures, or why there is none. */
export function chooseManager(ctx: ModuleContext): { manager: Manager | null; problems: string[] } {
  const si = isDict(ctx.cfg.system_info) ? ctx.cfg.system_info : {};
  const family = treeFamily(ctx);
  const has = (c: string) => ctx.host.exec.has(c);
  switch (family) {
    case 'apt': {
      const { settings, problems } = aptSettings(si, has);
      if (!has(settings.command[0] as string) && !(settings.command[0] as string).includes('/'))
        return { manager: null, problems: [...problems, `${settings.command[0]} is not installed in this image`] };
      return { manager: { family, tool: 'apt', apt: settings }, problems };
    }
    case 'rpm':
      // As cloud-init: dnf where the image has it, else yum.
      if (has('dnf')) return { manager: { family, tool: 'dnf' }, problems: [] };
      if (has('yum')) return { manager: { family, tool: 'yum' }, problems: [] };
      return { manager: null, problems: ['neither dnf nor yum is installed in this image'] };
    case 'suse':
      // A transactional (read-only, btrfs) root is one that ships transactional-update.
      if (ctx.host.fs.exists('/usr/sbin/transactional-update')) return { manager: { family, tool: 'transactional-update' }, problems: [] };
      if (has('zypper')) return { manager: { family, tool: 'zypper' }, problems: [] };
      return { manager: null, problems: ['zypper is not installed in this image'] };
    case 'alpine':
      if (has('apk')) return { manager: { family, tool: 'apk' }, problems: [] };
      return { manager: null, problems: ['apk is not installed in this image'] };
  }
}

/** What apt-get prints when another process holds one of its locks (apt 1.x-3.x, in English and the C locale). */
const APT_LOCK_MESSAGE = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|Unable to lock directory \/var\/(lib|cache)\/apt/;
/** The lock files and directories, which a translated message still names. */
const APT_LOCK_PATH = /\/var\/lib\/dpkg\/lock(-frontend)?\b|\/var\/lib\/dpkg\/?\s|\/var\/lib\/apt\/lists\/(lock)?|\/var\/cache\/apt\/archives\/(lock)?/;
/** A lock that cannot be opened at all: waiting will not help. */
const APT_LOCK_DENIED = /\(13: |Permission denied|Are you root\?/;

/** Whether a finished apt-get run failed because another process held the dpkg or apt lock. */
export function failedOnAptLock(r: ExecResult): boolean {
  if (r.code === 0 || r.error !== undefined) return false;
  const out = `${r.stdout}\n${r.stderr}`;
  if (APT_LOCK_DENIED.test(out)) return false;
  return APT_LOCK_MESSAGE.test(out) || (r.code === 100 && APT_LOCK_PATH.test(out));
}

export interface RunDeps {
  run(argv: readonly string[], opts: ExecOptions): ExecResult;
  /** Keeps the output in /var/log/cloud-init-output.log, as a run with output 'log' would. */
  keepOutput(argv: readonly string[], r: ExecResult): void;
  sleep(ms: number): Promise<void>;
  /** How long to keep trying while the lock is held (cloud-init: 30 s). */
  lockBudgetMs: number;
  now(): number;
}

export const APT_LOCK_BUDGET_MS = 30_000;

/**
 * Runs a package command. apt-get runs with DEBIAN_FRONTEND=noninteractive, and while
 * it fails because another process (unattended-upgrades, a second apt) holds the lock
 * it is retried each second, for up to lockBudgetMs. Returns the last result.
 */
export async function runPackageCommand(m: Manager, argv: readonly string[], deps: RunDeps): Promise<{ result: ExecResult; lockRetries: number }> {
  const isApt = m.tool === 'apt' && argv.some((a) => a === 'apt-get' || a.endsWith('/apt-get'));
  const opts: ExecOptions = isApt ? { env: { ...APT_ENV } } : {};
  const start = deps.now();
  let retries = 0;
  for (;;) {
    const r = deps.run(argv, opts);
    deps.keepOutput(argv, r);
    if (!isApt || !failedOnAptLock(r) || deps.now() - start >= deps.lockBudgetMs) return { result: r, lockRetries: retries };
    retries++;
    await deps.sleep(1000);
  }
}

/** Why a finished command failed, in a few words, or null when it succeeded. */
export function failure(r: ExecResult): string | null {
  if (r.error !== undefined) return r.error;
  if (r.code !== 0) return `exit status ${r.code}`;
  return null;
}
