// Which renderer writes the configuration: the first of `system_info.network.renderers`
// (or the distro's own list) whose network stack the image actually has installed.
import type { Host } from '../host/host.js';
import type { Distro } from '../distro/types.js';
import { ALL_RENDERERS, isRendererName, rendererNamed, type NetRenderer } from './renderers/registry.js';

function configured(cfg: Record<string, unknown>): NetRenderer[] | null {
  const si = cfg.system_info;
  const net = si && typeof si === 'object' ? (si as Record<string, unknown>).network : undefined;
  const list = net && typeof net === 'object' ? (net as Record<string, unknown>).renderers : undefined;
  if (!Array.isArray(list)) return null;
  const bad = list.find((x) => !isRendererName(x));
  if (bad !== undefined) throw new Error(`system_info.network.renderers: expected names from ${ALL_RENDERERS.join(', ')}, got ${JSON.stringify(bad)}`);
  return list as NetRenderer[];
}

/** The first renderer of `order` the image has, or null. */
export function firstAvailable(host: Host, order: readonly NetRenderer[]): NetRenderer | null {
  return order.find((r) => rendererNamed(r).missing(host) === null) ?? null;
}

export function selectRenderer(host: Host, distro: Distro, cfg: Record<string, unknown>): NetRenderer {
  const order = configured(cfg) ?? distro.renderers;
  // Each stack is looked for once: the first the image has wins, the others say why not.
  const why: string[] = [];
  for (const r of order) {
    const missing = rendererNamed(r).missing(host);
    if (missing === null) return r;
    why.push(`${r} (${missing})`);
  }
  throw new Error(`no network renderer available in this image: tried ${why.join(', ') || 'none (empty list)'}`);
}
