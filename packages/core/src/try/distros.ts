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

type User = readonly [name: string, uid: number, gid: number, home: string, shell: string];
type Group = readonly [name: string, gid: number];

// The accounts of a fresh image (Debian's base-passwd, Fedora's setup package), so that
// `owner: www-data` or a default user's `groups: [sudo]` find what they would find.
const DEBIAN_USERS: readonly User[] = [
  ['root', 0, 0, '/root', '/bin/bash'],
  ...(['daemon', 'bin', 'sys'] as const).map((n, i): User => [n, i + 1, i + 1, n === 'daemon' ? '/usr/sbin' : `/${n}`, '/usr/sbin/nologin']),
  ['www-data', 33, 33, '/var/www', '/usr/sbin/nologin'],
  ['_apt', 42, 65534, '/nonexistent', '/usr/sbin/nologin'],
  ['nobody', 65534, 65534, '/nonexistent', '/usr/sbin/nologin'],
];
const DEBIAN_GROUPS: readonly Group[] = [
  ['root', 0],
  ['daemon', 1],
  ['bin', 2],
  ['sys', 3],
  ['adm', 4],
  ['tty', 5],
  ['disk', 6],
  ['lp', 7],
  ['mail', 8],
  ['proxy', 13],
  ['kmem', 15],
  ['dialout', 20],
  ['fax', 21],
  ['voice', 22],
  ['cdrom', 24],
  ['floppy', 25],
  ['tape', 26],
  ['sudo', 27],
  ['audio', 29],
  ['dip', 30],
  ['www-data', 33],
  ['backup', 34],
  ['operator', 37],
  ['list', 38],
  ['irc', 39],
  ['src', 40],
  ['shadow', 42],
  ['utmp', 43],
  ['video', 44],
  ['sasl', 45],
  ['plugdev', 46],
  ['staff', 50],
  ['games', 60],
  ['users', 100],
  ['systemd-journal', 101],
  ['netdev', 102],
  ['nogroup', 65534],
];
const RHEL_USERS: readonly User[] = [
  ['root', 0, 0, '/root', '/bin/bash'],
  ['bin', 1, 1, '/bin', '/sbin/nologin'],
  ['daemon', 2, 2, '/sbin', '/sbin/nologin'],
  ['adm', 3, 4, '/var/adm', '/sbin/nologin'],
  ['nobody', 65534, 65534, '/', '/sbin/nologin'],
];
const RHEL_GROUPS: readonly Group[] = [
  ['root', 0],
  ['bin', 1],
  ['daemon', 2],
  ['sys', 3],
  ['adm', 4],
  ['tty', 5],
  ['disk', 6],
  ['lp', 7],
  ['mem', 8],
  ['kmem', 9],
  ['wheel', 10],
  ['cdrom', 11],
  ['mail', 12],
  ['man', 15],
  ['dialout', 18],
  ['floppy', 19],
  ['games', 20],
  ['tape', 33],
  ['video', 39],
  ['ftp', 50],
  ['lock', 54],
  ['audio', 63],
  ['users', 100],
  ['systemd-journal', 190],
  ['nobody', 65534],
];

function accounts<T>(list: readonly T[], line: (x: T) => string): string {
  return list.map((x) => `${line(x)}\n`).join('');
}

/** Time zone names with an (empty) zoneinfo file each, as tzdata installs them: `timezone: Europe/Berlin` finds its file. */
function zoneinfo(): TreeFile[] {
  const zones: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', 'Etc/UTC', ...zones].filter((z, i, all) => all.indexOf(z) === i).map((z): TreeFile => ({ kind: 'file', path: `/usr/share/zoneinfo/${z}`, content: 'TZif2' }));
}

/** The files of a stock cloud image of `d`, as far as a first boot reads them. */
export function skeletonFiles(d: TryDistro): TreeFile[] {
  const debian = d.packageManager === 'apt-get';
  const files: TreeFile[] = [
    { kind: 'file', path: '/etc/os-release', content: `PRETTY_NAME="${d.pretty}"\n${d.osRelease}` },
    { kind: 'file', path: '/etc/passwd', content: accounts(debian ? DEBIAN_USERS : RHEL_USERS, (u) => `${u[0]}:x:${u[1]}:${u[2]}:${u[0]}:${u[3]}:${u[4]}`) },
    { kind: 'file', path: '/etc/group', content: accounts(debian ? DEBIAN_GROUPS : RHEL_GROUPS, (g) => `${g[0]}:x:${g[1]}:`) },
    { kind: 'file', path: '/etc/shadow', content: accounts(debian ? DEBIAN_USERS : RHEL_USERS, (u) => `${u[0]}:*:19700:0:99999:7:::`), mode: 0o640 },
    { kind: 'file', path: '/etc/gshadow', content: accounts(debian ? DEBIAN_GROUPS : RHEL_GROUPS, (g) => `${g[0]}:*::`), mode: 0o640 },
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
    ...zoneinfo(),
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
