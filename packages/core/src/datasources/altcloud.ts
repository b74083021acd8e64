// AltCloud (images made by Image Factory for RHEV-M and vSphere): only user-data, from
// deltacloud-user-data.txt or user-data.txt on the floppy /dev/fd0 (RHEV) or on a CD
// labelled CDROM (vSphere). The back end is named in /etc/sysconfig/cloud-info, else
// guessed from the DMI product name. There is no meta-data: cloud-init gives every
// AltCloud instance the same fixed one, and so does nimbus.
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { textOf, type TreeReader } from './tree.js';
import { findDevicesByLabel, withDeviceTree } from './blockdev.js';

export const CLOUD_INFO = '/etc/sysconfig/cloud-info';
const FLOPPY = '/dev/fd0';
const WHO = 'datasource AltCloud';

/** cloud-init's meta-data for every AltCloud instance: the platform gives none. */
const FIXED_METADATA = { 'block-device-mapping': {}, 'instance-id': 455, 'local-hostname': 'localhost', placement: {} };

/** The back end, upper case: the cloud-info file's content, else RHEV/VSPHERE from the DMI product name, else UNKNOWN. */
export function altCloudType(cloudInfo: string | null, productName: string | null): string {
  if (cloudInfo !== null) return cloudInfo.trim().toUpperCase();
  const p = (productName ?? '').toUpperCase();
  if (p.startsWith('RHEV')) return 'RHEV';
  if (p.startsWith('VMWARE')) return 'VSPHERE';
  return 'UNKNOWN';
}

function userDataOf(tree: TreeReader): Uint8Array | null {
  const b = tree.readFile('deltacloud-user-data.txt') ?? tree.readFile('user-data.txt');
  // cloud-init strips the text, both ends.
  return b === null ? null : new Uint8Array(Buffer.from(textOf(b).trim(), 'utf8'));
}

async function rhev(ctx: DatasourceContext): Promise<{ ud: Uint8Array; device: string } | null> {
  const probe = ctx.host.exec.run(['modprobe', 'floppy'], { timeoutMs: 10_000 });
  if (probe.code !== 0 || probe.error) {
    ctx.log.warn(`${WHO}: modprobe floppy failed: ${probe.error ?? `exit ${probe.code}`} ${probe.stderr.trim()}`.trim());
    return null;
  }
  ctx.host.exec.run(['udevadm', 'settle', `--exit-if-exists=${FLOPPY}`, '--timeout=5'], { timeoutMs: 10_000 });
  if (!ctx.host.fs.exists(FLOPPY)) {
    ctx.log.debug(`${WHO}: no ${FLOPPY}`);
    return null;
  }
  const ud = await withDeviceTree(ctx, FLOPPY, userDataOf);
  return ud === null ? null : { ud, device: FLOPPY };
}

async function vsphere(ctx: DatasourceContext): Promise<{ ud: Uint8Array; device: string } | null> {
  for (const dev of findDevicesByLabel(ctx.host, ['CDROM'], ctx.log)) {
    const ud = await withDeviceTree(ctx, dev.device, userDataOf, { fsType: dev.type });
    if (ud !== null) return { ud, device: dev.device };
  }
  return null;
}

export const altCloudDatasource: Datasource = {
  name: 'AltCloud',
  aliases: ['DataSourceAltCloud'],
  needs: 'net',
  order: 7,
  detectedBy: '`/etc/sysconfig/cloud-info` saying `rhev` or `vsphere` (a "maybe": tried only when no other datasource is found)',
  detect(f) {
    const t = f.seeds.cloudInfo?.trim().toLowerCase();
    if (t === 'rhev' || t === 'vsphere') return { verdict: 'maybe', reason: `${CLOUD_INFO} says ${t}` };
    return { verdict: 'not-found', reason: f.seeds.cloudInfo === null ? `no ${CLOUD_INFO}` : `${CLOUD_INFO} names neither rhev nor vsphere` };
  },
  network: { formats: [], from: 'none: fallback networking' },
  options: [],
  async find(ctx) {
    const type = altCloudType(ctx.host.fs.exists(CLOUD_INFO) ? ctx.host.fs.readText(CLOUD_INFO) : null, ctx.host.sysfs.dmi('product_name'));
    let found: { ud: Uint8Array; device: string } | null = null;
    if (type.includes('RHEV')) found = await rhev(ctx);
    else if (type.includes('VSPHERE')) found = await vsphere(ctx);
    else {
      ctx.log.debug(`${WHO}: cloud type ${type}`);
      return null;
    }
    if (found === null) {
      ctx.log.warn(`${WHO}: cloud type ${type} but no deltacloud-user-data.txt or user-data.txt found`);
      return null;
    }
    const result: DatasourceResult = {
      dsname: 'AltCloud',
      description: `DataSourceAltCloud [seed=${found.device}]`,
      cloudName: 'altcloud',
      platform: 'altcloud',
      subplatform: `${type.toLowerCase()} (${found.device})`,
      dsmode: 'net',
      instanceId: String(FIXED_METADATA['instance-id']),
      localHostname: FIXED_METADATA['local-hostname'],
      publicKeys: [],
      metadata: { ...FIXED_METADATA },
      userdata: found.ud,
      vendordata: null,
      networkConfig: null,
    };
    return result;
  },
};
