// Bring-up in the init stage: rename NICs, then for every configured interface take it
// down and flush its addresses (so an image made from another VM never ends up with
// the old and the new address), then raise it with the tool the image has.
import type { Host } from '../host/host.js';
import type { Logger } from '../log/logger.js';
import type { Distro } from '../distro/types.js';
import { byName, type Iface, type NetworkState } from './model.js';
import { applyRenames, planRenames, wantedNames, type RenameMove } from './rename.js';
import { readNics } from './sysfs.js';
import { firstAvailable } from './select.js';
import { routesOf, statics } from './renderers/common.js';
import { bringUpNamed, rendererNamed, type NetRenderer, type UpTool } from './renderers/registry.js';

export interface ApplyOptions {
  /** The renderer that wrote the files (default: the distro's first available one). */
  renderer?: NetRenderer;
  /** Force a bring-up tool (tests use `ip` inside a namespace). */
  tool?: UpTool;
}

export interface ApplyResult {
  renamed: RenameMove[];
  tool: UpTool;
  /** Interfaces that did not come up, with why. */
  failed: string[];
}

/** The tool that raises interfaces from the files `renderer` wrote, as far as the image has it. */
export function chooseTool(host: Host, renderer: NetRenderer | null): UpTool {
  if (renderer === null) return 'ip';
  const tool = rendererNamed(renderer).bringUp.find((b) => host.exec.has(b.needs));
  return tool?.tool ?? 'ip';
}

const ORDER: Record<Iface['type'], number> = { physical: 0, bond: 1, bridge: 2, vlan: 3 };

function run(host: Host, argv: string[], log: Logger, quiet = false): boolean {
  const r = host.exec.run(argv);
  if (r.code !== 0 || r.error) {
    if (!quiet) log.warn(`${argv.join(' ')} failed: ${(r.error ?? r.stderr).trim()}`);
    return false;
  }
  return true;
}

/** Creates a bond, bridge or VLAN that is not there yet; null when done or present. */
function createWithIp(host: Host, i: Iface, present: Set<string>, log: Logger): string | null {
  if (present.has(i.name)) return null;
  let ok: boolean;
  if (i.type === 'vlan' && i.vlan) ok = run(host, ['ip', 'link', 'add', 'link', i.vlan.link, 'name', i.name, 'type', 'vlan', 'id', String(i.vlan.id)], log);
  else if (i.type === 'bond') ok = run(host, ['ip', 'link', 'add', i.name, 'type', 'bond', ...(i.bond?.params.mode ? ['mode', i.bond.params.mode] : [])], log);
  else if (i.type === 'bridge') ok = run(host, ['ip', 'link', 'add', i.name, 'type', 'bridge'], log);
  else return `${i.name} is not on this machine`;
  if (ok) present.add(i.name);
  return ok ? null : `${i.name} could not be created`;
}

/** Sets master, MTU, addresses and routes directly with `ip`, and starts DHCP when asked. */
function upWithIp(host: Host, state: NetworkState, i: Iface, log: Logger): string | null {
  const master = i.bondMaster ?? i.bridgeMaster;
  // A port joins its bond or bridge while down; the master exists already (created first).
  if (master && !run(host, ['ip', 'link', 'set', 'dev', i.name, 'master', master], log)) return `${i.name} could not join ${master}`;
  if (i.mtu !== undefined) run(host, ['ip', 'link', 'set', 'dev', i.name, 'mtu', String(i.mtu)], log);
  if (!run(host, ['ip', 'link', 'set', 'dev', i.name, 'up'], log)) return `${i.name} did not come up`;
  for (const s of statics(i)) run(host, ['ip', s.family === 6 ? '-6' : '-4', 'addr', 'add', `${s.address}/${s.prefix}`, 'dev', i.name], log);
  for (const s of statics(i)) if (s.gateway) run(host, ['ip', s.family === 6 ? '-6' : '-4', 'route', 'replace', 'default', 'via', s.gateway, 'dev', i.name], log);
  for (const r of routesOf(state, i)) {
    const to = r.prefix === 0 ? 'default' : `${r.to}/${r.prefix}`;
    run(
      host,
      ['ip', r.to.includes(':') ? '-6' : '-4', 'route', 'replace', to, ...(r.via !== undefined ? ['via', r.via] : []), 'dev', i.name, ...(r.metric !== undefined ? ['metric', String(r.metric)] : [])],
      log,
    );
  }
  if (i.subnets.some((s) => s.type === 'dhcp4' || s.type === 'dhcp6')) {
    // No network manager to hand DHCP to: use a client the image has (-1 / -n: try once,
    // do not wait in the background).
    const v6 = i.subnets.some((s) => s.type === 'dhcp6');
    const v4 = i.subnets.some((s) => s.type === 'dhcp4');
    if (host.exec.has('dhclient')) {
      if (v4) run(host, ['dhclient', '-1', '-4', i.name], log);
      if (v6) run(host, ['dhclient', '-1', '-6', i.name], log);
    } else if (host.exec.has('udhcpc') && v4 && !v6) {
      run(host, ['udhcpc', '-i', i.name, '-n', '-q'], log);
    } else {
      return `${i.name}: not supported: DHCP${v6 ? 'v6' : ''} with the ip tool needs ${v6 ? 'dhclient' : 'dhclient or udhcpc'} in the image`;
    }
  }
  return null;
}

/**
 * The `ip` fallback when the image has none of the renderer's tools: bonds and bridges
 * first (ports join them), then every interface in order (VLANs after the devices they
 * sit on, which are then up). Returns what failed.
 */
function upAllWithIp(host: Host, state: NetworkState, ifaces: Iface[], present: Set<string>, log: Logger): string[] {
  const failed: string[] = [];
  const broken = new Set<string>();
  for (const i of ifaces.filter((x) => x.type === 'bond' || x.type === 'bridge')) {
    const why = createWithIp(host, i, present, log);
    if (why) {
      failed.push(why);
      broken.add(i.name);
    }
  }
  for (const i of ifaces) {
    if (broken.has(i.name)) continue;
    const why = (i.type === 'vlan' ? createWithIp(host, i, present, log) : null) ?? upWithIp(host, state, i, log);
    if (why) failed.push(why);
  }
  return failed;
}

/** Takes every configured interface down and flushes its addresses, then raises it with `tool`. */
export function bringUp(host: Host, state: NetworkState, tool: UpTool, log: Logger): string[] {
  const ifaces = byName(state).sort((a, b) => ORDER[a.type] - ORDER[b.type]);
  const present = new Set(host.sysfs.netNames());
  const record = bringUpNamed(tool);
  for (const i of [...ifaces].reverse()) {
    if (!present.has(i.name)) continue;
    for (const argv of record?.down?.(i.name) ?? []) run(host, argv, log, true);
    run(host, ['ip', 'link', 'set', 'dev', i.name, 'down'], log);
    run(host, ['ip', '-4', 'addr', 'flush', 'dev', i.name], log);
    run(host, ['ip', '-6', 'addr', 'flush', 'dev', i.name, 'scope', 'global'], log);
  }
  // `control: manual` interfaces are configured, taken down and flushed, but stay down.
  const raise = ifaces.filter((i) => !i.manual);
  for (const i of ifaces) if (i.manual) log.info(`${i.name} is control: manual: left down`);
  if (record === null) return upAllWithIp(host, state, raise, present, log);
  const failed: string[] = [];
  for (const step of record.up(raise, present)) if (!run(host, step.argv, log) && step.failure !== undefined) failed.push(step.failure);
  return failed;
}

/** Init stage: renames by MAC, then bring-up without stale addresses. */
export function applyNetwork(host: Host, distro: Distro, state: NetworkState, log: Logger, opts: ApplyOptions = {}): ApplyResult {
  const nics = readNics(host.sysfs);
  const renamed = applyRenames(host, planRenames(wantedNames(state), nics), nics, log);
  const tool = opts.tool ?? chooseTool(host, opts.renderer ?? firstAvailable(host, distro.renderers));
  log.info(`bringing up ${state.interfaces.map((i) => i.name).join(', ') || 'nothing'} with ${tool}`);
  const failed = bringUp(host, state, tool, log);
  for (const f of failed) log.error(f);
  return { renamed, tool, failed };
}
