// Per-family facts the modules need: where files live, which commands manage services
// and packages, which hosts template and ssh service name the distro uses. Derived
// from the detected Distro (a pure function), so a Distro stays a small value.
import type { Distro } from './types.js';

export type InitSystem = 'systemd' | 'sysvinit';
export type PackageManager = 'apt' | 'dnf' | 'yum' | 'zypper';

export interface DistroFacts {
  initSystem: InitSystem;
  packageManager: PackageManager;
  /** The file holding the static host name. CentOS 6 keeps it as HOSTNAME= in /etc/sysconfig/network. */
  hostnameFile: '/etc/hostname' | '/etc/sysconfig/network';
  /** cloud-init's /etc/cloud/templates/hosts.<name>.tmpl used by manage_etc_hosts: true. */
  hostsTemplate: 'debian' | 'redhat' | 'suse';
  /** cloud-init's prefer_fqdn default: rhel-family distros set the FQDN as the host name. */
  preferFqdn: boolean;
  sshService: 'ssh' | 'sshd';
  sshdConfig: string;
  /** sshd_config.d exists (OpenSSH >= 8.2 packaging: Debian 11+, Ubuntu 20.04+, RHEL 9+, Fedora). */
  sshdConfigDir: string | null;
  sudoersFile: string;
  sudoersDir: string;
  /** Group that owns host private keys (RHEL before 9 ships them 0640 root:ssh_keys). */
  hostKeyGroup: string | null;
}

function majorOf(version: string): number {
  const n = Number.parseInt(version, 10);
  return Number.isFinite(n) ? n : Number.NaN;
}

export function distroFacts(d: Distro): DistroFacts {
  const major = majorOf(d.version);
  if (d.family === 'debian') {
    const newSsh = d.id === 'ubuntu' ? !(major < 20) : !(major < 11);
    return {
      initSystem: 'systemd',
      packageManager: 'apt',
      hostnameFile: '/etc/hostname',
      hostsTemplate: 'debian',
      preferFqdn: false,
      sshService: 'ssh',
      sshdConfig: '/etc/ssh/sshd_config',
      sshdConfigDir: newSsh ? '/etc/ssh/sshd_config.d' : null,
      sudoersFile: '/etc/sudoers',
      sudoersDir: '/etc/sudoers.d',
      hostKeyGroup: null,
    };
  }
  if (d.family === 'suse') {
    // As cloud-init's opensuse distro: systemd, zypper, no FQDN as host name, sshd, and
    // its own hosts template (hosts.suse.tmpl, the host's names on 127.0.1.1).
    return {
      initSystem: 'systemd',
      packageManager: 'zypper',
      hostnameFile: '/etc/hostname',
      hostsTemplate: 'suse',
      preferFqdn: false,
      sshService: 'sshd',
      sshdConfig: '/etc/ssh/sshd_config',
      sshdConfigDir: null,
      sudoersFile: '/etc/sudoers',
      sudoersDir: '/etc/sudoers.d',
      hostKeyGroup: null,
    };
  }
  const fedora = d.id === 'fedora';
  const old = !fedora && major < 7;
  return {
    initSystem: old ? 'sysvinit' : 'systemd',
    packageManager: fedora || !(major < 8) ? 'dnf' : 'yum',
    hostnameFile: old ? '/etc/sysconfig/network' : '/etc/hostname',
    hostsTemplate: 'redhat',
    preferFqdn: true,
    sshService: 'sshd',
    sshdConfig: '/etc/ssh/sshd_config',
    sshdConfigDir: fedora || !(major < 9) ? '/etc/ssh/sshd_config.d' : null,
    sudoersFile: '/etc/sudoers',
    sudoersDir: '/etc/sudoers.d',
    hostKeyGroup: fedora || !(major < 9) ? null : 'ssh_keys',
  };
}

/** argv that performs `action` (restart, reload, status, ...) on a service. */
export function serviceCommand(facts: DistroFacts, action: string, service: string): string[] {
  return facts.initSystem === 'systemd' ? ['systemctl', action, service] : ['service', service, action];
}

/** argv that installs packages non-interactively. */
export function packageInstallCommand(facts: DistroFacts, packages: readonly string[]): string[] {
  if (facts.packageManager === 'apt') return ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet', 'install', ...packages];
  if (facts.packageManager === 'zypper') return ['zypper', '--non-interactive', 'install', '--auto-agree-with-licenses', ...packages];
  return [facts.packageManager, '-t', '-y', 'install', ...packages];
}
