// The last step of every parser: links bond members and bridge ports to their master
// and refuses a state that names interfaces twice or points at ones that do not exist.
import { fail, type Where } from './errors.js';
import type { NetworkState } from './model.js';

export function finalizeState(w: Where, state: NetworkState): NetworkState {
  const names = new Map<string, number>();
  state.interfaces.forEach((i, k) => {
    if (names.has(i.name)) fail(w, [i.name], `each interface defined once; '${i.name}' is defined twice`);
    names.set(i.name, k);
  });
  for (const i of state.interfaces) {
    for (const m of i.bond?.members ?? []) {
      const member = state.interfaces.find((x) => x.name === m);
      if (!member) fail(w, [i.name, 'interfaces'], `bond members that are defined interfaces; '${m}' is not`);
      member.bondMaster = i.name;
    }
    for (const p of i.bridge?.ports ?? []) {
      const port = state.interfaces.find((x) => x.name === p);
      if (!port) fail(w, [i.name, 'interfaces'], `bridge ports that are defined interfaces; '${p}' is not`);
      port.bridgeMaster = i.name;
    }
  }
  return state;
}
