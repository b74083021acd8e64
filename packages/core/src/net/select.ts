// Which renderer writes the configuration: the first of `system_info.network.renderers`
// (or the distro's own list) whose network stack the image actually has installed.
import type { Host } from '../host/host.js';
import type { Distro, NetRenderer } from '../distro/types.js';

export const ALL_RENDERERS: NetRenderer[] = ['eni', 'netplan', 'networkd', 'sysconfig', 'network-manager'];

/** Why a renderer cannot be used on this image, or null when it can. */
export function rendererMissing(host: Host, r: NetRenderer): string | null {
  const has = (c: string) => host.exec.has(c);
  const file = (p: string) => host.fs.exists(p);
  switch (r) {
    case 'eni':
      return file('/etc/network/interfaces') && has('ifup') ? null : 'needs /etc/network/interfaces and ifup (ifupdown)';
    case 'netplan':
      return has('netplan') ? null : 'needs the netplan command';
    case 'networkd':
      return file('/lib/systemd/systemd-networkd') || file('/usr/lib/systemd/systemd-networkd') ? null : 'needs systemd-networkd';
    case 'sysconfig':
      return host.fs.isDir('/etc/sysconfig/network-scripts') && (has('ifup') || has('NetworkManager')) ? null : 'needs /etc/sysconfig/network-scripts and ifup or NetworkManager';
    case 'network-manager':
      return has('NetworkManager') || has('nmcli') ? null : 'needs NetworkManager';
  }
}

function configured(cfg: Record<string, unknown>): NetRenderer[] | null {
  const si = cfg.system_info;
  const net = si && typeof si === 'object' ? (si as Record<string, unknown>).network : undefined;
  const list = net && typeof net === 'object' ? (net as Record<string, unknown>).renderers : undefined;
  if (!Array.isArray(list)) return null;
  const bad = list.find((x) => !ALL_RENDERERS.includes(x as NetRenderer));
  if (bad !== undefined) throw new Error(`system_info.network.renderers: expected names from ${ALL_RENDERERS.join(', ')}, got ${JSON.stringify(bad)}`);
  return list as NetRenderer[];
}

export function selectRenderer(host: Host, distro: Distro, cfg: Record<string, unknown>): NetRenderer {
  const order = configured(cfg) ?? distro.renderers;
  const why: string[] = [];
  for (const r of order) {
    const missing = rendererMissing(host, r);
    if (missing === null) return r;
    why.push(`${r} (${missing})`);
  }
  throw new Error(`no network renderer available in this image: tried ${why.join(', ') || 'none (empty list)'}`);
}
