// set_hostname: the instance's host name from configuration or metadata, once per
// instance. The local stage already sets it from metadata before the network starts
// (setHostnameEarly), so a DHCP client cannot claim it first; this module then applies
// what user-data adds, and does nothing when that is the same name.
import type { Module, ModuleContext } from './types.js';
import type { StageEnv } from '../stages/env.js';
import type { DatasourceResult } from '../datasources/types.js';
import { ConfigSource } from '../config/source.js';
import { Paths } from '../state/paths.js';
import { splitUserdata } from '../userdata/parts.js';
import { loadYaml } from '../yaml/load.js';
import { isDict } from '../config/merge.js';
import { HOSTNAME_KEYS, applyHostname, currentStaticName, hostnameSchema, readSetHostname, wantedName, writeSetHostname, type HostnameCtx } from './hostname-common.js';

function setHostname(ctx: HostnameCtx): void {
  if (ctx.cfg.preserve_hostname === true) {
    ctx.log.info('preserve_hostname is set: the host name is left as it is');
    return;
  }
  const w = wantedName(ctx);
  if (w === null) {
    ctx.log.info('neither the configuration nor the metadata names this host: the host name is left as it is');
    return;
  }
  if ('error' in w) {
    ctx.log.error(w.error);
    return;
  }
  const prev = readSetHostname(ctx.host);
  if (prev !== null && prev.hostname === w.hostname && prev.fqdn === w.fqdn && currentStaticName(ctx.host, ctx.distro) === w.name) {
    ctx.log.info(`host name already ${w.name}`);
    return;
  }
  applyHostname(ctx, w.name);
  writeSetHostname(ctx.host, w);
}

export const setHostnameModule: Module = {
  name: 'set_hostname',
  frequency: 'once-per-instance',
  keys: HOSTNAME_KEYS,
  alwaysRun: true,
  schema: hostnameSchema,
  run: (ctx: ModuleContext) => setHostname(ctx),
};

/**
 * The host-name keys of the user's plain cloud-config parts, read ahead of the init
 * stage so that preserve_hostname, hostname and fqdn in user-data hold from the first
 * moment (pure). Parts that need more (includes, jinja) are left to the init stage.
 */
export function userHostnameKeys(raw: Uint8Array | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (raw === null) return out;
  try {
    for (const part of splitUserdata(raw, 'user-data')) {
      if (part.contentType !== 'text/cloud-config') continue;
      const doc = loadYaml(Buffer.from(part.body).toString('utf8'), 'user-data');
      if (!isDict(doc.value)) continue;
      for (const k of HOSTNAME_KEYS) if (doc.value[k] !== undefined) out[k] = doc.value[k];
    }
  } catch {
    // Unreadable user-data is reported by the init stage; here it only means no early keys.
  }
  return out;
}

/**
 * The local stage's host name: from the system configuration, the user's plain
 * cloud-config and the metadata, before any network manager or DHCP client starts.
 * set_hostname applies in the init stage what only the full user-data processing gives.
 */
export function setHostnameEarly(env: StageEnv, ds: DatasourceResult): void {
  const log = env.log.child('set_hostname');
  // Once set_hostname has run for this instance the name is update_hostname's to keep
  // (which leaves a name changed by hand alone); the early set is for a new instance.
  const sem = new Paths(ds.instanceId).semaphore('set_hostname', 'once-per-instance');
  if (sem !== null && env.host.fs.exists(sem)) return;
  try {
    const cfg = { ...env.system.cfg, ...userHostnameKeys(ds.userdata) };
    setHostname({ host: env.host, log, cfg, source: new ConfigSource(), ds, distro: env.distro });
  } catch (e) {
    log.error(`setting the host name early failed: ${(e as Error).message}`);
  }
}
