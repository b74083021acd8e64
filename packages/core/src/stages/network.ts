// The network, across the two stages that handle it. init-local writes the
// configuration before any network manager starts — on a new instance, when no
// datasource was found (fallback: DHCP on the first connected NIC), or on every boot
// when `updates: {network: {when: [boot]}}` asks — and leaves what it rendered in
// /run/cloud-init/network-state.json, and renames the NICs as it says. The init stage
// renames what is still misnamed and brings them up (old addresses flushed first), or renders itself when a network
// datasource brought a new instance the local stage could not see.
import { writeAid, type StageEnv } from './env.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Dict } from '../config/merge.js';
import { isDict } from '../config/merge.js';
import { renderNetwork } from '../net/render-network.js';
import { NetConfigError } from '../net/errors.js';
import { applyNetwork } from '../net/activate.js';
import { applyRenames, planRenames, wantedNames } from '../net/rename.js';
import { readNics } from '../net/sysfs.js';
import type { NetworkState } from '../net/model.js';
import { RUN_DIR } from '../state/paths.js';

export const NETWORK_STATE = `${RUN_DIR}/network-state.json`;

interface RenderedRecord {
  /** The instance it was rendered for; null for the fallback of a machine without a datasource. */
  instanceId: string | null;
  source: string;
  renderer: string;
  state: NetworkState;
}

/** Whether the user asked for the network to be rendered on every boot, not only a new instance. */
function everyBoot(cfg: Dict): boolean {
  const updates = isDict(cfg.updates) ? cfg.updates : {};
  const net = isDict(updates.network) ? updates.network : {};
  return Array.isArray(net.when) && net.when.includes('boot');
}

function renderAndRecord(env: StageEnv, cfg: Dict, ds: DatasourceResult | null): RenderedRecord | null {
  let r: ReturnType<typeof renderNetwork>;
  try {
    r = renderNetwork(env.host, env.distro, cfg, ds?.networkConfig ?? null, env.log);
  } catch (e) {
    // No usable config and no NIC for a fallback (a container, a tree without /sys): the
    // boot goes on without network configuration, and says so.
    if (e instanceof NetConfigError) env.log.warn(`no network configuration written: ${e.message}`);
    else env.log.error(`no network configuration written: ${(e as Error).message}`);
    return null;
  }
  if (r.disabled) {
    env.log.info(`network configuration disabled by ${r.by}: nothing written`);
    return null;
  }
  const rec: RenderedRecord = { instanceId: ds?.instanceId ?? null, source: r.source, renderer: r.renderer, state: r.state };
  writeAid(env.log, NETWORK_STATE, () => env.host.fs.write(NETWORK_STATE, JSON.stringify(rec, null, 1) + '\n', { mode: 0o644 }));
  return rec;
}

/** init-local: write the network configuration when this boot needs it; bring nothing up. */
export function localNetwork(env: StageEnv, ds: DatasourceResult | null, isNew: boolean): void {
  const cfg = env.system.cfg;
  if (ds !== null && !isNew && !everyBoot(cfg)) {
    env.log.info('same instance: the network configuration written on its first boot stays (updates.network.when: [boot] renders it on every boot)');
    return;
  }
  const rec = renderAndRecord(env, cfg, ds);
  // NICs take the names the configuration gives them here, before any network manager
  // starts and looks for them, as cloud-init's init-local does: a new NIC that udev
  // named ens2 while the files say eth0 made ifupdown's networking.service fail
  // ("Cannot find device eth0", found by the VM test's swapped-NIC boot).
  if (rec !== null) {
    const nics = readNics(env.host.sysfs);
    applyRenames(env.host, planRenames(wantedNames(rec.state), nics), nics, env.log);
  }
}

function readRendered(env: StageEnv): RenderedRecord | null {
  const text = env.host.fs.readText(NETWORK_STATE);
  if (text === null) return null;
  try {
    const rec = JSON.parse(text) as RenderedRecord;
    return isDict(rec.state) ? rec : null;
  } catch {
    env.log.warn(`${NETWORK_STATE}: unreadable; the network configuration is rendered again`);
    return null;
  }
}

/** init: bring up what init-local rendered, or render a network datasource's new instance first. */
export function initNetwork(env: StageEnv, ds: DatasourceResult, isNew: boolean, cfg: Dict): void {
  if (cfg.disable_network_activation === true) {
    env.log.info('disable_network_activation is set: interfaces are left to the network manager');
    return;
  }
  let rec = readRendered(env);
  if (isNew && rec?.instanceId !== ds.instanceId) rec = renderAndRecord(env, cfg, ds);
  if (rec === null) {
    env.log.debug('no network configuration was rendered on this boot: nothing to bring up');
    return;
  }
  applyNetwork(env.host, env.distro, rec.state, env.log);
}
