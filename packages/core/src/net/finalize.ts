// The last step of every parser: links bond members and bridge ports to their master
// (defining the ones the source named but did not define, as cloud-init does), and
// refuses a state that names interfaces twice or gives one interface two default
// gateways of a family that nothing tells apart.
import { fail, type FieldPath, type Where } from './errors.js';
import type { Iface, NetworkState } from './model.js';

function portOf(state: NetworkState, name: string): Iface {
  const found = state.interfaces.find((x) => x.name === name);
  if (found) return found;
  // A member only named in bond_interfaces / bridge_interfaces (or a v2 `interfaces`
  // list) is a NIC with no addresses of its own: cloud-init defines it, so does nimbus.
  const made: Iface = { name, type: 'physical', subnets: [] };
  state.interfaces.push(made);
  return made;
}

/**
 * Two default routes of one family on one interface with the same metric: the second
 * would be dropped or fail. Parsers call it with the interface's own path (for
 * file:line:col); finalizeState calls it again for those that do not.
 */
export function checkDefaults(w: Where, i: Iface, path: FieldPath = [i.name]): void {
  const seen = new Map<string, string>();
  const add = (family: 4 | 6, via: string, metric: number | undefined) => {
    const key = `${family}/${metric ?? ''}`;
    const prev = seen.get(key);
    if (prev !== undefined && prev !== via)
      fail(w, path, `one IPv${family} default gateway per interface (as cloud-init); ${i.name} has ${prev} and ${via}${metric !== undefined ? ` with the same metric ${metric}` : ''}`);
    seen.set(key, via);
  };
  for (const s of i.subnets) {
    if (s.type === 'static' && s.gateway) add(s.family, s.gateway, undefined);
    for (const r of s.routes) if (r.prefix === 0 && r.via !== undefined) add(r.to.includes(':') ? 6 : 4, r.via, r.metric);
  }
}

export function finalizeState(w: Where, state: NetworkState): NetworkState {
  const names = new Map<string, number>();
  state.interfaces.forEach((i, k) => {
    if (names.has(i.name)) fail(w, [i.name], `each interface defined once; '${i.name}' is defined twice`);
    names.set(i.name, k);
  });
  for (const i of [...state.interfaces]) {
    for (const m of i.bond?.members ?? []) portOf(state, m).bondMaster = i.name;
    for (const p of i.bridge?.ports ?? []) portOf(state, p).bridgeMaster = i.name;
  }
  for (const i of state.interfaces) checkDefaults(w, i);
  return state;
}
