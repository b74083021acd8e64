// `devel hotplug-hook query|handle|enable`, the effects: what udev's hook asks when a NIC
// comes or goes after boot (net/hotplug-policy.ts has the chain and the policy). handle
// reads the datasource again, checks that the NIC is (or is no longer) in its network
// configuration, renders the whole configuration and brings that one NIC up (or takes it
// down), then updates the instance cache. Every refusal says why.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { Dict } from '../config/merge.js';
import type { DatasourceResult } from '../datasources/types.js';
import type { Distro } from '../distro/types.js';
import type { SystemConfig } from '../config/load.js';
import { stageLogger, disabledReason } from './env.js';
import { detectDistro } from '../distro/detect.js';
import { loadSystemConfig } from '../config/load.js';
import { builtinDatasourceList, datasourceByName } from '../datasources/registry.js';
import { contextFor } from '../datasources/find.js';
import { readCachedInstance } from '../state/instance.js';
import { CACHE_NAME, serializeCache } from '../state/cache.js';
import { normalizeInstanceId } from '../state/instance-id.js';
import { Paths } from '../state/paths.js';
import { configFromStore } from './instance-config.js';
import { NETWORK_STATE } from './network.js';
import { chooseNetworkConfig, renderNetwork } from '../net/render-network.js';
import { applyNetwork, chooseTool } from '../net/activate.js';
import { bringUpNamed } from '../net/renderers/registry.js';
import type { Iface, NetworkState } from '../net/model.js';
import { HOTPLUG_ENABLED_FILE, HOTPLUG_RULE, hotplugPolicy, hotplugSupported, parseHotplugEnabled, type HotplugPolicy } from '../net/hotplug-policy.js';
import { installHotplugRule } from '../net/hotplug-rule.js';

export type HotplugAction = 'add' | 'remove';

/** What the command prints and its exit code. */
export interface HotplugOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

interface HotplugEnv {
  host: Host;
  log: Logger;
  distro: Distro;
  system: SystemConfig;
}

/** The datasource's waits between tries when the NIC is not (or still) in its metadata, in seconds: a metadata service can lag behind the attach (cloud-init's). */
const NET_RETRY_WAITS = [1, 3, 5, 10, 30];

function open(host: Host, debug: boolean, quiet: boolean): HotplugEnv {
  const log = stageLogger(host, 'hotplug-hook', { debug, quiet });
  const distro = detectDistro(host.fs);
  const system = loadSystemConfig(host, distro, builtinDatasourceList());
  for (const e of system.errors) log.error(`${e}; the rest of the configuration is still used`);
  return { host, log, distro, system };
}

function enabledScopes(env: HotplugEnv): string[] {
  const text = env.host.fs.readText(HOTPLUG_ENABLED_FILE);
  const scopes = parseHotplugEnabled(text);
  if (scopes === null) {
    env.log.warn(`${HOTPLUG_ENABLED_FILE}: not JSON of the form {"scopes": [...]}; ignored`);
    return [];
  }
  return scopes;
}

interface Instance {
  ds: DatasourceResult;
  paths: Paths;
  cfg: Dict;
  policy: HotplugPolicy;
  supported: ReturnType<typeof hotplugSupported>;
}

function instance(env: HotplugEnv): Instance | null {
  const ds = readCachedInstance(env.host);
  if (ds === null) return null;
  const paths = new Paths(ds.instanceId);
  const { cfg } = configFromStore(env.host, env.log, env.system, paths, ds);
  const policy = hotplugPolicy(cfg, ds.dsname, enabledScopes(env));
  if (policy.problem !== undefined) env.log.warn(`${policy.problem}; network hotplug is off`);
  return { ds, paths, cfg, policy, supported: hotplugSupported(ds.dsname) };
}

const NO_DATASOURCE = 'Unable to determine hotplug state. No datasource detected';

/** `query`: "enabled" when the datasource supports hotplug and the policy allows it, else "disabled". */
export function hotplugQuery(host: Host, debug: boolean): HotplugOutcome {
  const env = open(host, debug, true);
  const inst = instance(env);
  if (inst === null) return { code: 1, stdout: `${NO_DATASOURCE}\n`, stderr: '' };
  const on = inst.supported.supported && inst.policy.enabled;
  env.log.debug(`hotplug query: ${on ? 'enabled' : 'disabled'} (${inst.supported.supported ? inst.policy.because : inst.supported.why})`);
  return { code: 0, stdout: on ? 'enabled\n' : 'disabled\n', stderr: '' };
}

/** `enable`: records the network scope in hotplug.enabled (0640) and installs the udev rule. */
export function hotplugEnable(host: Host, debug: boolean): HotplugOutcome {
  const env = open(host, debug, true);
  const ds = readCachedInstance(host);
  if (ds === null) return { code: 1, stdout: '', stderr: `${NO_DATASOURCE}: boot first (no cached instance under /var/lib/cloud/instance)\n` };
  const sup = hotplugSupported(ds.dsname);
  if (!sup.supported) return { code: 1, stdout: '', stderr: `hotplug not supported for event of net: ${sup.why}\n` };
  const scopes = enabledScopes(env);
  const done = 'Enabled cloud-init hotplug for subsystem=net\n';
  if (scopes.includes('network')) return { code: 0, stdout: done, stderr: 'Not installing hotplug for event of type net. Reason: Already done.\n' };
  const next = [...scopes, 'network'];
  // The same text as cloud-init's json.dumps, so either reads the other's file.
  host.fs.write(HOTPLUG_ENABLED_FILE, `{"scopes": [${next.map((s) => JSON.stringify(s)).join(', ')}]}`, { mode: 0o640 });
  env.log.info(`network hotplug enabled in ${HOTPLUG_ENABLED_FILE}`);
  const ruled = installHotplugRule(host, ds.dsname, env.log);
  return { code: 0, stdout: done, stderr: ruled ? '' : `udevadm is not in this image: ${HOTPLUG_RULE} was not written\n` };
}

/** The interface name of a sysfs device path (/devices/.../net/eth1), or null when it is not one. */
export function ifaceOfDevpath(devpath: string): string | null {
  const name = devpath.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^[A-Za-z0-9_.:@-]{1,15}$/.test(name) && name !== '.' && name !== '..' ? name : null;
}

function previousMac(host: Host, name: string): string | null {
  try {
    const rec = JSON.parse(host.fs.readText(NETWORK_STATE) ?? 'null') as { state?: NetworkState } | null;
    return rec?.state?.interfaces.find((i) => i.name === name)?.mac ?? null;
  } catch {
    return null;
  }
}

function findIface(state: NetworkState, name: string, mac: string | null): Iface | undefined {
  return state.interfaces.find((i) => (mac !== null && i.mac === mac) || i.name === name);
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

export interface HandleOptions {
  devpath: string;
  action: HotplugAction;
  debug: boolean;
}

/** `handle`: one udev event for a NIC. Exit 0 when applied or when hotplug is off (said on stderr); 1 when it failed. */
export async function hotplugHandle(host: Host, opts: HandleOptions): Promise<HotplugOutcome> {
  const env = open(host, opts.debug, false);
  const { log } = env;
  const skip = (why: string): HotplugOutcome => {
    log.info(`hotplug ${opts.action} ${opts.devpath}: nothing done: ${why}`);
    return { code: 0, stdout: '', stderr: '' };
  };
  const fail = (why: string): HotplugOutcome => {
    log.error(`hotplug ${opts.action} ${opts.devpath}: ${why}`);
    return { code: 1, stdout: '', stderr: '' };
  };
  const off = disabledReason(host);
  if (off !== null) return skip(`nimbus is ${off}`);
  const name = ifaceOfDevpath(opts.devpath);
  if (name === null) return fail(`${JSON.stringify(opts.devpath)} does not end in an interface name`);
  const inst = instance(env);
  if (inst === null) return fail('no datasource: this machine has not booted with nimbus (no cached instance)');
  if (!inst.supported.supported) return skip(`hotplug is not supported: ${inst.supported.why}`);
  if (!inst.policy.enabled) return skip(`hotplug is not enabled: ${inst.policy.because}`);
  const record = datasourceByName(inst.ds.dsname);
  if (record === undefined) return fail(`datasource ${inst.ds.dsname} is not one nimbus has`);
  const mac = opts.action === 'add' ? (host.sysfs.netAttr(name, 'address')?.toLowerCase() ?? null) : previousMac(host, name);
  log.info(`hotplug ${opts.action} ${name}${mac !== null ? ` (${mac})` : ''}: ${inst.policy.because}; reading the ${record.name} datasource again`);

  const waits = record.needs === 'net' ? NET_RETRY_WAITS : [];
  let last = '';
  for (let attempt = 0; attempt <= waits.length; attempt++) {
    if (attempt > 0) {
      log.debug(`hotplug: trying again in ${waits[attempt - 1]} s (${last})`);
      await sleep(waits[attempt - 1] as number);
    }
    let fresh: DatasourceResult | null;
    try {
      fresh = await record.find(contextFor(host, log, env.system.cfg, record.name, record.needs === 'local' ? 'local' : 'net'));
    } catch (e) {
      last = `the ${record.name} datasource could not be read: ${(e as Error).message}`;
      continue;
    }
    if (fresh === null) {
      last = `the ${record.name} datasource is no longer there`;
      continue;
    }
    fresh = { ...fresh, instanceId: normalizeInstanceId(fresh.instanceId) };
    if (fresh.instanceId !== inst.ds.instanceId) return fail(`the datasource now gives instance ${fresh.instanceId}, not ${inst.ds.instanceId}: a new instance is configured by the next boot`);
    const chosen = chooseNetworkConfig(host, inst.cfg, fresh.networkConfig, log);
    if (chosen.disabled) return skip(`network configuration is disabled by ${chosen.by}`);
    const iface = findIface(chosen.state, name, mac);
    if ((opts.action === 'add') !== (iface !== undefined)) {
      last = `${name} is ${opts.action === 'add' ? 'not' : 'still'} in the network configuration from ${chosen.source}`;
      continue;
    }
    return apply(env, inst, fresh, name, opts.action, iface);
  }
  return fail(last);
}

function apply(env: HotplugEnv, inst: Instance, fresh: DatasourceResult, name: string, action: HotplugAction, iface: Iface | undefined): HotplugOutcome {
  const { host, log } = env;
  const r = renderNetwork(host, env.distro, inst.cfg, fresh.networkConfig, log);
  if (r.disabled) {
    log.info(`hotplug ${action} ${name}: network configuration disabled by ${r.by}: nothing written`);
    return { code: 0, stdout: '', stderr: '' };
  }
  host.fs.write(NETWORK_STATE, JSON.stringify({ instanceId: fresh.instanceId, source: r.source, renderer: r.renderer, state: r.state }, null, 1) + '\n', { mode: 0o644 });
  let failed: string[] = [];
  if (action === 'add' && iface !== undefined) {
    // Only the new NIC (and its routes) is brought up: the others keep their addresses.
    const one: NetworkState = { ...r.state, interfaces: [iface] };
    failed = applyNetwork(host, env.distro, one, log, { renderer: r.renderer }).failed;
  } else if (action === 'remove') {
    // The device is gone; the tool may still think it is up (ifupdown's state file).
    const down = bringUpNamed(chooseTool(host, r.renderer))?.down?.(name) ?? [];
    for (const argv of down) {
      const x = host.exec.run(argv);
      if (x.code !== 0 || x.error !== undefined) log.debug(`${argv.join(' ')}: ${(x.error ?? x.stderr).trim()}`);
    }
  }
  host.fs.write(inst.paths.instance(CACHE_NAME), serializeCache(fresh), { mode: 0o600 });
  if (failed.length > 0) {
    log.error(`hotplug ${action} ${name}: ${failed.join('; ')}`);
    return { code: 1, stdout: '', stderr: '' };
  }
  log.info(`hotplug ${action} ${name}: network configuration from ${r.source} applied with ${r.renderer}`);
  return { code: 0, stdout: '', stderr: '' };
}
