// The fallback when no source gives a network config: DHCPv4 on the first connected
// physical NIC, matched by its MAC so a later rename does not lose it.
import { emptyDns, type NetworkState } from '../model.js';
import type { Nic } from '../sysfs.js';

function natural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The NIC the fallback uses, or null when the machine has no physical NIC. */
export function fallbackNic(nics: readonly Nic[]): Nic | null {
  const cands = nics.filter((n) => n.virtual === null && n.mac !== null && (n.type === null || n.type === 1));
  // eth0 first when present (the name images expect), then natural name order.
  cands.sort((a, b) => (a.name === 'eth0' ? -1 : b.name === 'eth0' ? 1 : natural(a.name, b.name)));
  return cands.find((n) => n.carrier) ?? cands.find((n) => n.dormant) ?? cands.find((n) => ['dormant', 'down', 'lowerlayerdown', 'unknown'].includes(n.operstate ?? '')) ?? null;
}

export function fallbackState(nics: readonly Nic[]): NetworkState | null {
  const nic = fallbackNic(nics);
  if (nic === null || nic.mac === null) return null;
  return {
    interfaces: [{ name: nic.name, type: 'physical', mac: nic.mac, subnets: [{ type: 'dhcp4', dns: emptyDns(), routes: [] }] }],
    routes: [],
    dns: emptyDns(),
  };
}
