// Debian's ifupdown: /etc/network/interfaces.d/50-cloud-init (sourced by the image's
// /etc/network/interfaces) and the udev naming rules. Routes are `ip route` hooks, as
// Debian images ship iproute2 but often not net-tools' `route`.
import { byName, type Iface, type NetworkState, type Route, type Subnet } from '../model.js';
import { ifupdown } from './bring-up.js';
import { defineRenderer } from './types.js';
import { header, routesOf, udevRules, UDEV_RULES_PATH, inSubnet, statics, type Rendered } from './common.js';

export const ENI_PATH = '/etc/network/interfaces.d/50-cloud-init';

const KIND_ORDER: Record<Iface['type'], number> = { physical: 0, bond: 1, bridge: 2, vlan: 3 };

function routeHooks(r: Route, dev: string): string[] {
  const fam = r.to.includes(':') ? '-6 ' : '';
  const spec = `${r.prefix === 0 ? 'default' : `${r.to}/${r.prefix}`} via ${r.via} dev ${dev}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
  return [`post-up ip ${fam}route add ${spec} || true`, `pre-down ip ${fam}route del ${spec} || true`];
}

function linkOptions(i: Iface): string[] {
  const o: string[] = [];
  if (i.bondMaster) o.push(`bond-master ${i.bondMaster}`);
  if (i.type === 'bond') o.push(`bond-slaves none`);
  for (const [k, v] of Object.entries(i.bond?.params ?? {}).sort()) o.push(`bond-${k.replace(/_/g, '-')} ${v}`);
  if (i.bridge) {
    o.push(`bridge_ports ${i.bridge.ports.length > 0 ? i.bridge.ports.join(' ') : 'none'}`);
    if (i.bridge.stp !== undefined) o.push(`bridge_stp ${i.bridge.stp ? 'on' : 'off'}`);
  }
  if (i.vlan) o.push(`vlan-raw-device ${i.vlan.link}`, `vlan_id ${i.vlan.id}`);
  if (i.type !== 'physical' && i.mac) o.push(`hwaddress ${i.mac}`);
  if (i.mtu !== undefined) o.push(`mtu ${i.mtu}`);
  return o;
}

function stanza(i: Iface, s: Subnet | null, first: boolean, routes: Route[]): string {
  const fam = s === null ? 'inet' : s.type === 'dhcp4' || (s.type === 'static' && s.family === 4) ? 'inet' : 'inet6';
  const method = s === null ? 'manual' : s.type === 'static' ? 'static' : s.type === 'slaac' ? 'auto' : 'dhcp';
  const o: string[] = first ? linkOptions(i) : [];
  if (s?.type === 'static') {
    o.push(`address ${s.address}/${s.prefix}`);
    if (s.gateway) o.push(`gateway ${s.gateway}`);
  }
  if (s?.type === 'slaac') o.push('dhcp 0');
  if (s?.type === 'dhcp6' && i.acceptRa === true) o.push('accept_ra 1');
  if (s) {
    if (s.dns.nameservers.length > 0) o.push(`dns-nameservers ${s.dns.nameservers.join(' ')}`);
    if (s.dns.search.length > 0) o.push(`dns-search ${s.dns.search.join(' ')}`);
  }
  for (const r of routes) o.push(...routeHooks(r, i.name));
  const head = first ? `auto ${i.name}\n` : `# control-alias ${i.name}\n`;
  return head + `iface ${i.name} ${fam} ${method}\n` + o.map((l) => `    ${l}\n`).join('');
}

export function renderEni(state: NetworkState): Rendered {
  const ifaces = byName(state).sort((a, b) => KIND_ORDER[a.type] - KIND_ORDER[b.type]);
  const parts: string[] = [];
  const lo: string[] = ['auto lo', 'iface lo inet loopback'];
  if (state.dns.nameservers.length > 0) lo.push(`    dns-nameservers ${state.dns.nameservers.join(' ')}`);
  if (state.dns.search.length > 0) lo.push(`    dns-search ${state.dns.search.join(' ')}`);
  for (const i of ifaces) {
    const routes = routesOf(state, i);
    const subnets = i.subnets.length > 0 ? i.subnets : [null];
    const text = subnets.map((s, k) => {
      // Each route is hooked on the stanza of its family whose subnet reaches the gateway.
      const mine = routes.filter((r) => {
        if (s === null) return false;
        const fam = r.to.includes(':') ? 6 : 4;
        const sFam = s.type === 'static' ? s.family : s.type === 'dhcp4' ? 4 : 6;
        if (fam !== sFam) return false;
        if (s.type === 'static' && s.gateway && r.prefix === 0 && r.via === s.gateway) return false;
        const candidates = subnets.filter((x): x is Subnet => x !== null && (x.type === 'static' ? x.family : x.type === 'dhcp4' ? 4 : 6) === fam);
        const home = candidates.find((x) => x.type === 'static' && inSubnet(r.via, x)) ?? candidates[0];
        return home === s;
      });
      return stanza(i, s, k === 0, mine);
    });
    // An interface with only link settings is configured but not raised at boot unless it
    // carries a bond, as ifupdown raises VLAN raw devices and bridge ports itself.
    const body = text.join('\n');
    parts.push(i.subnets.length === 0 && !i.bondMaster && statics(i).length === 0 ? body.replace(/^auto .*\n/, '') : body);
  }
  const content = header('#') + [lo.join('\n') + '\n', ...parts].join('\n');
  const out: Rendered = new Map([[ENI_PATH, { content, mode: 0o644 }]]);
  const udev = udevRules(ifaces);
  if (udev) out.set(UDEV_RULES_PATH, { content: udev, mode: 0o644 });
  return out;
}

export const eni = defineRenderer({
  name: 'eni',
  missing: (host) => (host.fs.exists('/etc/network/interfaces') && host.exec.has('ifup') ? null : 'needs /etc/network/interfaces and ifup (ifupdown)'),
  render: renderEni,
  owned: [{ dir: '/etc/network/interfaces.d', match: /^50-cloud-init$/ }],
  alsoWrites: [UDEV_RULES_PATH],
  bringUp: [ifupdown],
});
