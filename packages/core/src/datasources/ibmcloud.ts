// IBM Cloud (SoftLayer) on Xen: two config-drive-like disks, found by label.
// - "OS code" instances: a disk labelled config-2 whose filesystem UUID is 9796-932E
//   (which is how it differs from an OpenStack config drive), with
//   openstack/latest/{meta_data.json, user_data, vendor_data.json, network_data.json};
//   its network_data.json is the network config.
// - "template" instances after provisioning: a disk labelled METADATA with the same
//   layout; networking was set up by the provisioning boot, so network config is off.
// During the provisioning boot itself (/root/provisioningConfiguration.cfg) the
// datasource stands aside, as cloud-init does.
import { isDict } from '../config/merge.js';
import { JsonError, parseJson } from '../util/json.js';
import { listFilesystems, withDeviceTree, type BlockFs } from './blockdev.js';
import { readMoreFacts, type DetectFacts } from './facts.js';
import { DEFAULT_INSTANCE_ID, normalizeKeys } from './cloud-meta.js';
import { vendordataBytes } from './openstack-format.js';
import { textOf, type TreeReader } from './tree.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';

export const IBM_CONFIG_UUID = '9796-932E';
export const IBM_OS_CODE = 'OS-Code/Live';
export const IBM_TEMPLATE_LIVE = 'Template/Live/Metadata';

export interface IbmDisk {
  platform: typeof IBM_OS_CODE | typeof IBM_TEMPLATE_LIVE;
  fs: BlockFs;
}

/** IBM's disk among the filesystems: config-2 with IBM's UUID (OS code) before METADATA (template); labels compared without case, the first of each. */
export function ibmDisk(filesystems: readonly BlockFs[]): IbmDisk | null {
  const sorted = [...filesystems].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
  const cfg2 = sorted.find((f) => f.label?.toUpperCase() === 'CONFIG-2' && f.uuid?.toUpperCase() === IBM_CONFIG_UUID);
  if (cfg2) return { platform: IBM_OS_CODE, fs: cfg2 };
  const md = sorted.find((f) => f.label?.toUpperCase() === 'METADATA');
  return md ? { platform: IBM_TEMPLATE_LIVE, fs: md } : null;
}

/** Whether the facts show IBM Cloud's config disk (ConfigDrive stands aside for it). */
export function isIbmCloud(f: DetectFacts): boolean {
  return f.more?.xen === true && ibmDisk(f.filesystems) !== null;
}

function json(tree: TreeReader, rel: string): unknown {
  const b = tree.readFile(rel);
  if (b === null) return null;
  try {
    return parseJson(textOf(b), `${tree.label}/${rel}`);
  } catch (e) {
    throw new DatasourceError(e instanceof JsonError ? e.message : `${tree.label}/${rel}: ${(e as Error).message}`);
  }
}

/** Reads IBM's disk; throws DatasourceError naming the file and key when it is broken. */
export function readIbmTree(tree: TreeReader, platform: IbmDisk['platform'], source: string): DatasourceResult {
  const mdFile = `${tree.label}/openstack/latest/meta_data.json`;
  const raw = json(tree, 'openstack/latest/meta_data.json');
  if (raw === null) throw new DatasourceError(`${mdFile}: missing (IBM Cloud's config disk must have it)`);
  if (!isDict(raw)) throw new DatasourceError(`${mdFile}: expected a JSON object`);
  // cloud-init keeps only these, under its own names.
  const metadata: Record<string, unknown> = {};
  for (const [from, to] of [
    ['public_keys', 'public-keys'],
    ['hostname', 'local-hostname'],
    ['uuid', 'instance-id'],
  ] as const) {
    if (raw[from] !== undefined) metadata[to] = raw[from];
  }
  if (raw['random_seed'] !== undefined) {
    const seed = raw['random_seed'];
    if (typeof seed !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(seed)) throw new DatasourceError(`${mdFile}: key "random_seed": not base64`);
    metadata['random_seed'] = seed;
  }
  const iid = metadata['instance-id'] ?? DEFAULT_INSTANCE_ID;
  if (typeof iid !== 'string' || iid.trim() === '') throw new DatasourceError(`${mdFile}: key "uuid": expected the instance-id as a string, not ${JSON.stringify(iid)}`);
  const vdFile = `${tree.label}/openstack/latest/vendor_data.json`;
  const ndFile = `${tree.label}/openstack/latest/network_data.json`;
  const nd = platform === IBM_OS_CODE ? json(tree, 'openstack/latest/network_data.json') : null;
  const result: DatasourceResult = {
    dsname: 'IBMCloud',
    description: `DataSourceIBMCloud [${platform} ${source}]`,
    cloudName: 'ibmcloud',
    platform: 'ibmcloud',
    subplatform: `${platform} (${source})`,
    dsmode: 'net',
    instanceId: iid.trim(),
    publicKeys: normalizeKeys(metadata['public-keys'] ?? null).filter((k) => k.trim() !== ''),
    metadata,
    userdata: tree.readFile('openstack/latest/user_data'),
    vendordata: vendordataBytes(json(tree, 'openstack/latest/vendor_data.json'), vdFile),
    // The template's provisioning boot configured the network; cloud-init turns its own off there.
    networkConfig:
      platform === IBM_OS_CODE
        ? nd === null
          ? null
          : { format: 'network_data.json', config: nd, source: ndFile }
        : { format: 'v1', config: { version: 1, config: 'disabled' }, source: `${source} (IBM Cloud template: networking set up by provisioning)` },
  };
  const host = metadata['local-hostname'];
  if (typeof host === 'string' && host !== '') result.localHostname = host;
  return result;
}

export const ibmCloudDatasource: Datasource = {
  name: 'IBMCloud',
  aliases: ['DataSourceIBMCloud'],
  needs: 'local',
  order: 22,
  detectedBy: 'on Xen: a filesystem labelled `config-2` with UUID `9796-932E`, or one labelled `METADATA`; not during the provisioning boot (`/root/provisioningConfiguration.cfg`)',
  detect(f) {
    if (f.more?.ibmProvisioning) return { verdict: 'not-found', reason: 'IBM Cloud provisioning boot (/root/provisioningConfiguration.cfg): cloud-init stands aside' };
    if (f.more?.xen !== true) return { verdict: 'not-found', reason: 'not a Xen guest' };
    const d = ibmDisk(f.filesystems);
    if (d === null) return { verdict: 'not-found', reason: `no filesystem labelled METADATA, or config-2 with UUID ${IBM_CONFIG_UUID}` };
    return { verdict: 'found', reason: `${d.platform}: ${d.fs.device} labelled ${d.fs.label}${d.platform === IBM_OS_CODE ? ` with UUID ${IBM_CONFIG_UUID}` : ''}` };
  },
  network: { formats: ['network_data.json', 'v1'], from: '`openstack/latest/network_data.json` on the OS-code disk; disabled on template instances (provisioning set it up)' },
  options: [],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const more = readMoreFacts(ctx.host);
    if (!more.xen) {
      ctx.log.debug('IBMCloud: not a Xen guest');
      return null;
    }
    if (more.ibmProvisioning) {
      ctx.log.info('IBMCloud: provisioning boot (/root/provisioningConfiguration.cfg); the datasource stands aside');
      return null;
    }
    const d = ibmDisk(listFilesystems(ctx.host, ctx.log));
    if (d === null) return null;
    return withDeviceTree(ctx, d.fs.device, (tree) => readIbmTree(tree, d.platform, d.fs.device), d.fs.type ? { fsType: d.fs.type } : {});
  },
};
