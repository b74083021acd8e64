// OpenStack's metadata format, the same on the metadata service and on a config drive:
// meta_data.json, vendor_data.json and the dated versions. Both datasources read it.
import { setKey } from '../util/object.js';
import { DatasourceError, type Dsmode } from './types.js';

/** Dated metadata versions nimbus reads, oldest first (Nova's names for them). */
const OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27'] as const;

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
