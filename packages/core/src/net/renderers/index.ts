// Renderer name → pure function from the network state to files.
import type { NetRenderer } from '../../distro/types.js';
import type { NetworkState } from '../model.js';
import type { Rendered } from './common.js';
import { renderEni } from './eni.js';
import { renderNetplan } from './netplan.js';
import { renderNetworkd } from './networkd.js';
import { renderNetworkManager } from './network-manager.js';
import { renderSysconfig } from './sysconfig.js';

export const RENDERERS: Record<NetRenderer, (s: NetworkState) => Rendered> = {
  eni: renderEni,
  netplan: renderNetplan,
  networkd: renderNetworkd,
  sysconfig: renderSysconfig,
  'network-manager': renderNetworkManager,
};

export function render(state: NetworkState, renderer: NetRenderer): Rendered {
  return RENDERERS[renderer](state);
}

/** Where each renderer's files live: what nimbus owns and may remove when no longer rendered. */
export const OWNED: Record<NetRenderer, { dir: string; match: RegExp }[]> = {
  eni: [{ dir: '/etc/network/interfaces.d', match: /^50-cloud-init$/ }],
  netplan: [{ dir: '/etc/netplan', match: /^50-cloud-init\.yaml$/ }],
  networkd: [{ dir: '/etc/systemd/network', match: /^10-cloud-init-.*\.(network|netdev|link)$/ }],
  sysconfig: [
    { dir: '/etc/sysconfig/network-scripts', match: /^(ifcfg|route|route6)-(?!lo$).+$/ },
  ],
  'network-manager': [{ dir: '/etc/NetworkManager/system-connections', match: /^cloud-init-.*\.nmconnection$/ }],
};
