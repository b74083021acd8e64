// The only list of network renderers. Adding one is its own file exporting a record
// (types.ts) plus a line here; the names nimbus accepts (system_info.network.renderers,
// net-convert -O), stale-file cleanup and bring-up all derive from this list.
import type { NetworkState } from '../model.js';
import { formatRenderWarning, type Rendered, type RenderWarning, unplacedRoutes } from './common.js';
import { eni } from './eni.js';
import { netplan } from './netplan.js';
import { networkd } from './networkd.js';
import { networkManager } from './network-manager.js';
import { RenderError, sysconfig } from './sysconfig.js';
import type { BringUp, Renderer } from './types.js';

// Order is what users see in messages and in net-convert's --help.
export const RENDERERS = [eni, netplan, networkd, sysconfig, networkManager] as const;

type Registered = (typeof RENDERERS)[number];

export type NetRenderer = Registered['name'];

/** A bring-up tool's name: one of the renderers' tools, or `ip` when the image has none of them. */
export type UpTool = Registered['bringUp'][number]['tool'] | 'ip';

export const ALL_RENDERERS: readonly NetRenderer[] = RENDERERS.map((r) => r.name);

export function rendererNamed(name: NetRenderer): Renderer<NetRenderer, Exclude<UpTool, 'ip'>> {
  const r = RENDERERS.find((x) => x.name === name);
  if (!r) throw new Error(`unknown network renderer ${JSON.stringify(name)}`);
  return r;
}

export function isRendererName(name: unknown): name is NetRenderer {
  return RENDERERS.some((r) => r.name === name);
}

/** The record of a bring-up tool other than the `ip` fallback; null for `ip`. */
export function bringUpNamed(tool: UpTool): BringUp | null {
  if (tool === 'ip') return null;
  for (const r of RENDERERS) for (const b of r.bringUp) if (b.tool === tool) return b;
  throw new Error(`unknown bring-up tool ${JSON.stringify(tool)}`);
}

/** The files `renderer` writes for `state`; `distro` (os-release ID, net-convert's -D) picks the flavour (sysconfig: rhel or suse). */
export function render(state: NetworkState, renderer: NetRenderer, distro?: string): Rendered {
  return renderWithWarnings(state, renderer, distro).files;
}

/**
 * The files and what the renderer could not write (each naming the interface and the
 * key), ready to log: the local stage logs them as warnings, net-convert prints them.
 */
export function renderWithWarnings(state: NetworkState, renderer: NetRenderer, distro?: string): { files: Rendered; warnings: RenderWarning[]; messages: string[] } {
  // v2 wifis/tunnels/vrfs/modems reach only netplan (cloud-init 25.1 passes them through
  // to it); any other stack would drop them, so the config is refused instead.
  const only = renderer === 'netplan' ? undefined : state.netplanOnly?.[0];
  if (only) throw new RenderError(`${only.at}: ${only.key}: not supported: v2 ${only.key} with the ${renderer} renderer (only the netplan renderer passes them through)`);
  const warnings: RenderWarning[] = [];
  const files = rendererNamed(renderer).render(state, distro, (iface, key, why) => {
    if (!warnings.some((w) => w.iface === iface && w.key === key)) warnings.push({ iface, key, why });
  });
  // Global routes no interface can carry are left out by every renderer: said here, so
  // the local stage logs it and net-convert prints it.
  const unplaced = unplacedRoutes(state).map((r) =>
    r.via === undefined
      ? `route to ${r.to}/${r.prefix} not written: a route given for no interface needs a gateway`
      : `route to ${r.to}/${r.prefix} via ${r.via} not written: no interface has an address in the gateway's subnet`,
  );
  return { files, warnings, messages: [...unplaced, ...warnings.map((w) => formatRenderWarning(renderer, w))] };
}
