// The bring-up tools more than one renderer can use, or that belong to a stack rather
// than to one file format (sysconfig's ifcfg files are read by ifupdown or NetworkManager).
// A renderer with a tool of its own may define it in its own file instead.
import { defineBringUp } from './types.js';

export const ifupdown = defineBringUp({
  tool: 'ifupdown',
  needs: 'ifup',
  // ifupdown keeps its own record of what is up; without this ifup thinks the interface is.
  down: (iface) => [['ifdown', '--force', iface]],
  up: (ifaces) => ifaces.map((i) => ({ argv: ['ifup', i.name], failure: `${i.name}: ifup failed` })),
});

export const nmcli = defineBringUp({
  tool: 'nmcli',
  needs: 'nmcli',
  up: (ifaces) => [
    { argv: ['nmcli', 'connection', 'reload'] },
    // Connection ids are the keyfiles' `id=cloud-init NAME` (network-manager.ts).
    ...ifaces.map((i) => ({ argv: ['nmcli', 'connection', 'up', 'id', `cloud-init ${i.name}`], failure: `${i.name}: nmcli connection up failed` })),
  ],
});

export const networkctl = defineBringUp({
  tool: 'networkctl',
  needs: 'networkctl',
  up: (ifaces, present) => [
    { argv: ['networkctl', 'reload'] },
    { argv: ['networkctl', 'reconfigure', ...ifaces.filter((i) => present.has(i.name)).map((i) => i.name)], failure: 'networkctl reconfigure failed' },
  ],
});

export const netplanApply = defineBringUp({
  tool: 'netplan',
  needs: 'netplan',
  up: () => [{ argv: ['netplan', 'apply'], failure: 'netplan apply failed' }],
});
