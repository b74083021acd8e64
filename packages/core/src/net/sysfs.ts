// The machine's NICs as /sys/class/net shows them (read through host.sysfs, so under
// --root a test tree can hold a fake one): MAC, driver, state, type, master, and
// whether it is a physical NIC that network config may be matched to.
import type { Sysfs } from '../host/sysfs.js';

export interface Nic {
  name: string;
  mac: string | null;
  driver: string | null;
  operstate: string | null;
  carrier: boolean;
  dormant: boolean;
  /** ARPHRD type: 1 is Ethernet, 32 InfiniBand, 772 loopback. */
  type: number | null;
  master: string | null;
  /** Why it is not a candidate for config (lo, veth, bridge, bond, vlan, tun, ...), or null for a physical NIC. */
  virtual: string | null;
}

function basename(p: string | null): string | null {
  return p === null ? null : p.slice(p.lastIndexOf('/') + 1);
}

function virtualKind(s: Sysfs, name: string, driver: string | null, type: number | null): string | null {
  if (name === 'lo' || type === 772) return 'loopback';
  const uevent = s.netAttr(name, 'uevent') ?? '';
  const devtype = /^DEVTYPE=(.*)$/m.exec(uevent)?.[1] ?? null;
  if (s.netHas(name, 'bridge') || devtype === 'bridge') return 'bridge';
  if (s.netHas(name, 'bonding') || devtype === 'bond') return 'bond';
  if (devtype === 'vlan') return 'vlan';
  if (s.netHas(name, 'tun_flags') || driver === 'tun') return 'tun';
  if (driver === 'veth' || name.startsWith('veth')) return 'veth';
  if (!s.netHas(name, 'device')) return 'virtual';
  return null;
}

export function readNics(s: Sysfs): Nic[] {
  return s.netNames().map((name) => {
    const driver = basename(s.netLink(name, 'device/driver'));
    const typeText = s.netAttr(name, 'type');
    const type = typeText !== null && /^\d+$/.test(typeText) ? Number(typeText) : null;
    const macText = s.netAttr(name, 'address');
    return {
      name,
      mac: macText ? macText.toLowerCase() : null,
      driver,
      operstate: s.netAttr(name, 'operstate'),
      carrier: s.netAttr(name, 'carrier') === '1',
      dormant: s.netAttr(name, 'dormant') === '1',
      type,
      master: basename(s.netLink(name, 'master')),
      virtual: virtualKind(s, name, driver, type),
    };
  });
}

/**
 * Whether a NIC has a MAC of its own that config can name it by: not loopback and not
 * a bond, bridge, VLAN or tun (those borrow a MAC or have none). veth counts: inside a
 * container the NICs are veths.
 */
export function ownsMac(n: Nic): boolean {
  return n.mac !== null && n.mac !== '00:00:00:00:00:00' && !['loopback', 'bridge', 'bond', 'vlan', 'tun'].includes(n.virtual ?? '');
}

/**
 * MAC → name of the NICs that own their MAC. Two physical NICs with one MAC make the mapping
 * ambiguous; the one exception is Hyper-V accelerated networking, where a VF shares
 * the MAC of its hv_netvsc NIC and the hv_netvsc one is the one to configure.
 */
export function macToName(nics: readonly Nic[]): Map<string, string> {
  const out = new Map<string, string>();
  const drivers = new Map<string, string | null>();
  for (const n of nics) {
    if (!ownsMac(n) || n.mac === null) continue;
    const prev = out.get(n.mac);
    if (prev !== undefined) {
      if (drivers.get(n.mac) === 'hv_netvsc') continue;
      if (n.driver === 'hv_netvsc') {
        out.set(n.mac, n.name);
        drivers.set(n.mac, n.driver);
        continue;
      }
      throw new Error(`duplicate MAC ${n.mac} on ${prev} and ${n.name}: cannot tell which one the network config means`);
    }
    out.set(n.mac, n.name);
    drivers.set(n.mac, n.driver);
  }
  return out;
}
