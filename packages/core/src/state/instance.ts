// Recording which instance this machine is: the instances/<iid> directory, the
// `instance` link, data/instance-id and previous-instance-id, and the cache.
import type { Host } from '../host/host.js';
import type { DatasourceResult } from '../datasources/types.js';
import { Paths, instanceDirName } from './paths.js';
import { CACHE_NAME, readCache, serializeCache } from './cache.js';
import { normalizeInstanceId } from './instance-id.js';

export const NO_PREVIOUS_INSTANCE_ID = 'NO_PREVIOUS_INSTANCE_ID';

export interface InstanceRecord {
  paths: Paths;
  /** True when this instance-id differs from the one recorded before (first boot included). */
  isNew: boolean;
  previousId: string;
}

/** Whether `iid` is not the instance recorded in data/instance-id (a first boot included). */
export function isNewInstance(host: Host, iid: string): boolean {
  return (host.fs.readText(new Paths().data('instance-id'))?.trim() ?? '') !== normalizeInstanceId(iid);
}

/** The instance recorded by an earlier stage or boot, through the `instance` link. */
export function readCachedInstance(host: Host, paths = new Paths()): DatasourceResult | null {
  if (host.fs.readlink(paths.instanceLink) === null) return null;
  return readCache(host.fs, `${paths.instanceLink}/${CACHE_NAME}`);
}

/** Writes the cache and all of cloud-init's instance bookkeeping for `ds`. */
export function recordInstance(host: Host, ds: DatasourceResult): InstanceRecord {
  const fs = host.fs;
  const base = new Paths();
  const paths = base.withInstance(ds.instanceId);
  const previousId = fs.readText(base.data('instance-id'))?.trim() || NO_PREVIOUS_INSTANCE_ID;
  const isNew = previousId !== normalizeInstanceId(ds.instanceId);
  for (const d of ['handlers', 'scripts', 'sem']) fs.mkdir(paths.instance(d));
  for (const d of ['data', 'sem', 'handlers', 'seed', 'scripts/per-boot', 'scripts/per-instance', 'scripts/per-once', 'scripts/vendor']) fs.mkdir(`${base.cloudDir}/${d}`);
  fs.write(paths.instance(CACHE_NAME), serializeCache(ds), { mode: 0o600 });
  fs.write(paths.instance('datasource'), `DataSource${ds.dsname}: ${ds.description}\n`);
  fs.symlink(`${base.cloudDir}/instances/${instanceDirName(ds.instanceId)}`, base.instanceLink);
  const prevDs = fs.readText(base.data('previous-datasource'));
  if (isNew || prevDs === null) fs.write(base.data('previous-datasource'), `DataSource${ds.dsname}: ${ds.description}\n`);
  if (isNew) {
    fs.write(base.data('previous-instance-id'), `${previousId}\n`);
    fs.write(base.data('instance-id'), `${ds.instanceId}\n`);
  }
  fs.write(base.runInstanceId, `${ds.instanceId}\n`);
  return { paths, isNew, previousId };
}
