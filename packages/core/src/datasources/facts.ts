// The local facts a datasource is detected from, as cloud-init's ds-identify gathers
// them: DMI, the hypervisor, PID 1's environment, the kernel command line, filesystem
// labels and seed directories. Gathering is a few small reads through host; each
// datasource's record decides from them with a pure `detect(facts)`.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import { listFilesystems, type BlockFs } from './blockdev.js';

export interface DmiFacts {
  sysVendor: string | null;
  productName: string | null;
  productSerial: string | null;
  productUuid: string | null;
  chassisAssetTag: string | null;
  /** board_name: `LXD` on LXD virtual machines. */
  boardName: string | null;
}

export interface PlatformFacts {
  /** x86 machines have DMI; elsewhere its absence says nothing about the cloud. */
  x86: boolean;
  /** false when /sys/class/dmi/id is absent (non-x86, some containers): DMI tells nothing. */
  dmiAvailable: boolean;
  dmi: DmiFacts;
  /** /sys/hypervisor/uuid (Xen-based EC2 instances start it with "ec2"). */
  hypervisorUuid: string | null;
  /** product_name in PID 1's environment (nova sets it in some containers). */
  pid1ProductName: string | null;
  /** Container type when running in one (systemd's /run/systemd/container or PID 1's container=). */
  container: string | null;
}

export interface DetectFacts extends PlatformFacts {
  cmdline: string;
  filesystems: BlockFs[];
  seeds: {
    nocloud: boolean;
    nocloudNet: boolean;
    /** Directory holding openstack/<version>/meta_data.json, or null. */
    configDrive: string | null;
    ec2: boolean;
    /** /var/lib/cloud/seed/azure/ovf-env.xml is there. */
    azure: boolean;
    /** /var/lib/cloud/seed/ovf holds an OVF environment file (ovf-env.xml or one of its other spellings). */
    ovf: boolean;
    /** The directory /var/lib/cloud/seed/opennebula is there. */
    opennebula: boolean;
    /** The first line of /etc/sysconfig/cloud-info (AltCloud's back end, from Image Factory), or null. */
    cloudInfo: string | null;
  };
  /** Windows Subsystem for Linux. */
  wsl: {
    /** /proc/sys/kernel/osrelease (WSL kernels say "microsoft" or "WSL"), or null. */
    kernelRelease: string | null;
    /** Mount points of the Windows drives (9p, aname=drvfs) in /proc/mounts. */
    drives: string[];
  };
  /** Unix sockets of local platform APIs. */
  sockets: {
    /** /dev/lxd/sock exists and is neither a file, a directory nor a link (LXD's dev-lxd socket). */
    lxd: boolean;
  };
  /** Which of MARKER_FILES exist (absent: none looked for, as in facts built by hand). */
  markerFiles?: readonly string[];
  /** Facts few datasources need (MAAS, IBMCloud, Bigstep, SmartOS); absent in facts made without them means nothing seen. */
  more?: MoreFacts;
}

/** Files whose mere presence names a cloud, as ds-identify looks for them (Vultr's installer, Scaleway's initrd). */
export const MARKER_FILES = ['/etc/vultr', '/var/run/scaleway'] as const;

/** Which of MARKER_FILES exist under the root. */
export function readMarkerFiles(host: Host): string[] {
  return MARKER_FILES.filter((p) => host.fs.stat(p) !== null);
}

/** Whether `file` (one of MARKER_FILES) was found. */
export function hasMarker(f: Pick<DetectFacts, 'markerFiles'>, file: (typeof MARKER_FILES)[number]): boolean {
  return f.markerFiles?.includes(file) ?? false;
}

export interface MoreFacts {
  /** A Xen guest (/proc/xen, or /sys/hypervisor/type says xen). */
  xen: boolean;
  /** IBM Cloud's provisioning boot: /root/provisioningConfiguration.cfg, and no /root/swinstall.log older than this boot. */
  ibmProvisioning: boolean;
  /** /var/lib/cloud/seed/maas holds files. */
  maasSeed: boolean;
  /** cloud.cfg or a cloud.cfg.d/*.cfg file has a `MAAS:` key line (ds-identify's check_config). */
  maasConfig: boolean;
  /** /var/lib/cloud/data/seed/bigstep/url is a file. */
  bigstepUrl: boolean;
  /** /native/.zonecontrol/metadata.sock is there (a SmartOS zone). */
  smartosZoneSocket: boolean;
  /** The kernel's version string (uname -v, /proc/sys/kernel/version): "BrandZ virtual linux" in an LX-branded SmartOS zone. */
  kernelVersion?: string | null;
}

/** Whether a cloud.cfg file names `key` as a YAML key on a line of its own, as ds-identify's check_config greps. */
export function configMentionsKey(host: Host, key: string): boolean {
  const files = [
    '/etc/cloud/cloud.cfg',
    ...host.fs
      .list('/etc/cloud/cloud.cfg.d')
      .filter((n) => n.endsWith('.cfg'))
      .sort()
      .map((n) => `/etc/cloud/cloud.cfg.d/${n}`),
  ];
  const line = new RegExp(`^\\s*["']?${key}["']?\\s*:`, 'm');
  return files.some((f) => line.test(safeText(host, f) ?? ''));
}

/** The facts in MoreFacts: a few stats and small reads. */
export function readMoreFacts(host: Host): MoreFacts {
  const isFile = (p: string) => host.fs.stat(p)?.isFile === true;
  const prov = '/root/provisioningConfiguration.cfg';
  const log = host.fs.stat('/root/swinstall.log');
  const environ = host.fs.stat('/proc/1/environ');
  // ds-identify: a swinstall.log not newer than PID 1's environment is from an earlier boot.
  const ibmProvisioning = isFile(prov) && (log === null || (environ !== null && log.mtimeMs > environ.mtimeMs));
  return {
    xen: host.fs.isDir('/proc/xen') || safeText(host, '/sys/hypervisor/type')?.trim() === 'xen',
    ibmProvisioning,
    maasSeed: host.fs.list(`${SEED_DIR}/maas`).length > 0,
    maasConfig: configMentionsKey(host, 'MAAS'),
    bigstepUrl: isFile('/var/lib/cloud/data/seed/bigstep/url'),
    smartosZoneSocket: host.fs.stat('/native/.zonecontrol/metadata.sock') !== null,
    kernelVersion: safeText(host, '/proc/sys/kernel/version')?.trim() ?? null,
  };
}

/** The names an OVF environment file goes by, on a seed directory or an ISO. */
export const OVF_ENV_NAMES = ['ovf-env.xml', 'ovf_env.xml', 'OVF_ENV.XML', 'OVF-ENV.XML'] as const;

export const SEED_DIR = '/var/lib/cloud/seed';

export function nonEmpty(s: string | null): string | null {
  return s === null || s === '' ? null : s;
}

/** Kernel command line words as key -> value (last wins), values unquoted. */
export function cmdlineArgs(cmdline: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of cmdline.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const w = m[0].replace(/"/g, '');
    const eq = w.indexOf('=');
    if (eq > 0) out.set(w.slice(0, eq), w.slice(eq + 1));
    else out.set(w, '');
  }
  return out;
}

/** The first filesystem carrying one of `labels`. */
export function labelled(f: DetectFacts, labels: readonly string[]): BlockFs | undefined {
  return f.filesystems.find((fs) => fs.label !== null && labels.includes(fs.label));
}

/** The platform facts: DMI, hypervisor, PID 1's environment. A few small reads, no commands. */
export function readPlatformFacts(host: Host): PlatformFacts {
  const dmiAvailable = host.fs.isDir('/sys/class/dmi/id');
  const dmi: DmiFacts = {
    sysVendor: nonEmpty(host.sysfs.dmi('sys_vendor')),
    productName: nonEmpty(host.sysfs.dmi('product_name')),
    productSerial: nonEmpty(host.sysfs.dmi('product_serial')),
    productUuid: nonEmpty(host.sysfs.dmi('product_uuid')),
    chassisAssetTag: nonEmpty(host.sysfs.dmi('chassis_asset_tag')),
    boardName: nonEmpty(host.sysfs.dmi('board_name')),
  };
  const environ = (safeText(host, '/proc/1/environ') ?? '').split('\0');
  const envVal = (k: string) => environ.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1) ?? null;
  return {
    x86: process.arch === 'x64' || process.arch === 'ia32',
    dmiAvailable,
    dmi,
    hypervisorUuid: nonEmpty(safeText(host, '/sys/hypervisor/uuid')?.trim() ?? null),
    pid1ProductName: nonEmpty(envVal('product_name')),
    container: nonEmpty(safeText(host, '/run/systemd/container')?.trim() ?? null) ?? nonEmpty(envVal('container')),
  };
}

function safeText(host: Host, p: string): string | null {
  try {
    return host.fs.readText(p);
  } catch {
    return null; // e.g. /proc/1/environ is not readable without privileges
  }
}

/** A special file (socket, most likely) rather than a file, directory or link: FileStat says no more. */
function isSocketLike(host: Host, p: string): boolean {
  const st = host.fs.stat(p, false);
  return st !== null && !st.isFile && !st.isDir && !st.isSymlink;
}

/** Whether the running kernel is WSL's (systemd-detect-virt's test: "microsoft" or "WSL" in the release). */
export function isWslKernel(osrelease: string | null): boolean {
  return osrelease !== null && /microsoft|wsl/i.test(osrelease);
}

/** Mount points of the Windows drives: 9p mounts with `aname=drvfs` in /proc/mounts. */
export function drvfsMounts(procMounts: string): string[] {
  return procMounts
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === '9p' && (f[3] ?? '').includes('aname=drvfs'))
    .map((f) => (f[1] as string).replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}

/** The WSL kernel release and the Windows drives; /proc/mounts is read only on a WSL kernel. */
function wslFacts(host: Host): DetectFacts['wsl'] {
  const kernelRelease = nonEmpty(safeText(host, '/proc/sys/kernel/osrelease')?.trim() ?? null);
  if (!isWslKernel(kernelRelease)) return { kernelRelease, drives: [] };
  return { kernelRelease, drives: drvfsMounts(safeText(host, '/proc/mounts') ?? '') };
}

/** Collects the facts. Cheap: a handful of small file reads, a few KiB of each block device. */
export function gatherFacts(host: Host, log?: Logger): DetectFacts {
  const hasFiles = (dir: string, files: string[]) => host.fs.isDir(dir) && files.every((f) => host.fs.stat(`${dir}/${f}`)?.isFile === true);
  let configDrive: string | null = null;
  for (const dir of ['/config-drive', `${SEED_DIR}/config_drive`]) {
    const versions = host.fs.list(`${dir}/openstack`);
    const ok = versions.some((v) => (/^2\d\d\d-\d\d-\d\d$/.test(v) || (v === 'latest' && dir !== '/config-drive')) && host.fs.stat(`${dir}/openstack/${v}/meta_data.json`)?.isFile);
    if (ok) {
      configDrive = dir;
      break;
    }
  }
  return {
    ...readPlatformFacts(host),
    cmdline: host.sysfs.cmdline(),
    filesystems: listFilesystems(host, log),
    seeds: {
      nocloud: hasFiles(`${SEED_DIR}/nocloud`, ['meta-data', 'user-data']),
      nocloudNet: hasFiles(`${SEED_DIR}/nocloud-net`, ['meta-data', 'user-data']),
      configDrive,
      ec2: hasFiles(`${SEED_DIR}/ec2`, ['meta-data', 'user-data']),
      azure: hasFiles(`${SEED_DIR}/azure`, ['ovf-env.xml']),
      ovf: host.fs.isDir(`${SEED_DIR}/ovf`) && OVF_ENV_NAMES.some((n) => host.fs.stat(`${SEED_DIR}/ovf/${n}`)?.isFile === true),
      opennebula: host.fs.isDir(`${SEED_DIR}/opennebula`),
      cloudInfo: host.fs.stat('/etc/sysconfig/cloud-info')?.isFile ? (safeText(host, '/etc/sysconfig/cloud-info')?.split('\n')[0] ?? null) : null,
    },
    markerFiles: readMarkerFiles(host),
    sockets: { lxd: isSocketLike(host, '/dev/lxd/sock') },
    wsl: wslFacts(host),
    more: readMoreFacts(host),
  };
}
