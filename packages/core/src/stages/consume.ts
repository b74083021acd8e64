// The init stage's handling of user-data and vendor-data: store them as cloud-init
// does (user-data.txt 0600, scripts 0700, cloud-config.txt 0600), split and handle
// the parts, and return the cloud-config to lay over the system configuration.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Paths } from '../state/paths.js';
import { splitUserdata, type UserPart } from '../userdata/parts.js';
import { handleParts, type CloudConfigPart } from '../userdata/process.js';
import { mergeConfig, isDict, type Dict } from '../config/merge.js';
import { dumpYaml } from '../yaml/load.js';

export interface ConsumedConfig {
  cfg: Dict;
  parts: CloudConfigPart[];
}

/** A MIME filename made safe to be a file name in the scripts directory. */
export function safeScriptName(name: string, index: number): string {
  const base = name.split('/').pop() ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(base) ? base : `part-${String(index).padStart(3, '0')}`;
}

function consumeOne(host: Host, log: Logger, raw: Uint8Array | null, what: 'user-data' | 'vendor-data', stored: string, scriptsDir: string): ConsumedConfig {
  host.fs.write(stored, raw ?? new Uint8Array(), { mode: 0o600 });
  let parts: UserPart[] = [];
  try {
    parts = raw === null ? [] : splitUserdata(raw, stored, null);
  } catch (e) {
    log.error(`${(e as Error).message}; no ${what} was applied`);
  }
  const label = (p: UserPart) => (parts.length === 1 ? stored : `${stored} part ${p.index} (${p.filename})`);
  const handled = handleParts(parts, label, log);
  // Scripts of an earlier boot that the data no longer holds must not run again.
  for (const old of host.fs.list(scriptsDir)) if (/^part-\d+$/.test(old) || handled.scripts.every((s) => s.filename !== old)) {
    if (host.fs.stat(`${scriptsDir}/${old}`)?.isFile && old !== 'runcmd') host.fs.remove(`${scriptsDir}/${old}`);
  }
  handled.scripts.forEach((s, i) => {
    const name = safeScriptName(s.filename, i + 1);
    host.fs.write(`${scriptsDir}/${name}`, s.body, { mode: 0o700 });
    log.debug(`stored ${what} script ${scriptsDir}/${name}`);
  });
  let cfg: Dict = {};
  for (const p of handled.cloudConfigs) cfg = mergeConfig(cfg, p.value);
  return { cfg, parts: handled.cloudConfigs };
}

/** cloud-config.txt: the part verbatim when there is one (its lines are the user's), else the merge. */
function configText(c: ConsumedConfig): string {
  if (c.parts.length === 1) return (c.parts[0] as CloudConfigPart).text;
  if (c.parts.length === 0) return '';
  return `#cloud-config\n# merged from ${c.parts.length} parts: ${c.parts.map((p) => p.label).join(', ')}\n${dumpYaml(c.cfg)}`;
}

export function consumeData(host: Host, log: Logger, ds: DatasourceResult, paths: Paths): { user: ConsumedConfig; vendor: ConsumedConfig } {
  const user = consumeOne(host, log, ds.userdata, 'user-data', paths.instance('user-data.txt'), paths.instance('scripts'));
  host.fs.write(paths.instance('cloud-config.txt'), configText(user), { mode: 0o600 });
  const vd = user.cfg.vendor_data;
  const vendorOff = isDict(vd) && (vd.enabled === false || vd.enabled === 'false');
  if (vendorOff) log.info('vendor-data disabled by the user (vendor_data: {enabled: false})');
  const vendor = consumeOne(host, log, vendorOff ? null : ds.vendordata, 'vendor-data', paths.instance('vendor-data.txt'), paths.instance('scripts/vendor'));
  host.fs.write(paths.instance('vendor-cloud-config.txt'), configText(vendor), { mode: 0o600 });
  return { user, vendor };
}
