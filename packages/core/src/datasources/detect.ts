// The local probe that runs before any wait, as cloud-init's ds-identify does: gather a
// few cheap facts (DMI, filesystem labels, seed directories, the kernel command line)
// and decide which datasources can possibly be here. A machine with none skips every
// network wait and finishes the local stage at once. Gathering is one small function
// with effects through host; the decision is a pure function of the facts.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import { listFilesystems, type BlockFs } from './blockdev.js';

export interface DmiFacts {
  sysVendor: string | null;
  productName: string | null;
  productSerial: string | null;
  productUuid: string | null;
  chassisAssetTag: string | null;
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
  };
}

export type CheckVerdict = 'found' | 'maybe' | 'not-found' | 'not-supported';

export interface DsCheck {
  name: string;
  verdict: CheckVerdict;
  reason: string;
}

export interface DetectVerdict {
  /** The datasources to try, in datasource_list order; [] or ["None"] means no wait at all. */
  datasources: string[];
  checks: DsCheck[];
  /** A datasource named on the kernel command line (ci.ds= / ci.datasource=), trusted as is. */
  forced: string | null;
  /** One line for the log and status. */
  summary: string;
}

/** What nimbus implements; other names in datasource_list are reported as not supported. */
export const KNOWN_DATASOURCES = ['ConfigDrive', 'NoCloud', 'OpenStack', 'Ec2', 'None'] as const;

const CONFIG_DRIVE_LABELS = ['config-2', 'CONFIG-2'];
const NOCLOUD_LABELS = ['cidata', 'CIDATA'];
const OPENSTACK_PRODUCTS = ['OpenStack Nova', 'OpenStack Compute'];
const OPENSTACK_ASSET_TAGS = ['OpenTelekomCloud', 'SAP CCloud VM', 'HUAWEICLOUD', 'OpenStack Nova', 'OpenStack Compute'];
const SEED = '/var/lib/cloud/seed';

function nonEmpty(s: string | null): string | null {
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

/** The platform facts: DMI, hypervisor, PID 1's environment. A few small reads, no commands. */
export function readPlatformFacts(host: Host): PlatformFacts {
  const dmiAvailable = host.fs.isDir('/sys/class/dmi/id');
  const dmi: DmiFacts = {
    sysVendor: nonEmpty(host.sysfs.dmi('sys_vendor')),
    productName: nonEmpty(host.sysfs.dmi('product_name')),
    productSerial: nonEmpty(host.sysfs.dmi('product_serial')),
    productUuid: nonEmpty(host.sysfs.dmi('product_uuid')),
    chassisAssetTag: nonEmpty(host.sysfs.dmi('chassis_asset_tag')),
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

/** Collects the facts. Cheap: a handful of small file reads and at most one blkid call. */
export function gatherFacts(host: Host, log?: Logger): DetectFacts {
  const hasFiles = (dir: string, files: string[]) => host.fs.isDir(dir) && files.every((f) => host.fs.stat(`${dir}/${f}`)?.isFile === true);
  let configDrive: string | null = null;
  for (const dir of ['/config-drive', `${SEED}/config_drive`]) {
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
      nocloud: hasFiles(`${SEED}/nocloud`, ['meta-data', 'user-data']),
      nocloudNet: hasFiles(`${SEED}/nocloud-net`, ['meta-data', 'user-data']),
      configDrive,
      ec2: hasFiles(`${SEED}/ec2`, ['meta-data', 'user-data']),
    },
  };
}

function hasLabel(f: DetectFacts, labels: string[]): BlockFs | undefined {
  return f.filesystems.find((fs) => fs.label !== null && labels.includes(fs.label));
}

/** Whether DMI (or PID 1's environment) says this is an OpenStack instance. */
export function isOpenStackPlatform(f: PlatformFacts): boolean {
  if (f.container === null && f.dmi.productName !== null && OPENSTACK_PRODUCTS.includes(f.dmi.productName)) return true;
  if (f.pid1ProductName === 'OpenStack Nova') return true;
  return f.container === null && f.dmi.chassisAssetTag !== null && OPENSTACK_ASSET_TAGS.includes(f.dmi.chassisAssetTag);
}

/** The EC2-compatible cloud DMI identifies ("AWS", "Brightbox", ...), or null. */
export function ec2Platform(f: PlatformFacts): string | null {
  const { productSerial: serial, chassisAssetTag: tag, sysVendor: vendor, productName: product, productUuid: uuid } = f.dmi;
  if (serial?.endsWith('.brightbox.com')) return 'Brightbox';
  if (tag?.endsWith('.zstack.io')) return 'ZStack';
  if (vendor === 'e24cloud') return 'E24cloud';
  if (product === '3DS Outscale VM' && vendor === '3DS Outscale') return 'Outscale';
  if (f.hypervisorUuid?.startsWith('ec2')) return 'AWS';
  if (uuid && serial && /^ec2/i.test(uuid) && /^ec2/i.test(serial) && uuid.toLowerCase() === serial.toLowerCase()) return 'AWS';
  return null;
}

function checkOne(name: string, f: DetectFacts): DsCheck {
  const args = cmdlineArgs(f.cmdline);
  const v = (verdict: CheckVerdict, reason: string): DsCheck => ({ name, verdict, reason });
  switch (name) {
    case 'ConfigDrive': {
      if (f.seeds.configDrive) return v('found', `seed directory ${f.seeds.configDrive}`);
      const l = hasLabel(f, CONFIG_DRIVE_LABELS);
      return l ? v('found', `filesystem labelled ${l.label} on ${l.device}`) : v('not-found', 'no config-2 filesystem or seed directory');
    }
    case 'NoCloud': {
      const ds = args.get('ds');
      if (ds !== undefined && /^nocloud/.test(ds)) return v('found', `ds=${ds} on the kernel command line`);
      if (f.dmi.productSerial?.includes('ds=nocloud')) return v('found', 'ds=nocloud in the DMI product serial');
      if (f.seeds.nocloud) return v('found', `seed directory ${SEED}/nocloud`);
      if (f.seeds.nocloudNet) return v('found', `seed directory ${SEED}/nocloud-net`);
      const l = hasLabel(f, NOCLOUD_LABELS);
      return l ? v('found', `filesystem labelled ${l.label} on ${l.device}`) : v('not-found', 'no cidata filesystem, seed directory or ds=nocloud');
    }
    case 'OpenStack': {
      // A config drive carries the same data without a network wait.
      if (f.seeds.configDrive || hasLabel(f, CONFIG_DRIVE_LABELS)) return v('not-found', 'a config drive is present instead');
      if (isOpenStackPlatform(f)) return v('found', `DMI says OpenStack (${f.dmi.productName ?? f.dmi.chassisAssetTag ?? f.pid1ProductName})`);
      if (!f.dmiAvailable && !f.x86) return v('maybe', 'no DMI on this machine to tell');
      return v('not-found', `DMI product "${f.dmi.productName ?? ''}" is not OpenStack`);
    }
    case 'Ec2': {
      if (f.seeds.ec2) return v('found', `seed directory ${SEED}/ec2`);
      if (f.container) return v('not-found', `in a container (${f.container})`);
      const p = ec2Platform(f);
      if (p) return v('found', `DMI says ${p}`);
      if (!f.dmiAvailable && !f.x86) return v('maybe', 'no DMI on this machine to tell');
      return v('not-found', 'DMI does not identify an EC2 platform');
    }
    case 'None':
      return v('found', 'always available');
    default:
      return v('not-supported', `not supported: datasource ${name}`);
  }
}

/**
 * Decides which datasources to try, as ds-identify does: a datasource named on the
 * kernel command line is trusted; a list with one entry (besides None) is used as is;
 * otherwise every "found" source in list order, or when none is found, the "maybe"
 * ones (only on machines without DMI that are not x86: on x86 no DMI means a container
 * or an offline root, where no metadata service is worth a wait). None stays last
 * when the list has it.
 */
export function decideDatasources(f: DetectFacts, datasourceList: readonly string[]): DetectVerdict {
  const args = cmdlineArgs(f.cmdline);
  const forced = nonEmpty(args.get('ci.ds') ?? args.get('ci.datasource') ?? null);
  const withNone = (names: string[]) => (datasourceList.includes('None') && !names.includes('None') ? [...names, 'None'] : names);
  if (forced) {
    return { datasources: withNone([forced]), checks: [], forced, summary: `datasource ${forced} named on the kernel command line` };
  }
  const real = datasourceList.filter((n) => n !== 'None');
  if (real.length === 1) {
    const only = real[0] as string;
    return { datasources: withNone([only]), checks: [], forced: null, summary: `single entry in datasource_list: ${only}` };
  }
  const checks = real.map((n) => checkOne(n, f));
  const found = checks.filter((c) => c.verdict === 'found').map((c) => c.name);
  const maybe = checks.filter((c) => c.verdict === 'maybe').map((c) => c.name);
  const chosen = found.length > 0 ? found : maybe;
  const summary =
    chosen.length > 0
      ? `${found.length > 0 ? 'found' : 'maybe'}: ${chosen.join(', ')}`
      : `no datasource found (${checks.map((c) => `${c.name}: ${c.reason}`).join('; ') || 'empty datasource_list'})`;
  return { datasources: withNone(chosen), checks, forced: null, summary };
}

/** Where the verdict is kept for `nimbus status` and for people debugging a boot. */
export const DETECT_RECORD = '/run/cloud-init/ds-identify.json';

/** Writes the verdict and the facts behind it to /run/cloud-init/ds-identify.json. */
export function recordVerdict(host: Host, facts: DetectFacts, verdict: DetectVerdict): void {
  host.fs.write(DETECT_RECORD, JSON.stringify({ verdict, facts }, null, 2) + '\n', { mode: 0o644 });
}

/** The verdict as ds-identify writes it to /run/cloud-init/cloud.cfg, for tools that read that file. */
export function verdictCloudCfg(verdict: DetectVerdict): string {
  return `# written by nimbus detect: ${verdict.summary.replace(/\n/g, ' ')}\ndatasource_list: [ ${verdict.datasources.join(', ')} ]\n`;
}
