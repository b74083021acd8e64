// Oracle's VNICs (the IMDS `vnics/` list) as network config v1, as cloud-init 25 builds
// it when the root disk is not on iSCSI: the first VNIC is the primary, DHCP (DHCPv6 when
// it has only IPv6); every other VNIC is static with its private IP and its first IPv6
// address; each by the MAC of a NIC this machine has (a VNIC whose MAC is not here is
// skipped), all with Oracle's MTU of 9000.
import { isDict } from '../config/merge.js';

export const ORACLE_MTU = 9000;

function prefixOf(cidr: unknown, fallback: number): number {
  if (typeof cidr !== 'string') return fallback;
  const m = /\/(\d{1,3})$/.exec(cidr);
  return m === null ? fallback : Number(m[1]);
}

/**
 * The v1 config from the VNICs; `warn` hears of each one skipped. Throws a message
 * naming the entry when the list has the wrong shape.
 */
export function oracleVnicConfig(vnics: unknown, names: ReadonlyMap<string, string>, warn: (m: string) => void): { version: 1; config: Record<string, unknown>[] } {
  if (!Array.isArray(vnics) || vnics.length === 0) throw new Error('expected a non-empty list of VNICs');
  const config: Record<string, unknown>[] = [];
  vnics.forEach((v, i) => {
    if (!isDict(v)) throw new Error(`vnics[${i}]: expected an object`);
    if (typeof v['macAddr'] !== 'string') throw new Error(`vnics[${i}].macAddr: missing or not a string`);
    const mac = v['macAddr'].toLowerCase();
    const name = names.get(mac);
    if (name === undefined) return warn(`Oracle: VNIC ${i}: no interface with MAC ${mac} here; skipped`);
    const v6 = Array.isArray(v['ipv6Addresses']) && typeof v['ipv6Addresses'][0] === 'string' ? (v['ipv6Addresses'][0] as string) : null;
    const v4 = typeof v['privateIp'] === 'string' && v['privateIp'] !== '' ? v['privateIp'] : null;
    const ipv6Only = v['ipv6SubnetCidrBlock'] !== undefined && v['ipv6SubnetCidrBlock'] !== null && v4 === null;
    let subnets: Record<string, unknown>[];
    if (i === 0) subnets = [{ type: ipv6Only ? 'dhcp6' : 'dhcp' }];
    else {
      subnets = [];
      if (v4 !== null) subnets.push({ type: 'static', address: `${v4}/${prefixOf(v['subnetCidrBlock'], 32)}` });
      if (v6 !== null) subnets.push({ type: 'static', address: `${v6}/${prefixOf(v['ipv6SubnetCidrBlock'], 64)}` });
    }
    config.push({ name, type: 'physical', mac_address: mac, mtu: ORACLE_MTU, subnets });
  });
  return { version: 1, config };
}
