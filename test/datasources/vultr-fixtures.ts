// Vultr's metadata service as a stand-in, shared by the Vultr tests: v1.json as Vultr
// documents it (and cloud-init's own tests show it), answered only to a request with
// `Metadata-Token: cloudinit`, or the service going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const VK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIV1 admin@workstation';
export const VUSER = '#cloud-config\nruncmd: [echo vultr]\n';
export const VVENDOR = '#cloud-config\npackage_upgrade: true\n';
export const VIID = '29bea708-2e6e-480a-90ad-0e6b5d5ad62f';
export const VPUBLIC_MAC = '56:00:03:1b:4e:ca';
export const VPRIVATE_MAC = '5a:00:03:1b:4e:ca';

export type VultrMode = 'ok' | 'cloud-interfaces' | 'no-user-data' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'no-iid' | 'user-data-object' | 'unknown-mac' | 'deep' | 'redirect';

export function v1(): Record<string, unknown> {
  return {
    bgp: { ipv4: { 'my-address': '', 'my-asn': '', 'peer-address': '', 'peer-asn': '' } },
    hostname: 'vultr-guest.example.com',
    'instance-v2-id': VIID,
    instanceid: '42872224',
    interfaces: [
      {
        ipv4: { additional: [], address: '45.76.7.171', gateway: '45.76.6.1', netmask: '255.255.254.0' },
        ipv6: { additional: [{ network: '2002:19f0:5:28a7::', prefix: '64' }], address: '2001:19f0:5:28a7:5400:03ff:fe1b:4eca', network: '2001:19f0:5:28a7::', prefix: '64' },
        mac: VPUBLIC_MAC,
        'network-type': 'public',
      },
      {
        ipv4: { additional: [], address: '10.1.112.3', gateway: '', netmask: '255.255.240.0' },
        ipv6: { additional: [], network: '', prefix: '' },
        mac: VPRIVATE_MAC,
        mtu: 1450,
        'network-type': 'private',
      },
    ],
    'public-keys': [VK1],
    region: { regioncode: 'EWR', countrycode: 'US' },
    'user-defined': [],
    'startup-script': 'echo a secret script',
    'user-data': VUSER,
    'vendor-data': VVENDOR,
  };
}

export const CLOUD_INTERFACES = {
  version: 1,
  config: [
    { type: 'nameserver', address: ['108.61.10.10'] },
    { type: 'physical', mac_address: VPUBLIC_MAC, 'accept-ra': 1, subnets: [{ type: 'dhcp', control: 'auto' }] },
  ],
};

export function vultr(mode: VultrMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.url !== '/v1.json') return send(404, 'not found');
    if (req.headers['metadata-token'] !== 'cloudinit') return send(401, 'Metadata-Token missing');
    const doc = v1();
    switch (mode) {
      case '500':
        return send(500, 'internal error');
      case 'slow':
        return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
      case 'truncated':
        return send(200, JSON.stringify(doc).slice(0, 300));
      case 'oversized':
        return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[1, 2]');
      case 'no-iid':
        return send(200, JSON.stringify({ ...doc, 'instance-v2-id': 42 }));
      case 'user-data-object':
        return send(200, JSON.stringify({ ...doc, 'user-data': { a: 1 } }));
      case 'no-user-data':
        return send(200, JSON.stringify({ ...doc, 'user-data': [], hostname: '' }));
      case 'unknown-mac':
        return send(200, JSON.stringify({ ...doc, interfaces: [{ ...(doc['interfaces'] as object[])[0], mac: '00:00:00:00:00:01' }] }));
      case 'cloud-interfaces':
        return send(200, JSON.stringify({ ...doc, interfaces: [], cloud_interfaces: CLOUD_INTERFACES }));
      case 'deep':
        return send(200, `{"instance-v2-id":"x","bgp":${'['.repeat(3000)}${']'.repeat(3000)}}`);
      case 'redirect':
        return send(302, '', { location: 'http://192.0.2.1/v1.json' });
      default:
        return send(200, JSON.stringify(doc));
    }
  };
}
