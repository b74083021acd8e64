// UpCloud's metadata service as a stand-in, shared by the UpCloud tests: metadata/v1.json
// as UpCloud documents it (and cloud-init's own tests show it), or the service going
// wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const UK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIU1 admin@workstation';
export const UUSER = '#cloud-config\nruncmd: [echo upcloud]\n';
export const UVENDOR = '#cloud-config\nbootcmd: [echo vendor]\n';
export const UUID = '00322b68-0096-4042-9406-faad61922128';
export const UMACS = ['3a:d6:ba:4a:36:e7', '3a:d6:ba:4a:84:cc', '3a:d6:ba:4a:63:e7'] as const;

export type UpCloudMode = 'ok' | 'no-network' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'bad-user-data' | 'deep' | 'redirect';

export function upcloudDoc(): Record<string, unknown> {
  return {
    cloud_name: 'upcloud',
    instance_id: UUID,
    hostname: 'test.example.com',
    platform: 'servers',
    public_keys: [UK1],
    region: 'fi-hel2',
    network: {
      interfaces: [
        {
          index: 1,
          ip_addresses: [
            { address: '94.237.105.53', dhcp: true, dns: ['94.237.127.9', '94.237.40.9'], family: 'IPv4', floating: false, gateway: '94.237.104.1', network: '94.237.104.0/22' },
            { address: '94.237.105.50', dhcp: false, dns: null, family: 'IPv4', floating: true, gateway: '', network: '94.237.105.50/32' },
          ],
          mac: UMACS[0],
          type: 'public',
        },
        {
          index: 2,
          ip_addresses: [{ address: '10.6.3.27', dhcp: true, dns: null, family: 'IPv4', floating: false, gateway: '10.6.0.1', network: '10.6.0.0/22' }],
          mac: UMACS[1],
          type: 'utility',
        },
        {
          index: 3,
          ip_addresses: [
            {
              address: '2a04:3545:1000:720:38d6:baff:fe4a:63e7',
              dhcp: true,
              dns: ['2a04:3540:53::1'],
              family: 'IPv6',
              floating: false,
              gateway: '2a04:3545:1000:720::1',
              network: '2a04:3545:1000:720::/64',
            },
          ],
          mac: UMACS[2],
          type: 'public',
        },
      ],
      dns: ['94.237.127.9', '94.237.40.9'],
    },
    storage: { disks: [{ id: '014efb65-223b-4d44-8f0a-c29535b88dcf', size: 10240, type: 'disk', tier: 'maxiops' }] },
    tags: [],
    user_data: UUSER,
    vendor_data: UVENDOR,
  };
}

export function upcloud(mode: UpCloudMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.url !== '/metadata/v1.json') return send(404, 'not found');
    const doc = upcloudDoc();
    switch (mode) {
      case '500':
        return send(500, 'internal error');
      case 'slow':
        return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
      case 'truncated':
        return send(200, JSON.stringify(doc).slice(0, 250));
      case 'oversized':
        return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[]');
      case 'bad-user-data':
        return send(200, JSON.stringify({ ...doc, user_data: ['a'] }));
      case 'no-network':
        return send(200, JSON.stringify({ ...doc, network: null, region: undefined }));
      case 'deep':
        return send(200, `{"tags":${'['.repeat(3000)}${']'.repeat(3000)}}`);
      case 'redirect':
        return send(302, '', { location: 'http://192.0.2.1/metadata/v1.json' });
      default:
        return send(200, JSON.stringify(doc));
    }
  };
}
