// What every renderer shares: the output shape (path → content and mode, pure data
// the caller writes), the header, udev rules and route placement.
import type { DhcpOverrides, Iface, NetworkState, Route, StaticSubnet } from '../model.js';
import { expand6 } from '../validate.js';

export interface RenderedFile {
  content: string;
  mode: number;
}

/** Rendered files by absolute path inside the target root. */
export type Rendered = Map<string, RenderedFile>;

export const HEADER_LINES = [
  "Written by nimbus from the instance's network configuration; changes here are",
  'lost when it is rendered again. To stop nimbus writing it, put',
  '"network: {config: disabled}" in /etc/cloud/cloud.cfg.d/99-disable-network-config.cfg',
];

export function header(comment: string): string {
  return HEADER_LINES.map((l) => `${comment} ${l}\n`).join('');
}

/** Where udevRules() go; shared with the system's own rules, so never removed. */
export const UDEV_RULES_PATH = '/etc/udev/rules.d/70-persistent-net.rules';

/** udev rules that give each physical NIC with a MAC its configured name. */
export function udevRules(ifaces: Iface[]): string | null {
  const lines = ifaces.filter((i) => i.type === 'physical' && i.mac !== undefined).map((i) => `SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="${i.mac}", NAME="${i.name}"\n`);
  return lines.length === 0 ? null : header('#') + lines.join('');
}

function toBits(addr: string): string {
  if (addr.includes(':'))
    return expand6(addr)
      .map((g) => parseInt(g, 16).toString(2).padStart(16, '0'))
      .join('');
  return addr
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
}

export function inSubnet(addr: string, s: StaticSubnet): boolean {
  if ((addr.includes(':') ? 6 : 4) !== s.family) return false;
  return toBits(addr).slice(0, s.prefix) === toBits(s.address).slice(0, s.prefix);
}

/**
 * The routes an interface carries: its subnets' routes plus the global routes whose
 * gateway lies in one of its static subnets (the only interface that can reach it).
 */
export function routesOf(state: NetworkState, i: Iface): Route[] {
  const own = i.subnets.flatMap((s) => s.routes);
  const statics = i.subnets.filter((s): s is StaticSubnet => s.type === 'static');
  const global = state.routes.filter((r) => r.via !== undefined && statics.some((s) => inSubnet(r.via!, s)));
  return [...own, ...global];
}

export function statics(i: Iface, family?: 4 | 6): StaticSubnet[] {
  return i.subnets.filter((s): s is StaticSubnet => s.type === 'static' && (family === undefined || s.family === family));
}

export function has(i: Iface, type: 'dhcp4' | 'dhcp6' | 'slaac'): boolean {
  return i.subnets.some((s) => s.type === type);
}

/** The default gateway of a family: a subnet's gateway, else a default route's via. */
export function defaultGateway(state: NetworkState, i: Iface, family: 4 | 6): { via: string; metric?: number; route?: Route } | null {
  for (const s of statics(i, family)) if (s.gateway) return { via: s.gateway };
  const r = routesOf(state, i).find((x) => x.prefix === 0 && x.via !== undefined && (x.to.includes(':') ? 6 : 4) === family);
  return r ? { via: r.via!, route: r, ...(r.metric !== undefined ? { metric: r.metric } : {}) } : null;
}

/** Global routes no interface can reach (no gateway, or no static subnet holds it): not rendered. */
export function unplacedRoutes(state: NetworkState): Route[] {
  return state.routes.filter((r) => r.via === undefined || !state.interfaces.some((i) => statics(i).some((s) => inSubnet(r.via!, s))));
}

export function familyOfRoute(r: Route): 4 | 6 {
  return r.to.includes(':') ? 6 : 4;
}

/** The v4 or v6 overrides of the interface's DHCP subnet, if any. */
export function dhcpOverrides(i: Iface, type: 'dhcp4' | 'dhcp6'): DhcpOverrides | undefined {
  for (const s of i.subnets) if (s.type === type && s.overrides) return s.overrides;
  return undefined;
}

/**
 * Said by a renderer for a setting of the state its stack has no place for: the
 * interface, the key as the config names it, and why. The local stage logs each as a
 * warning and net-convert prints it, so nothing given is lost without a word.
 */
export type Warn = (iface: string, key: string, why: string) => void;

export const noWarn: Warn = () => {};

/** A renderer's warning as the user reads it. */
export interface RenderWarning {
  iface: string;
  key: string;
  why: string;
}

export function formatRenderWarning(renderer: string, w: RenderWarning): string {
  return `${renderer}: ${w.iface}: ${w.key}: not written (${w.why})`;
}

export type DhcpKey = keyof DhcpOverrides;

const OVERRIDE_NAMES: Record<DhcpKey, string> = {
  useDns: 'use-dns',
  useDomains: 'use-domains',
  useHostname: 'use-hostname',
  useNtp: 'use-ntp',
  useMtu: 'use-mtu',
  useRoutes: 'use-routes',
  sendHostname: 'send-hostname',
  hostname: 'hostname',
  routeMetric: 'route-metric',
};

/**
 * Warns for each dhcp4/dhcp6-overrides key given that the renderer does not write.
 * `use-hostname: false` is honoured everywhere (the host name is never taken from DHCP,
 * see docs/networking.md), so only `use-hostname: true` can be lost.
 */
export function warnOverrides(warn: Warn, i: Iface, type: 'dhcp4' | 'dhcp6', writes: ReadonlySet<DhcpKey>, why: string): void {
  const o = dhcpOverrides(i, type);
  if (!o) return;
  for (const k of Object.keys(o) as DhcpKey[]) {
    if (o[k] === undefined || writes.has(k)) continue;
    if (k === 'useHostname' && o.useHostname === false) continue;
    warn(i.name, `${type}-overrides.${OVERRIDE_NAMES[k]}`, why);
  }
}

/** Bond members and bridge ports are configured by their master: their own addresses have no place. */
export function warnMemberSubnets(warn: Warn, i: Iface, why: string): void {
  const master = i.bondMaster ?? i.bridgeMaster;
  if (master !== undefined && i.subnets.length > 0) warn(i.name, 'subnets', `${why}; ${i.name} is a port of ${master}`);
}

/** resolv.conf holds three nameservers (glibc's MAXNS); the rest are never used. */
export const MAX_NAMESERVERS = 3;
