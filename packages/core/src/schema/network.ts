// The network-config schemas (cloud-init's version 1 and version 2 formats), for
// `schema -t network-config`. They check the structure a user writes — the version,
// the v1 config list and its item types, the v2 device maps — so a mistake is pointed
// at by line before a boot renders nothing. Built on first use with zod() (see zod.ts):
// the CLI loads this file for every command, and only `schema` needs zod.
import type { ZodType } from 'zod';
import type { SchemaSpec } from './validate.js';
import { zod, type Z } from './zod.js';

function networkSchemas(z: Z): { v1: ZodType; v2: ZodType } {
  const strOrList = z.union([z.string(), z.array(z.string())]);
  const num = z.union([z.number(), z.string().regex(/^\d+$/)]);
  const mac = z.string();

  const v1Route = z.object({
    destination: z.string().optional(),
    network: z.string().optional(),
    netmask: z.string().optional(),
    prefix: num.optional(),
    gateway: z.string().optional(),
    metric: num.optional(),
  });

  const v1Subnet = z.object({
    type: z.enum(['dhcp4', 'dhcp', 'dhcp6', 'static', 'static6', 'ipv6_dhcpv6-stateful', 'ipv6_dhcpv6-stateless', 'ipv6_slaac', 'manual']),
    control: z.enum(['auto', 'hotplug', 'manual']).optional(),
    address: z.string().optional(),
    netmask: z.string().optional(),
    prefix: num.optional(),
    broadcast: z.string().optional(),
    gateway: z.string().optional(),
    dns_nameservers: strOrList.optional(),
    dns_search: strOrList.optional(),
    routes: z.array(v1Route).optional(),
    metric: num.optional(),
    mtu: num.optional(),
    ipv4: z.boolean().optional(),
    ipv6: z.boolean().optional(),
  });

  const v1Common = {
    name: z.string(),
    mac_address: mac.optional(),
    mtu: z.union([num, z.null()]).optional(),
    subnets: z.array(v1Subnet).optional(),
    'accept-ra': z.union([z.boolean(), z.string()]).optional(),
    keep_configuration: z.boolean().optional(),
  };

  const v1Item = z.discriminatedUnion('type', [
    z.object({ type: z.literal('physical'), ...v1Common, name: z.string(), wakeonlan: z.boolean().optional() }),
    z.object({ type: z.literal('bond'), ...v1Common, bond_interfaces: z.array(z.string()), params: z.record(z.string(), z.unknown()).optional() }),
    z.object({ type: z.literal('bridge'), ...v1Common, bridge_interfaces: z.array(z.string()), params: z.record(z.string(), z.unknown()).optional() }),
    z.object({ type: z.literal('vlan'), ...v1Common, vlan_link: z.string(), vlan_id: num }),
    z.object({ type: z.literal('infiniband'), ...v1Common }),
    z.object({ type: z.literal('nameserver'), address: strOrList.optional(), search: strOrList.optional(), interface: z.string().optional() }),
    v1Route.extend({ type: z.literal('route') }),
  ]);

  const v1 = z.object({ version: z.literal(1), config: z.union([z.array(v1Item), z.literal('disabled')]) });

  const v2Nameservers = z.object({ search: z.array(z.string()).optional(), addresses: z.array(z.string()).optional() });
  const v2Route = z.object({
    to: z.string(),
    via: z.string().optional(),
    from: z.string().optional(),
    metric: z.number().optional(),
    'on-link': z.boolean().optional(),
    table: z.number().optional(),
    type: z.string().optional(),
    scope: z.string().optional(),
    mtu: z.number().optional(),
  });
  const v2Overrides = z.looseObject({});
  const v2Common = {
    renderer: z.string().optional(),
    dhcp4: z.boolean().optional(),
    dhcp6: z.boolean().optional(),
    'dhcp4-overrides': v2Overrides.optional(),
    'dhcp6-overrides': v2Overrides.optional(),
    'dhcp-identifier': z.enum(['duid', 'mac']).optional(),
    'accept-ra': z.boolean().optional(),
    'ipv6-privacy': z.boolean().optional(),
    'link-local': z.array(z.enum(['ipv4', 'ipv6'])).optional(),
    critical: z.boolean().optional(),
    optional: z.boolean().optional(),
    addresses: z.array(z.union([z.string(), z.record(z.string(), z.looseObject({}))])).optional(),
    gateway4: z.string().optional(),
    gateway6: z.string().optional(),
    nameservers: v2Nameservers.optional(),
    macaddress: mac.optional(),
    mtu: z.number().optional(),
    routes: z.array(v2Route).optional(),
    'routing-policy': z.array(z.looseObject({})).optional(),
    'ipv6-mtu': z.number().optional(),
    'ipv6-address-generation': z.string().optional(),
    'set-name': z.string().optional(),
    match: z.object({ name: z.string().optional(), macaddress: mac.optional(), driver: strOrList.optional() }).optional(),
    wakeonlan: z.boolean().optional(),
  };
  const v2Ethernet = z.object(v2Common);
  const v2Bond = z.object({ ...v2Common, interfaces: z.array(z.string()).optional(), parameters: z.looseObject({}).optional() });
  const v2Bridge = z.object({ ...v2Common, interfaces: z.array(z.string()).optional(), parameters: z.looseObject({}).optional() });
  const v2Vlan = z.object({ ...v2Common, id: z.number().int().min(0).max(4094), link: z.string() });
  const v2Wifi = z.object({ ...v2Common, 'access-points': z.record(z.string(), z.looseObject({})).optional() });

  const v2 = z.object({
    version: z.literal(2),
    renderer: z.enum(['networkd', 'NetworkManager', 'sriov']).optional(),
    ethernets: z.record(z.string(), v2Ethernet).optional(),
    bonds: z.record(z.string(), v2Bond).optional(),
    bridges: z.record(z.string(), v2Bridge).optional(),
    vlans: z.record(z.string(), v2Vlan).optional(),
    wifis: z.record(z.string(), v2Wifi).optional(),
    tunnels: z.record(z.string(), z.looseObject({})).optional(),
    vrfs: z.record(z.string(), z.looseObject({})).optional(),
  });

  return { v1, v2 };
}

let specs: { v1: SchemaSpec; v2: SchemaSpec } | undefined;

function spec(schema: ZodType, kind: string): SchemaSpec {
  return { schemas: [schema], extraKeys: [], deprecated: {}, honoured: [], deprecatedPaths: {}, kind };
}

/** The specs of both versions, built the first time a network-config is checked. */
function networkSpecs(): { v1: SchemaSpec; v2: SchemaSpec } {
  if (specs === undefined) {
    const { v1, v2 } = networkSchemas(zod().z);
    specs = { v1: spec(v1, 'network-config v1'), v2: spec(v2, 'network-config v2') };
  }
  return specs;
}

export const networkV1Spec = (): SchemaSpec => networkSpecs().v1;
export const networkV2Spec = (): SchemaSpec => networkSpecs().v2;
