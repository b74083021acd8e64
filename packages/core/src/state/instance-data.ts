// /run/cloud-init/instance-data.json (0644, what any user may read) and
// instance-data-sensitive.json (0600, everything): cloud-init's v1 keys, the
// datasource's own metadata under ds, and the merged configuration only in the
// sensitive file. `query` and jinja templates read these.
import type { Host } from '../host/host.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Distro } from '../distro/types.js';
import type { Dict } from '../config/merge.js';
import { isDict } from '../config/merge.js';
import { Paths } from './paths.js';
import { shortHostname } from './local-hostname.js';
import { currentStaticName } from '../modules/lib/hostname.js';

export const REDACTED = 'redacted for non-root user';
/** Keys whose values only go to the sensitive file. */
const SENSITIVE_TOP = ['merged_cfg', 'userdata', 'vendordata'];
/** Metadata keys that are secrets wherever they appear (EC2 credentials, passwords). */
const SENSITIVE_META = /^(security-credentials|password|admin_pass|admin-pass|secret.*|.*token.*)$/i;

function toJsonable(v: unknown, b64keys: string[], path: string): unknown {
  if (v instanceof Uint8Array) {
    b64keys.push(path);
    return Buffer.from(v).toString('base64');
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x, i) => toJsonable(x, b64keys, `${path}/${i}`));
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonable(x, b64keys, path === '' ? k : `${path}/${k}`)]));
  return v;
}

/** Copies metadata with secret-looking keys replaced, returning the paths that were. */
function redactMeta(v: unknown, path: string, found: string[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => redactMeta(x, `${path}/${i}`, found));
  if (isDict(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        const p = `${path}/${k}`;
        if (SENSITIVE_META.test(k)) {
          found.push(p);
          return [k, REDACTED];
        }
        return [k, redactMeta(x, p, found)];
      }),
    );
  }
  return v;
}

export interface InstanceDataInput {
  ds: DatasourceResult;
  distro: Distro;
  mergedCfg: Dict;
  version: string;
}

/**
 * The machine's own host name, for instance data when the metadata names none: the
 * kernel's (/proc under the root, so on a running system the live name), else the
 * static name the tree holds, else empty.
 */
function systemHostname(host: Host, distro: Distro): string {
  const kernel = host.fs.readText('/proc/sys/kernel/hostname')?.trim();
  if (kernel !== undefined && kernel !== '') return kernel;
  return currentStaticName(host, distro) ?? '';
}

export function buildInstanceData(host: Host, input: InstanceDataInput): { sensitive: Dict; public: Dict } {
  const { ds, distro, mergedCfg } = input;
  const u = host.sysfs.uname();
  // cloud-init gives the short name here, never the FQDN, whatever the datasource.
  const localHostname = shortHostname(ds.localHostname, ds.localHostname ? '' : systemHostname(host, distro));
  const v1: Dict = {
    _beta_keys: ['subplatform'],
    availability_zone: ds.availabilityZone ?? null,
    'availability-zone': ds.availabilityZone ?? null,
    cloud_id: ds.platform === 'nocloud' ? 'nocloud' : ds.cloudName,
    cloud_name: ds.cloudName,
    'cloud-name': ds.cloudName,
    distro: distro.id,
    distro_release: '',
    distro_version: distro.version,
    instance_id: ds.instanceId,
    'instance-id': ds.instanceId,
    kernel_release: u.release,
    local_hostname: localHostname,
    'local-hostname': localHostname,
    machine: u.machine,
    platform: ds.platform,
    public_ssh_keys: ds.publicKeys,
    region: ds.region ?? null,
    subplatform: ds.subplatform,
    system_platform: `${u.system}-${u.release}-${u.machine}`,
    variant: distro.id,
  };
  const sysInfo: Dict = { dist: [distro.id, distro.version, ''], release: u.release, system: u.system, uname: [u.system, '', u.release, u.version, u.machine, ''], variant: distro.id };
  const b64: string[] = [];
  const meta = toJsonable(ds.metadata, b64, 'ds/meta_data');
  const dsBlock: Dict = { _doc: "EXPERIMENTAL: The structure and format of content scoped under the 'ds' key may change.", meta_data: meta };
  if (ds.ec2Metadata) dsBlock.ec2_metadata = toJsonable(ds.ec2Metadata, b64, 'ds/ec2_metadata');
  const sensitive: Dict = {
    base64_encoded_keys: b64,
    ds: dsBlock,
    merged_cfg: toJsonable(mergedCfg, [], 'merged_cfg'),
    sensitive_keys: [] as string[],
    sys_info: sysInfo,
    v1,
    ...(ds.sensitive ? { sensitive: toJsonable(ds.sensitive, [], 'sensitive') } : {}),
  };
  // The public copy: merged_cfg and metadata secrets redacted, the extra sensitive block dropped.
  const found: string[] = [];
  const pubDs = { ...dsBlock, meta_data: redactMeta(meta, 'ds/meta_data', found), ...(dsBlock.ec2_metadata ? { ec2_metadata: redactMeta(dsBlock.ec2_metadata, 'ds/ec2_metadata', found) } : {}) };
  const sensitiveKeys = [...SENSITIVE_TOP.filter((k) => k in sensitive), ...found];
  sensitive.sensitive_keys = sensitiveKeys;
  const pub: Dict = { ...sensitive, ds: pubDs, merged_cfg: REDACTED, sensitive_keys: sensitiveKeys };
  delete pub.sensitive;
  return { sensitive, public: pub };
}

export function writeInstanceData(host: Host, input: InstanceDataInput): void {
  const paths = new Paths();
  const { sensitive, public: pub } = buildInstanceData(host, input);
  host.fs.write(paths.instanceDataSensitive, JSON.stringify(sensitive, null, 1) + '\n', { mode: 0o600 });
  host.fs.write(paths.instanceData, JSON.stringify(pub, null, 1) + '\n', { mode: 0o644 });
  host.fs.write(`${paths.runDir}/cloud-id-${String(pub.v1 && (pub.v1 as Dict).cloud_id)}`, `${String((pub.v1 as Dict).cloud_id)}\n`);
  host.fs.symlink(`${paths.runDir}/cloud-id-${String((pub.v1 as Dict).cloud_id)}`, `${paths.runDir}/cloud-id`);
}
