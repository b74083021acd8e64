// collect-logs: a tarball of what someone needs to debug a boot, with the secrets
// left out — no user-data, vendor-data, cache, cloud-config, script made from them
// (bootcmd) or sensitive instance data unless asked for with --include-userdata.
import { zlib } from '../util/builtin.js';
import type { Host } from '../host/host.js';
import { LOG_FILE } from '../log/logger.js';
import { COMMAND_RECORD, OUTPUT_LOG } from '../host/exec.js';
import { tarArchive, type TarEntry } from '../util/tar.js';
import { Paths } from './paths.js';
import { NIMBUS_VERSION_STRING } from '../version.js';

/** Files under /run/cloud-init that hold secrets or user data. */
const SECRET_RUN_FILES = new Set(['instance-data-sensitive.json']);
/**
 * The files of an instance directory that never hold anything derived from user-data or
 * vendor-data. Everything else there is left out without --include-userdata: the stored
 * data and cloud-config, the cache, the bootcmd script, the schema check's memo, and
 * whatever a later version adds (a new file is private until it is named here).
 */
const INSTANCE_FILES_WITHOUT_USER_DATA = new Set(['datasource', 'boot-finished']);

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
      if (!INSTANCE_FILES_WITHOUT_USER_DATA.has(name) && !opts.includeUserdata) {
        if (host.fs.stat(p)?.isFile) left.push(p);
      } else add(p);
    }
  }
  const text = (name: string, content: string) => entries.push({ path: `${top}/${name}`, data: Buffer.from(content), mode: 0o644 });
  text('version', `nimbus ${NIMBUS_VERSION_STRING}\n`);
  for (const [name, content] of Object.entries(opts.extra)) text(name, content);
  return { archive: zlib().gzipSync(tarArchive(entries, host.clock.now())), included, left };
}
