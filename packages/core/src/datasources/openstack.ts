// The OpenStack metadata service (Nova, http://169.254.169.254/openstack), read in the
// network stage: the version list, the newest version nimbus knows (else "latest"),
// meta_data.json (required), and user_data, vendor_data.json and network_data.json
// (each optional: 404 is fine). Everything runs under one time budget.
import { setKey } from '../util/object.js';
import { DatasourceError, type Datasource, type DatasourceContext, type DatasourceResult, type Dsmode } from './types.js';
import { HttpError, MetadataClient, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { isOpenStackPlatform, readPlatformFacts } from './detect.js';
import { crawlEc2MetaData } from './ec2.js';

/** Dated metadata versions nimbus reads, oldest first (Nova's names for them). */
const OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27'] as const;

export const OPENSTACK_DEFAULT_URL = 'http://169.254.169.254';

/** Keys of meta_data.json that are secrets: they go to the sensitive data only. */
const SECRET_KEYS = ['admin_pass'];

/** Picks the newest supported version the service lists, else "latest". */
export function chooseOpenStackVersion(listed: readonly string[]): string {
  const have = new Set(listed.map((l) => l.trim().replace(/\/$/, '')));
  for (let i = OPENSTACK_VERSIONS.length - 1; i >= 0; i--) {
    const v = OPENSTACK_VERSIONS[i] as string;
    if (have.has(v)) return v;
  }
  return 'latest';
}

/** SSH keys as cloud-init accepts them: a string (one key per line), a list, or a dict of name -> key(s). */
export function normalizePublicKeys(v: unknown): string[] {
  const out: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'string') {
      for (const line of x.split('\n')) if (line.trim() !== '') out.push(line.trim());
    } else if (Array.isArray(x)) x.forEach(add);
  };
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.values(v as Record<string, unknown>).forEach(add);
  else add(v);
  return out;
}

/**
 * vendor_data.json as user-data bytes: a string as is; a dict's "cloud-init" entry; a
 * list of parts as a #cloud-config-archive (which is what such a list means to cloud-init).
 */
export function vendordataBytes(v: unknown, source: string): Uint8Array | null {
  let d: unknown = v;
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) d = (d as Record<string, unknown>)['cloud-init'];
  if (d === undefined || d === null || d === '') return null;
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (Array.isArray(d)) return Buffer.from('#cloud-config-archive\n' + JSON.stringify(d) + '\n', 'utf8');
  throw new DatasourceError(`${source}: vendor data "cloud-init" must be a string or a list, not ${typeof d}`);
}

export interface OpenStackMeta {
  instanceId: string;
  localHostname?: string;
  availabilityZone?: string;
  publicKeys: string[];
  dsmode?: Dsmode;
  /** meta_data `files`: where each goes and where its content is (relative to openstack/). */
  files: { path: string; contentPath: string }[];
  /** The metadata with secrets taken out. */
  metadata: Record<string, unknown>;
  sensitive: Record<string, unknown>;
}

/** Reads an OpenStack meta_data.json object (metadata service or config drive). */
export function parseOpenStackMetadata(md: unknown, source: string): OpenStackMeta {
  if (md === null || typeof md !== 'object' || Array.isArray(md)) throw new DatasourceError(`${source}: expected a JSON object`);
  const m = md as Record<string, unknown>;
  const uuid = m['uuid'];
  if (typeof uuid !== 'string' || uuid.trim() === '') throw new DatasourceError(`${source}: no "uuid" (the instance-id)`);
  const metadata: Record<string, unknown> = {};
  const sensitive: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) setKey(SECRET_KEYS.includes(k) ? sensitive : metadata, k, v);
  const out: OpenStackMeta = { instanceId: uuid.trim(), publicKeys: normalizePublicKeys(m['public_keys']), files: [], metadata, sensitive };
  if (typeof m['hostname'] === 'string' && m['hostname'] !== '') out.localHostname = m['hostname'];
  if (typeof m['availability_zone'] === 'string' && m['availability_zone'] !== '') out.availabilityZone = m['availability_zone'];
  const dsmode = m['dsmode'];
  if (dsmode === 'local' || dsmode === 'net' || dsmode === 'disabled' || dsmode === 'pass') out.dsmode = dsmode;
  const files = m['files'];
  if (files !== undefined) {
    if (!Array.isArray(files)) throw new DatasourceError(`${source}: "files" must be a list`);
    files.forEach((f, i) => {
      const e = f as Record<string, unknown> | null;
      if (!e || typeof e['path'] !== 'string' || typeof e['content_path'] !== 'string') {
        throw new DatasourceError(`${source}: files[${i}] needs "path" and "content_path"`);
      }
      out.files.push({ path: e['path'], contentPath: e['content_path'] });
    });
  }
  return out;
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
  needs: 'net',
  async find(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const { log } = ctx;
    const platform = readPlatformFacts(ctx.host);
    // As cloud-init: only where DMI says OpenStack, or on a machine without DMI (not x86).
    if (!isOpenStackPlatform(platform) && (platform.dmiAvailable || platform.x86)) {
      log.debug(`OpenStack: DMI product "${platform.dmi.productName ?? ''}" is not OpenStack, not asking the metadata service`);
      return null;
    }
    const s = metadataSettings(ctx.dsCfg, { urls: [OPENSTACK_DEFAULT_URL], timeout: 5, retries: 3, maxWait: 10 });
    for (const p of s.problems) log.warn(`datasource OpenStack: ${p}`);
    const client = new MetadataClient(s.budgetMs, { timeoutMs: s.timeoutMs, retries: s.retries }, () => ctx.host.clock.monotonicMs(), (m) => log.debug(m));
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
