// collect-logs: a tarball of what someone needs to debug a boot, with the secrets
// left out — no user-data, vendor-data, cache, cloud-config or sensitive instance data
// unless asked for with --include-userdata.
import { zlib } from '../util/builtin.js';
import type { Host } from '../host/host.js';
import { LOG_FILE } from '../log/logger.js';
import { COMMAND_RECORD, OUTPUT_LOG } from '../host/exec.js';
import { tarArchive, type TarEntry } from '../util/tar.js';
import { Paths } from './paths.js';
import { NIMBUS_VERSION_STRING } from '../version.js';

/** Files under /run/cloud-init that hold secrets or user data. */
const SECRET_RUN_FILES = new Set(['instance-data-sensitive.json']);
/** Files of an instance directory that hold user data. */
const USER_DATA_FILES = /^(user-data|vendor-data|vendor-data2)\.txt(\.i)?$|^(cloud-config|vendor-cloud-config)\.txt$|^obj\.(json|pkl)$/;

export interface CollectOptions {
  includeUserdata: boolean;
  /** Extra texts to add (status --long, the journal), name → content. */
  extra: Record<string, string>;
}

export function collectLogs(host: Host, opts: CollectOptions): { archive: Buffer; included: string[]; left: string[] } {
  const paths = new Paths();
  const stamp = new Date(host.clock.now() * 1000).toISOString().slice(0, 10);
  const top = `nimbus-logs-${stamp}`;
  const entries: TarEntry[] = [];
  const included: string[] = [];
  const left: string[] = [];
  const add = (inRoot: string, name = inRoot) => {
    const st = host.fs.stat(inRoot);
    if (st === null || !st.isFile) return;
    const data = host.fs.read(inRoot);
    if (data === null) return;
    entries.push({ path: `${top}${name}`, data, mode: st.mode, mtime: st.mtimeMs / 1000 });
    included.push(inRoot);
  };
  for (const f of [LOG_FILE, OUTPUT_LOG, COMMAND_RECORD]) add(f);
  for (const name of host.fs.list(paths.runDir)) {
    if (SECRET_RUN_FILES.has(name) && !opts.includeUserdata) left.push(`${paths.runDir}/${name}`);
    else add(`${paths.runDir}/${name}`);
  }
  for (const name of host.fs.list(paths.dataDir)) add(`${paths.dataDir}/${name}`);
  if (host.fs.readlink(paths.instanceLink) !== null) {
    for (const name of host.fs.list(paths.instanceLink)) {
      const p = `${paths.instanceLink}/${name}`;
      if (USER_DATA_FILES.test(name) && !opts.includeUserdata) left.push(p);
      else add(p);
    }
  }
  const text = (name: string, content: string) => entries.push({ path: `${top}/${name}`, data: Buffer.from(content), mode: 0o644 });
  text('version', `nimbus ${NIMBUS_VERSION_STRING}\n`);
  for (const [name, content] of Object.entries(opts.extra)) text(name, content);
  return { archive: zlib().gzipSync(tarArchive(entries, host.clock.now())), included, left };
}
