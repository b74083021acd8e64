// The init stage's handling of user-data and vendor-data: store them as cloud-init
// does (user-data.txt and .txt.i 0600, scripts 0700, cloud-config.txt 0600), split and
// handle the parts, and return the merged cloud-config to lay over the system config.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Paths } from '../state/paths.js';
import { splitUserdata, type UserPart } from '../userdata/parts.js';
import { handleParts, type CloudConfigPart, type HandledUserdata, type ScriptPart } from '../userdata/process.js';
import { mergeCloudConfigPart, MergeError } from '../userdata/merge.js';
import { composeMime } from '../userdata/mime-compose.js';
import { UserdataBudget } from '../userdata/limits.js';
import type { Dict } from '../config/merge.js';
import { vendorDataPolicy } from '../config/vendor-data.js';
import { dumpYaml } from '../yaml/load.js';
import type { CloudConfigLayer } from './instance-config.js';
import { expandParts, hostIncludeSource, type IncludeSource } from '../userdata/include.js';
import { launchIndexOf } from '../userdata/launch-index.js';

export interface ConsumeOptions {
  jinjaVars: () => Record<string, unknown>;
  /** The system config (cloud.cfg, cloud.cfg.d, kernel command line): it may turn vendor-data off. */
  systemCfg: Dict;
  /** Boothooks run when the init stage consumes the data, not when `single` rebuilds state. */
  runBoothooks: boolean;
  /** Where #include URLs are fetched from (default: the network, and the root for file://). */
  includes?: IncludeSource;
}

/** A MIME filename made safe to be a file name in a scripts directory. */
export function safeScriptName(name: string, index: number): string {
  const base = name.split('/').pop() ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(base) ? base : `part-${String(index).padStart(3, '0')}`;
}

function storeScripts(host: Host, log: Logger, dir: string, scripts: ScriptPart[], what: string, prune: boolean): string[] {
  const names = scripts.map((s, i) => safeScriptName(s.filename, i + 1));
  if (prune) {
    // Scripts of an earlier boot that the data no longer holds must not run again. A
    // set, not a list: 20,000 script parts must not cost 20,000² comparisons.
    const keep = new Set(names);
    for (const old of host.fs.list(dir)) {
      if (old !== 'runcmd' && !keep.has(old) && host.fs.stat(`${dir}/${old}`)?.isFile) host.fs.remove(`${dir}/${old}`);
    }
  }
  scripts.forEach((s, i) => {
    host.fs.write(`${dir}/${names[i]}`, s.body, { mode: 0o700 });
    log.debug(`stored ${what} script ${dir}/${names[i]}`);
  });
  return names;
}

function applyHandled(host: Host, log: Logger, h: HandledUserdata, what: string, paths: Paths, scriptsDir: string, opts: ConsumeOptions, iid: string, prune: boolean): void {
  storeScripts(host, log, scriptsDir, h.scripts, what, prune);
  for (const f of ['per-boot', 'per-instance', 'per-once'] as const) {
    const scripts = h.frequencyScripts.filter((s) => s.frequency === f);
    if (scripts.length > 0) storeScripts(host, log, `${paths.scriptsDir}/${f}`, scripts, `${what} ${f}`, false);
  }
  if (h.boothooks.length > 0) {
    const names = storeScripts(host, log, paths.instance('boothooks'), h.boothooks, `${what} boothook`, prune);
    if (opts.runBoothooks) {
      for (const name of names) {
        const path = paths.instance(`boothooks/${name}`);
        const r = host.exec.run([host.exec.pathFor(path)], { output: 'log', env: { INSTANCE_ID: iid } });
        if (!r.recorded && (r.error !== undefined || r.code !== 0)) log.error(`${what} boothook ${name} failed (${r.error ?? `exit ${r.code}`}); its output is in /var/log/cloud-init-output.log`);
        else log.info(`${r.recorded ? 'recorded' : 'ran'} ${what} boothook ${name}`);
      }
    }
  }
  for (const job of h.upstartJobs) {
    const name = safeScriptName(job.filename, 1).replace(/\.conf$/, '');
    host.fs.write(`/etc/init/${name}.conf`, job.body, { mode: 0o644 });
    log.info(`wrote upstart job /etc/init/${name}.conf`);
    if (!host.exec.has('initctl')) log.warn(`${what}: upstart job ${name} written to /etc/init, but this system has no upstart (no initctl); it will not run`);
  }
}

async function consumeOne(
  host: Host,
  log: Logger,
  raw: Uint8Array | null,
  what: 'user-data' | 'vendor-data' | 'vendor-data2',
  paths: Paths,
  scriptsDir: string,
  opts: ConsumeOptions,
  iid: string,
  excluded?: ReadonlySet<string>,
  launchIndex: number | null = null,
): Promise<CloudConfigLayer> {
  const stored = paths.instance(`${what}.txt`);
  host.fs.write(stored, raw ?? new Uint8Array(), { mode: 0o600 });
  let parts: UserPart[] = [];
  // One size budget for all this data becomes: itself, its gzip and every #include.
  const budget = new UserdataBudget();
  try {
    parts = raw === null ? [] : splitUserdata(raw, stored, budget);
  } catch (e) {
    log.error(`${(e as Error).message}; no ${what} was applied`);
  }
  const single = parts.length === 1;
  const label = (p: UserPart) => (single ? stored : `${stored} part ${p.index} (${p.filename})`);
  // #include URLs and #cloud-config-archive items become parts of their own, in place.
  parts = await expandParts(parts, { log, label, source: opts.includes ?? hostIncludeSource(host, paths), budget, launchIndex });
  const handled = handleParts(parts, label, log, { jinjaVars: opts.jinjaVars, ...(excluded ? { excluded } : {}) });
  const processed = composeMime(
    handled.processed.map((p) => ({ contentType: p.contentType, body: Buffer.from(p.body), filename: p.filename, ...(p.mergeType ? { headers: [{ name: 'Merge-Type', value: p.mergeType }] } : {}) })),
  );
  host.fs.write(`${stored}.i`, processed, { mode: 0o600 });
  // vendor-data2 shares vendor-data's scripts directory (as in cloud-init): vendor-data's
  // pass already removed an earlier boot's scripts, so this one must not remove vendor-data's.
  applyHandled(host, log, handled, what, paths, scriptsDir, opts, iid, what !== 'vendor-data2');
  let cfg: Dict = {};
  for (const p of handled.cloudConfigs) {
    try {
      cfg = mergeCloudConfigPart(cfg, p.value, p.mergeType ?? null, p.label);
    } catch (e) {
      log.error(`${e instanceof MergeError ? e.message : `${p.label}: ${(e as Error).message}`}; this part was not merged`);
    }
  }
  return { cfg, parts: handled.cloudConfigs };
}

/** cloud-config.txt: the part verbatim when there is one (its lines are the user's), else the merge. */
function configText(c: CloudConfigLayer): string {
  if (c.parts.length === 1) return (c.parts[0] as CloudConfigPart).text;
  if (c.parts.length === 0) return '';
  return `#cloud-config\n# merged from ${c.parts.length} parts: ${c.parts.map((p) => p.label).join(', ')}\n${dumpYaml(c.cfg)}`;
}

export async function consumeData(
  host: Host,
  log: Logger,
  ds: DatasourceResult,
  paths: Paths,
  given: ConsumeOptions,
): Promise<{ user: CloudConfigLayer; vendor: CloudConfigLayer; vendor2: CloudConfigLayer }> {
  // One include source for user-data and vendor-data: their fetches share one time budget.
  const opts: ConsumeOptions = { ...given, includes: given.includes ?? hostIncludeSource(host, paths) };
  // As cloud-init, only user-data is filtered by launch index.
  const user = await consumeOne(host, log, ds.userdata, 'user-data', paths, paths.instance('scripts'), opts, ds.instanceId, undefined, launchIndexOf(ds));
  host.fs.write(paths.instance('cloud-config.txt'), configText(user), { mode: 0o600 });
  // The image (system config) and the user decide, never the vendor: its parts are not read at all when off.
  const policy = vendorDataPolicy(opts.systemCfg, user.cfg);
  for (const m of policy.problems) log.error(m);
  if (!policy.enabled && ds.vendordata !== null && ds.vendordata.length > 0) log.info(`vendor-data is disabled (${policy.why}): none of it was applied`);
  const vendor = await consumeOne(host, log, policy.enabled ? ds.vendordata : null, 'vendor-data', paths, paths.instance('scripts/vendor'), opts, ds.instanceId, policy.disabledHandlers);
  // The second vendor-data (OpenStack's vendor_data2.json), as cloud-init 25 takes it: after
  // vendor-data, with its own switch (vendor_data2), its own files, vendor-data's scripts directory.
  const policy2 = vendorDataPolicy(opts.systemCfg, user.cfg, 'vendor_data2');
  for (const m of policy2.problems) log.error(m);
  const raw2 = ds.vendordata2 ?? null;
  if (!policy2.enabled && raw2 !== null && raw2.length > 0) log.info(`vendor-data2 is disabled (${policy2.why}): none of it was applied`);
  const vendor2 = await consumeOne(host, log, policy2.enabled ? raw2 : null, 'vendor-data2', paths, paths.instance('scripts/vendor'), opts, ds.instanceId, policy2.disabledHandlers);
  host.fs.write(paths.instance('vendor2-cloud-config.txt'), configText(vendor2), { mode: 0o600 });
  // Last: single.ts takes this file as the sign that the data was stored whole.
  host.fs.write(paths.instance('vendor-cloud-config.txt'), configText(vendor), { mode: 0o600 });
  return { user, vendor, vendor2 };
}
