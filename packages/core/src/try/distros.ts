// The throwaway machines `nimbus try` boots when no image is given: for each distro, the
// few files a first boot reads (os-release, passwd, group, shadow, sshd_config, the
// network stack's configuration) and the tools nimbus looks for before it records a
// command (apt-get, ifup, netplan, NetworkManager). The tools are empty files: under
// `--exec record` nothing in a tree is ever run. Pure data.
import type { TreeFile } from '../host/scratch-tree.js';

export interface TryDistro {
  name: string;
  /** What the plan calls it. */
  pretty: string;
  osRelease: string;
  /** Network stack: which renderer nimbus picks on this distro's stock image. */
  network: 'eni' | 'netplan' | 'network-manager';
  packageManager: 'apt-get' | 'dnf';
}

export const TRY_DISTROS: readonly TryDistro[] = [
  { name: 'debian', pretty: 'Debian GNU/Linux 12 (bookworm)', osRelease: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n', network: 'eni', packageManager: 'apt-get' },
  { name: 'ubuntu', pretty: 'Ubuntu 24.04 LTS', osRelease: 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n', network: 'netplan', packageManager: 'apt-get' },
  { name: 'rhel', pretty: 'Red Hat Enterprise Linux 9.4 (Plow)', osRelease: 'ID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n', network: 'network-manager', packageManager: 'dnf' },
  { name: 'rocky', pretty: 'Rocky Linux 9.4 (Blue Onyx)', osRelease: 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n', network: 'network-manager', packageManager: 'dnf' },
  { name: 'almalinux', pretty: 'AlmaLinux 9.4 (Seafoam Ocelot)', osRelease: 'ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n', network: 'network-manager', packageManager: 'dnf' },
  { name: 'fedora', pretty: 'Fedora Linux 40 (Cloud Edition)', osRelease: 'ID=fedora\nVERSION_ID=40\n', network: 'network-manager', packageManager: 'dnf' },
];

export const TRY_DISTRO_NAMES: readonly string[] = TRY_DISTROS.map((d) => d.name);

/** The NIC every throwaway machine has; the MAC is the one examples/config-drive names. */
export const TRY_NIC = { name: 'eth0', mac: '52:54:00:12:34:56' };

const tool = (path: string): TreeFile => ({ kind: 'file', path, content: '', mode: 0o755 });

const SSHD_CONFIG =
  'Include /etc/ssh/sshd_config.d/*.conf\n\n#PermitRootLogin prohibit-password\n#PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n';

/** The files of a stock cloud image of `d`, as far as a first boot reads them. */
export function skeletonFiles(d: TryDistro): TreeFile[] {
  const debian = d.packageManager === 'apt-get';
  const files: TreeFile[] = [
    { kind: 'file', path: '/etc/os-release', content: `PRETTY_NAME="${d.pretty}"\n${d.osRelease}` },
    { kind: 'file', path: '/etc/passwd', content: `root:x:0:0:root:/root:/bin/bash\n${debian ? 'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n' : 'bin:x:1:1:bin:/bin:/sbin/nologin\n'}` },
    { kind: 'file', path: '/etc/group', content: debian ? 'root:x:0:\ndaemon:x:1:\nadm:x:4:\nsudo:x:27:\n' : 'root:x:0:\nbin:x:1:\nadm:x:4:\nwheel:x:10:\n' },
    { kind: 'file', path: '/etc/shadow', content: `root:*:19700:0:99999:7:::\n${debian ? 'daemon' : 'bin'}:*:19700:0:99999:7:::\n`, mode: 0o640 },
    { kind: 'file', path: '/etc/hostname', content: 'localhost\n' },
    { kind: 'file', path: '/etc/hosts', content: '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' },
    { kind: 'file', path: '/etc/ssh/sshd_config', content: SSHD_CONFIG },
    { kind: 'dir', path: '/etc/ssh/sshd_config.d' },
    { kind: 'file', path: '/etc/sudoers', content: 'Defaults\tenv_reset\nroot\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n', mode: 0o440 },
    { kind: 'dir', path: '/etc/sudoers.d', mode: 0o750 },
    { kind: 'dir', path: '/etc/cloud/cloud.cfg.d' },
    { kind: 'dir', path: '/home' },
    { kind: 'dir', path: '/root', mode: 0o700 },
    { kind: 'dir', path: '/tmp', mode: 0o1777 },
    { kind: 'dir', path: '/var/log' },
    tool('/usr/sbin/useradd'),
    tool('/usr/sbin/groupadd'),
    tool('/usr/sbin/usermod'),
    tool('/usr/sbin/chpasswd'),
    tool('/usr/bin/passwd'),
    tool('/usr/bin/ssh-keygen'),
    tool('/usr/sbin/sshd'),
    tool('/usr/bin/systemctl'),
    tool('/usr/bin/hostnamectl'),
    tool(`/usr/bin/${d.packageManager}`),
  ];
  if (d.network === 'eni') {
    files.push(
      { kind: 'file', path: '/etc/network/interfaces', content: 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' },
      { kind: 'dir', path: '/etc/network/interfaces.d' },
      tool('/usr/sbin/ifup'),
      tool('/usr/sbin/ifdown'),
    );
  } else if (d.network === 'netplan') {
    files.push({ kind: 'dir', path: '/etc/netplan' }, tool('/usr/sbin/netplan'));
  } else {
    files.push({ kind: 'dir', path: '/etc/NetworkManager/system-connections' }, { kind: 'dir', path: '/etc/NetworkManager/conf.d' }, tool('/usr/sbin/NetworkManager'), tool('/usr/bin/nmcli'));
  }
  return files;
}

/** The kernel's view of one virtio NIC under /sys, as `addNic` in the tests builds it. */
export function nicFiles(name: string, mac: string): TreeFile[] {
  const dir = `/sys/class/net/${name}`;
  const dev = '/sys/devices/pci0000:00/0000:00:03.0/virtio0';
  return [
    { kind: 'dir', path: `${dev}/driver` },
    ...Object.entries({ address: mac, type: '1', operstate: 'up', carrier: '1', mtu: '1500', uevent: `INTERFACE=${name}` }).map(
      ([k, v]): TreeFile => ({ kind: 'file', path: `${dir}/${k}`, content: `${v}\n` }),
    ),
    { kind: 'link', path: `${dir}/device`, target: dev },
  ];
}
