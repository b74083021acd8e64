// Which distribution the tree under the root is, and the per-family facts nimbus needs.
import type { RootFs } from '../host/rootfs.js';
import type { NetRenderer } from '../net/renderers/registry.js';
import type { Distro, DistroFamily } from './types.js';
import { parseOsRelease, parseRedhatRelease } from './os-release.js';

const RHEL_IDS = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'fedora', 'ol', 'cloudlinux', 'eurolinux', 'virtuozzo']);
const DEBIAN_IDS = new Set(['debian', 'ubuntu', 'raspbian', 'linuxmint']);
// cloud-init 25.x's suse OS family (its distros/ modules of that family); their
// os-release files also say ID_LIKE="suse" (opensuse-leap: "suse opensuse").
const SUSE_IDS = new Set(['opensuse', 'opensuse-leap', 'opensuse-microos', 'opensuse-tumbleweed', 'opensuse-slowroll', 'sle_hpc', 'sle-micro', 'sl-micro', 'sles', 'sles_sap', 'suse']);

function familyOf(id: string, idLike: string): DistroFamily | null {
  if (RHEL_IDS.has(id)) return 'rhel';
  if (DEBIAN_IDS.has(id)) return 'debian';
  if (SUSE_IDS.has(id)) return 'suse';
  const like = idLike.split(/\s+/);
  if (like.some((x) => RHEL_IDS.has(x))) return 'rhel';
  if (like.some((x) => DEBIAN_IDS.has(x))) return 'debian';
  if (like.some((x) => SUSE_IDS.has(x))) return 'suse';
  return null;
}

const DEFAULT_USERS: Record<string, string> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  rhel: 'cloud-user',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
};

function renderersFor(id: string, family: DistroFamily, version: string): NetRenderer[] {
  // network-manager before networkd, as cloud-init orders them: Debian's systemd always
  // ships the networkd binary, so "has networkd" says nothing about what the image runs,
  // while an installed NetworkManager is what manages the NICs.
  // cloud-init's cloud.cfg sets no list for suse, so its default order applies (eni,
  // sysconfig, netplan, network-manager, networkd) less eni: SUSE has no ifupdown, and
  // wicked's own /sbin/ifup must not make an /etc/network/interfaces look like one.
  // sysconfig then writes the suse flavour (renderers/sysconfig-suse.ts).
  if (family === 'suse') return ['sysconfig', 'netplan', 'network-manager', 'networkd'];
  if (family === 'debian') return id === 'ubuntu' ? ['netplan', 'eni', 'network-manager', 'networkd'] : ['eni', 'netplan', 'network-manager', 'networkd'];
  const major = Number.parseInt(version, 10);
  // RHEL 9 and Fedora dropped the initscripts ifcfg path in favour of NetworkManager keyfiles.
  if (id === 'fedora' || (Number.isFinite(major) && major >= 9)) return ['network-manager', 'sysconfig', 'networkd'];
  return ['sysconfig', 'network-manager', 'networkd'];
}

export function distroFromOsRelease(osr: Record<string, string>): Distro {
  const id = (osr.ID ?? '').toLowerCase();
  const family = familyOf(id, (osr.ID_LIKE ?? '').toLowerCase()) ?? 'debian';
  const version = osr.VERSION_ID ?? '';
  const name = DEFAULT_USERS[id] ?? (family === 'rhel' ? 'cloud-user' : family === 'suse' ? 'suse' : 'debian');
  const defaultUser =
    family === 'suse'
      ? // cloud-init's cloud.cfg template for its "suse" variant.
        { name, gecos: 'suse Cloud User', groups: ['cdrom', 'users'], shell: '/bin/bash', sudo: ['ALL=(ALL) NOPASSWD:ALL'], lock_passwd: true }
      : family === 'rhel'
        ? { name, gecos: 'Cloud User', groups: ['adm', 'systemd-journal'], shell: '/bin/bash', sudo: ['ALL=(ALL) NOPASSWD:ALL'], lock_passwd: true }
        : {
            name,
            gecos: id === 'ubuntu' ? 'Ubuntu' : 'Debian',
            groups: ['adm', 'audio', 'cdrom', 'dialout', 'dip', 'floppy', ...(id === 'ubuntu' ? ['lxd'] : []), 'netdev', 'plugdev', 'sudo', 'video'],
            shell: '/bin/bash',
            sudo: ['ALL=(ALL) NOPASSWD:ALL'],
            lock_passwd: true,
          };
  return { id: id || 'debian', family, version, defaultUser, renderers: renderersFor(id, family, version) };
}

/** Reads /etc/os-release (or /usr/lib/os-release, or /etc/redhat-release) under the root. */
export function detectDistro(fs: RootFs): Distro {
  const osr = fs.readText('/etc/os-release') ?? fs.readText('/usr/lib/os-release');
  if (osr !== null) return distroFromOsRelease(parseOsRelease(osr));
  const rh = fs.readText('/etc/redhat-release');
  const parsed = rh === null ? null : parseRedhatRelease(rh);
  return distroFromOsRelease(parsed ?? {});
}
