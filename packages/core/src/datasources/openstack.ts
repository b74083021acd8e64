// The OpenStack metadata service (Nova, http://169.254.169.254/openstack), read in the
// network stage: the version list, the newest version nimbus knows (else "latest"),
// meta_data.json (required), and user_data, vendor_data.json and network_data.json
// (each optional: 404 is fine). Everything runs under one time budget.
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult } from './types.js';
import { HttpError, METADATA_DEFAULTS, METADATA_SERVICE_OPTIONS, type MetadataClient, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { readPlatformFacts, type PlatformFacts } from './facts.js';
import { configDriveSeen } from './configdrive.js';
import { crawlEc2MetaData } from './ec2.js';
import { chooseOpenStackVersion, parseOpenStackMetadata, vendordataBytes } from './openstack-format.js';
import { metadataClient } from './cloud-meta.js';

export { chooseOpenStackVersion, normalizePublicKeys, parseOpenStackMetadata, vendordataBytes, type OpenStackMeta } from './openstack-format.js';

export const OPENSTACK_DEFAULT_URL = 'http://169.254.169.254';

const OPENSTACK_PRODUCTS = ['OpenStack Nova', 'OpenStack Compute'];
// cloud-init 25.x's list: the Nova product names, and the public clouds that mark their
// Nova instances by chassis asset tag instead (Samsung Cloud Platform is new in 25.x).
const OPENSTACK_ASSET_TAGS = ['OpenTelekomCloud', 'SAP CCloud VM', 'HUAWEICLOUD', 'Samsung Cloud Platform', 'OpenStack Nova', 'OpenStack Compute'];

/** Whether DMI (or PID 1's environment) says this is an OpenStack instance. */
export function isOpenStackPlatform(f: PlatformFacts): boolean {
  if (f.container === null && f.dmi.productName !== null && OPENSTACK_PRODUCTS.includes(f.dmi.productName)) return true;
  if (f.pid1ProductName === 'OpenStack Nova') return true;
  return f.container === null && f.dmi.chassisAssetTag !== null && OPENSTACK_ASSET_TAGS.includes(f.dmi.chassisAssetTag);
}

/** Whether a failure means "no metadata service here" rather than "a broken one". */
function unreachable(e: unknown): boolean {
  return e instanceof HttpError && (e.kind === 'connection' || e.kind === 'timeout' || e.kind === 'budget');
}

function jsonObject(url: string, body: Uint8Array): unknown {
  try {
    return parseJsonBody(url, body);
  } catch (e) {
    throw new DatasourceError((e as Error).message);
  }
}

async function readFromBase(ctx: DatasourceContext, client: MetadataClient, base: string): Promise<DatasourceResult | null> {
  const { log } = ctx;
  const top = `${base}/openstack`;
  const listing = await client.request(top, { accept: [404] });
  if (listing.status === 404) {
    log.debug(`${top}: 404, no OpenStack metadata here`);
    return null;
  }
  const version = chooseOpenStackVersion(bodyText(listing.body).split('\n'));
  const vbase = `${top}/${version}`;
  log.debug(`OpenStack metadata: using version ${version} at ${vbase}`);
  const need = async (url: string) => {
    try {
      return await client.get(url);
    } catch (e) {
      throw new DatasourceError(`required ${(e as Error).message}`);
    }
  };
  const optional = async (url: string) => {
    try {
      return await client.getOptional(url);
    } catch (e) {
      throw new DatasourceError((e as Error).message);
    }
  };
  const mdUrl = `${vbase}/meta_data.json`;
  const meta = parseOpenStackMetadata(jsonObject(mdUrl, await need(mdUrl)), mdUrl);
  const userdata = await optional(`${vbase}/user_data`);
  const vdUrl = `${vbase}/vendor_data.json`;
  const vdBody = await optional(vdUrl);
  const vendordata = vdBody === null ? null : vendordataBytes(jsonObject(vdUrl, vdBody), vdUrl);
  // Newton (2016-10-06) added vendor_data2.json, the second vendor-data layer; older
  // versions do not have it, so they are not asked.
  let vendordata2: Uint8Array | null = null;
  if (version === 'latest' || version >= '2016-10-06') {
    const vd2Url = `${vbase}/vendor_data2.json`;
    const vd2Body = await optional(vd2Url);
    vendordata2 = vd2Body === null ? null : vendordataBytes(jsonObject(vd2Url, vd2Body), vd2Url);
  }
  const ndUrl = `${vbase}/network_data.json`;
  const ndBody = ctx.dsCfg['apply_network_config'] === false ? null : await optional(ndUrl);
  const files: { path: string; content: Uint8Array }[] = [];
  for (const f of meta.files) {
    const rel = f.contentPath.replace(/^\/+/, '');
    if (rel.split('/').includes('..')) throw new DatasourceError(`${mdUrl}: content_path ${JSON.stringify(f.contentPath)} leaves openstack/`);
    files.push({ path: f.path, content: await need(`${top}/${rel}`) });
  }
  // Nova also serves the EC2-style tree; cloud-init keeps it (block-device-mapping for
  // the mounts module). It is optional: a failure costs a debug line, not the datasource.
  let ec2: Awaited<ReturnType<typeof crawlEc2MetaData>> | null = null;
  try {
    ec2 = await crawlEc2MetaData(client, base);
  } catch (e) {
    log.debug(`OpenStack: no EC2-style metadata: ${(e as Error).message}`);
  }
  const result: DatasourceResult = {
    dsname: 'OpenStack',
    description: `DataSourceOpenStack [${meta.dsmode ?? 'net'},ver=2]`,
    cloudName: 'openstack',
    platform: 'openstack',
    subplatform: `metadata (${base})`,
    dsmode: meta.dsmode ?? 'net',
    instanceId: meta.instanceId,
    publicKeys: meta.publicKeys,
    metadata: meta.metadata,
    userdata,
    vendordata,
    vendordata2,
    networkConfig: ndBody === null ? null : { format: 'network_data.json', config: jsonObject(ndUrl, ndBody), source: ndUrl },
  };
  if (meta.localHostname !== undefined) result.localHostname = meta.localHostname;
  if (meta.availabilityZone !== undefined) result.availabilityZone = meta.availabilityZone;
  if (files.length > 0) result.files = files;
  if (ec2 && Object.keys(ec2.tree).length > 0) result.ec2Metadata = ec2.tree;
  const sensitive: Record<string, unknown> = { ...meta.sensitive };
  if (ec2 && Object.keys(ec2.secrets).length > 0) sensitive['ec2-meta-data'] = ec2.secrets;
  if (Object.keys(sensitive).length > 0) result.sensitive = sensitive;
  return result;
}

export const openStackDatasource: Datasource = {
  name: 'OpenStack',
  aliases: ['DataSourceOpenStack', 'DataSourceOpenStackLocal'],
  needs: 'net',
  order: 12,
  detectedBy:
    'DMI product `OpenStack Nova`/`OpenStack Compute`, an OpenStack chassis asset tag (also OpenTelekomCloud, SAP CCloud VM, HUAWEICLOUD, Samsung Cloud Platform), or `product_name=OpenStack Nova` in PID 1\'s environment; "maybe" on a machine that is not x86 (its DMI does not name Nova); never when a config drive is present (same data, no network wait)',
  detect(f) {
    if (configDriveSeen(f) !== null) return { verdict: 'not-found', reason: 'a config drive is present instead' };
    if (isOpenStackPlatform(f)) return { verdict: 'found', reason: `DMI says OpenStack (${f.dmi.productName ?? f.dmi.chassisAssetTag ?? f.pid1ProductName})` };
    if (!f.x86) return { verdict: 'maybe', reason: 'not an x86 machine: its DMI does not name OpenStack' };
    return { verdict: 'not-found', reason: `DMI product "${f.dmi.productName ?? ''}" is not OpenStack` };
  },
  network: { formats: ['network_data.json'], from: '`<url>/openstack/<version>/network_data.json`' },
  options: [...METADATA_SERVICE_OPTIONS, { key: 'apply_network_config', meaning: '`false` ignores network_data.json', default: 'true' }],
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const { log } = ctx;
    const platform = readPlatformFacts(ctx.host);
    // As cloud-init: only where DMI says OpenStack, or on a machine that is not x86 (whose DMI does not name Nova).
    if (!isOpenStackPlatform(platform) && platform.x86) {
      log.debug(`OpenStack: DMI product "${platform.dmi.productName ?? ''}" is not OpenStack, not asking the metadata service`);
      return null;
    }
    const s = metadataSettings(ctx.dsCfg, { urls: [OPENSTACK_DEFAULT_URL], ...METADATA_DEFAULTS });
    for (const p of s.problems) log.warn(`datasource OpenStack: ${p}`);
    const client = metadataClient(ctx, s);
    const failures: string[] = [];
    for (const base of s.urls) {
      try {
        const r = await readFromBase(ctx, client, base);
        if (r) return r;
      } catch (e) {
        if (!unreachable(e)) throw e instanceof DatasourceError ? e : new DatasourceError((e as Error).message);
        failures.push((e as Error).message);
      }
    }
    if (failures.length > 0) log.warn(`OpenStack metadata service not reachable: ${failures.join('; ')}`);
    return null;
  },
};
