// Oracle Cloud's instance metadata service as a stand-in, shared by the Oracle tests: /opc/v2/
// answers only requests with `Authorization: Bearer Oracle` (401 otherwise), as documented;
// /opc/v1/ answers without it; or the service goes wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const OK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1 opc@laptop';
export const OK2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB2 ops@bastion';
export const OUSER = '#cloud-config\nruncmd: [echo oracle]\n';
export const OID = 'ocid1.instance.oc1.eu-frankfurt-1.antheljtexample';

export type OracleMode = 'ok' | 'v1-only' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'no-id' | 'bad-user-data' | 'key-list' | 'bad-vnics';

export const INSTANCE = {
  availabilityDomain: 'qIZq:EU-FRANKFURT-1-AD-1',
  canonicalRegionName: 'eu-frankfurt-1',
  displayName: 'web-1',
  hostname: 'web-1',
  id: OID,
  ociAdName: 'eu-frankfurt-1-ad-1',
  region: 'fra',
  shape: 'VM.Standard.E4.Flex',
  metadata: { ssh_authorized_keys: `${OK1}\n${OK2}\n`, user_data: Buffer.from(OUSER).toString('base64') },
};

/** The VNICs as the service lists them: the primary, a secondary with IPv4 and IPv6, one whose NIC is not on the machine. */
export const VNICS = [
  { vnicId: 'ocid1.vnic.oc1.primary', privateIp: '10.0.0.230', vlanTag: 1039, macAddr: '02:00:17:05:D1:DB', virtualRouterIp: '10.0.0.1', subnetCidrBlock: '10.0.0.0/24' },
  {
    vnicId: 'ocid1.vnic.oc1.second',
    privateIp: '10.0.4.5',
    vlanTag: 1041,
    macAddr: '02:00:17:08:8C:51',
    virtualRouterIp: '10.0.4.1',
    subnetCidrBlock: '10.0.4.0/24',
    ipv6SubnetCidrBlock: '2603:c020:400d:5d7e::/64',
    ipv6Addresses: ['2603:c020:400d:5d7e:aacc:8e5f:3b1b:3a4a'],
  },
  { vnicId: 'ocid1.vnic.oc1.absent', privateIp: '10.0.5.5', vlanTag: 1042, macAddr: '02:00:17:0F:00:01', virtualRouterIp: '10.0.5.1', subnetCidrBlock: '10.0.5.0/24' },
];

export function oracle(mode: OracleMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (mode === '500') return send(500, 'internal error', 'text/plain');
    if (mode === 'slow') return setTimeout(() => send(200, JSON.stringify(INSTANCE)), 5000).unref();
    const v2 = url.startsWith('/opc/v2/');
    if (v2 && mode === 'v1-only') return send(404, 'not found', 'text/plain');
    if (v2 && req.headers['authorization'] !== 'Bearer Oracle') return send(401, '{"code":"NotAuthenticated"}');
    if (url === '/opc/v2/vnics/' || url === '/opc/v1/vnics/') return mode === 'bad-vnics' ? send(200, '{"not": "a list"}') : send(200, JSON.stringify(VNICS));
    if (url !== '/opc/v2/instance/' && url !== '/opc/v1/instance/') return send(404, 'not found', 'text/plain');
    switch (mode) {
      case 'truncated':
        return send(200, JSON.stringify(INSTANCE).slice(0, 40));
      case 'oversized':
        return send(200, JSON.stringify({ ...INSTANCE, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '["id"]');
      case 'no-id': {
        const { id: _id, ...rest } = INSTANCE;
        return send(200, JSON.stringify(rest));
      }
      case 'bad-user-data':
        return send(200, JSON.stringify({ ...INSTANCE, metadata: { user_data: 'not base64 at all!' } }));
      case 'key-list':
        return send(200, JSON.stringify({ ...INSTANCE, metadata: { ssh_authorized_keys: [OK2] } }));
      default:
        return send(200, JSON.stringify(INSTANCE));
    }
  };
}
