// VMware: meta-data, user-data and vendor-data from the VM's guestinfo variables
// (guestinfo.metadata, .userdata, .vendordata, each with an optional .encoding of
// base64 or gzip+base64), read with vmware-rpctool or vmtoolsd (vmware-rpc.ts). The
// meta-data is JSON or YAML and may carry the network config under `network`.
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { DatasourceError } from './types.js';
import { decodeGuestinfo, guestinfoOf, GUESTINFO_ENCODINGS, GUESTINFO_REDACTED, isVmwarePlatform, readGuestinfo, type Guestinfo } from './vmware-rpc.js';
import { networkConfigOf, yamlOf } from './network-config.js';
import { isDict, type Dict } from '../config/merge.js';
import { jsonDepthProblem } from '../util/json.js';

const WHO = 'datasource VMware';

/** Meta-data text: JSON when it parses as JSON, else YAML; errors name `source`, line and column. */
export function jsonOrYaml(text: string, source: string): unknown {
  if (text.trim() === '') return null;
  try {
    const v: unknown = JSON.parse(text);
    const deep = jsonDepthProblem(text);
    if (deep !== null) throw new DatasourceError(`${source}:${deep.line}:${deep.col}: ${deep.reason}`);
    return v;
  } catch (e) {
    if (e instanceof DatasourceError) throw e;
    return yamlOf(text, source);
  }
}

/** Public keys from a string (one a line), a list, or a mapping of them. */
export function keysOf(v: unknown): string[] {
  const out: string[] = [];
  const add = (x: unknown) => {
    if (typeof x === 'string')
      out.push(
        ...x
          .split('\n')
          .map((k) => k.trim())
          .filter((k) => k !== ''),
      );
    else if (Array.isArray(x)) x.forEach(add);
    else if (isDict(x)) Object.values(x).forEach(add);
  };
  add(v);
  return out;
}

/**
 * The meta-data with its network config decoded: `network` a mapping, or text encoded
 * as `network.encoding` says; kept as `network: {config: ...}` as cloud-init keeps it.
 */
export function processMetadata(md: Dict, source: string): { metadata: Dict; network: unknown } {
  const out: Dict = { ...md };
  const raw = out.network;
  const enc = out['network.encoding'];
  delete out['network.encoding'];
  if (raw === undefined || raw === null || raw === '') {
    delete out.network;
    return { metadata: out, network: null };
  }
  if (enc !== undefined && enc !== null && typeof enc !== 'string') throw new DatasourceError(`${source}: key "network.encoding" must be one of ${GUESTINFO_ENCODINGS.join(', ')}`);
  let config: unknown;
  if (isDict(raw)) config = raw;
  else if (typeof raw === 'string') config = jsonOrYaml(Buffer.from(decodeGuestinfo(`${source} key network`, enc ?? null, raw)).toString('utf8'), `${source} key network`);
  else throw new DatasourceError(`${source}: key "network" must be a mapping or encoded text, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  out.network = { config };
  return { metadata: out, network: config };
}

/** Clears the keys the meta-data asks to be redacted (`redact` or `cleanup-guestinfo`), as cloud-init does. */
function redact(g: Guestinfo, md: Dict, ctx: DatasourceContext): void {
  const which = md.redact ?? md['cleanup-guestinfo'];
  if (which === undefined || which === null) return;
  const keys = (Array.isArray(which) ? which : [which]).filter((k): k is string => typeof k === 'string' && /^[\w.-]+$/.test(k));
  for (const key of keys) {
    ctx.log.info(`${WHO}: clearing guestinfo.${key}`);
    g.set(key, GUESTINFO_REDACTED);
    g.set(`${key}.encoding`, '');
  }
}

function instanceIdOf(md: Dict, ctx: DatasourceContext): string {
  const iid = md['instance-id'];
  if (typeof iid === 'string' && iid !== '') return iid;
  if (typeof iid === 'number') return String(iid);
  // As cloud-init: the VM's BIOS UUID, lower case, when the meta-data names none.
  const uuid = ctx.host.sysfs.dmi('product_uuid');
  if (uuid) return uuid.toLowerCase();
  throw new DatasourceError('guestinfo.metadata: no key "instance-id", and no DMI product_uuid to use instead');
}

export async function readVmware(ctx: DatasourceContext, g: Guestinfo): Promise<DatasourceResult | null> {
  const mdBytes = readGuestinfo(g, 'metadata');
  const userdata = readGuestinfo(g, 'userdata');
  const vendordata = readGuestinfo(g, 'vendordata');
  if (mdBytes === null && userdata === null && vendordata === null) {
    ctx.log.debug(`${WHO}: no guestinfo.metadata, .userdata or .vendordata`);
    return null;
  }
  const source = 'guestinfo.metadata';
  const parsed = mdBytes === null ? null : jsonOrYaml(Buffer.from(mdBytes).toString('utf8'), source);
  if (parsed !== null && !isDict(parsed)) throw new DatasourceError(`${source}: expected a mapping (instance-id: ..., local-hostname: ...)`);
  const { metadata, network } = processMetadata(parsed ?? {}, source);
  redact(g, metadata, ctx);
  if (metadata['wait-on-network'] !== undefined) ctx.log.warn(`${WHO}: not supported: wait-on-network (and publishing local-ipv4/local-ipv6 to guestinfo); ignored`);
  const keyName = ['public-keys-data', 'public_keys_data', 'public-keys', 'public_keys'].find((k) => k in metadata);
  const result: DatasourceResult = {
    dsname: 'VMware',
    description: 'DataSourceVMware [seed=guestinfo]',
    cloudName: 'vmware',
    platform: 'vmware',
    subplatform: 'guestinfo (guestinfo.metadata)',
    dsmode: 'net',
    instanceId: instanceIdOf(metadata, ctx),
    publicKeys: keyName === undefined ? [] : keysOf(metadata[keyName]),
    metadata,
    userdata,
    vendordata,
    networkConfig: networkConfigOf(network, `${source} key network`),
  };
  const host = metadata['local-hostname'];
  if (typeof host === 'string' && host !== '') result.localHostname = host;
  return result;
}

export const vmwareDatasource: Datasource = {
  name: 'VMware',
  aliases: ['DataSourceVMware'],
  needs: 'local',
  order: 8,
  detectedBy: 'DMI product_name containing `VMware` (guestinfo is then asked with vmware-rpctool or vmtoolsd)',
  detect(f) {
    if (isVmwarePlatform(f.dmi.productName)) return { verdict: 'found', reason: `DMI product_name "${f.dmi.productName}" is a VMware VM: guestinfo may hold its data` };
    return { verdict: 'not-found', reason: `DMI product_name "${f.dmi.productName ?? ''}" is not VMware` };
  },
  network: { formats: ['v1', 'v2'], from: '`network` in guestinfo.metadata (a mapping, or text encoded as `network.encoding` says)' },
  options: [],
  async find(ctx) {
    if (!isVmwarePlatform(ctx.host.sysfs.dmi('product_name'))) {
      ctx.log.debug(`${WHO}: DMI product_name does not say VMware`);
      return null;
    }
    const g = guestinfoOf(ctx, WHO);
    if (typeof g === 'string') {
      ctx.log.info(`${WHO}: ${g}`);
      return null;
    }
    return readVmware(ctx, g);
  },
};
