// DigitalOcean's metadata service as a stand-in, shared by the DigitalOcean tests: the
// droplet document at /metadata/v1.json as DigitalOcean documents it, or the service
// going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID1 dev@laptop';
export const DUSER = '#cloud-config\nruncmd: [echo droplet]\n';
export const DVENDOR = '#cloud-config\npackage_upgrade: false\n';
export const PUBLIC_MAC = '04:01:58:27:7f:01';
export const PRIVATE_MAC = '04:01:58:27:7f:02';

export type DoMode = 'ok' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'user-data-object' | 'no-interfaces';

export const DROPLET = {
  droplet_id: 2756294,
  hostname: 'sample-droplet',
  vendor_data: DVENDOR,
  public_keys: [DK1],
  region: 'nyc3',
  interfaces: {
    public: [
      {
        ipv4: { ip_address: '45.55.50.93', netmask: '255.255.224.0', gateway: '45.55.32.1' },
        ipv6: { ip_address: '2604:A880:0800:0010:0000:0000:017D:2001', cidr: 64, gateway: '2604:A880:0800:0010:0000:0000:0000:0001' },
        anchor_ipv4: { ip_address: '10.17.0.9', netmask: '255.255.0.0', gateway: '10.17.0.1' },
        mac: PUBLIC_MAC,
        type: 'public',
      },
    ],
    private: [{ ipv4: { ip_address: '10.132.75.35', netmask: '255.255.0.0', gateway: '10.132.0.1' }, mac: PRIVATE_MAC, type: 'private' }],
  },
  floating_ip: { ipv4: { active: false } },
  dns: { nameservers: ['2001:4860:4860::8844', '8.8.8.8'] },
  features: { dhcp_enabled: false },
  user_data: DUSER,
};

export function digitalOcean(mode: DoMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (mode === '500') return send(500, 'internal error', 'text/plain');
    if (mode === 'slow') return setTimeout(() => send(200, JSON.stringify(DROPLET)), 5000).unref();
    if (req.url !== '/metadata/v1.json') return send(404, 'not found', 'text/plain');
    switch (mode) {
      case 'truncated':
        return send(200, JSON.stringify(DROPLET).slice(0, 50));
      case 'oversized':
        return send(200, JSON.stringify({ ...DROPLET, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[2756294]');
      case 'user-data-object':
        return send(200, JSON.stringify({ ...DROPLET, user_data: { runcmd: [] } }));
      case 'no-interfaces': {
        const { interfaces: _i, ...rest } = DROPLET;
        return send(200, JSON.stringify(rest));
      }
      default:
        return send(200, JSON.stringify(DROPLET));
    }
  };
}
