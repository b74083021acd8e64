// NWCS's metadata service as a stand-in, shared by the NWCS tests: api/v1/metadata as
// NWCS documents it (and cloud-init's own tests show it), or the service going wrong in
// one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const NK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN1 admin@workstation';
export const NUSER = '#cloud-config\nruncmd: [echo nwcs]\n';
export const NIID = 'f7d2a6e4-7b4a-4c1e-9d8e-0a1b2c3d4e5f';
export const NMAC = '02:00:0a:12:01:01';

export type NwcsMode = 'ok' | 'no-network' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'deep' | 'redirect' | 'no-hostname';

export function nwcsDoc(): Record<string, unknown> {
  return {
    'instance-id': NIID,
    hostname: 'nwcs-vm.example.net',
    'public-keys': [NK1],
    network: {
      version: 1,
      config: [
        {
          type: 'physical',
          name: 'eth0',
          mac_address: NMAC,
          subnets: [
            { type: 'static', address: '10.0.0.10', netmask: '255.255.255.0', gateway: '10.0.0.1' },
            { type: 'static6', address: '2001:db8::10/64', gateway: '2001:db8::1' },
          ],
        },
        { type: 'nameserver', address: ['10.0.0.2'] },
      ],
    },
    userdata: NUSER,
    vendordata: null,
  };
}

export function nwcs(mode: NwcsMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.url !== '/api/v1/metadata') return send(404, 'not found');
    const doc = nwcsDoc();
    switch (mode) {
      case '500':
        return send(500, 'internal error');
      case 'slow':
        return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
      case 'truncated':
        return send(200, JSON.stringify(doc).slice(0, 100));
      case 'oversized':
        return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[]');
      case 'deep':
        return send(200, `{"instance-id":"x","network":${'['.repeat(3000)}${']'.repeat(3000)}}`);
      case 'redirect':
        return send(302, '', { location: 'http://192.0.2.1/api/v1/metadata' });
      case 'no-network':
        return send(200, JSON.stringify({ ...doc, network: { config: [] } }));
      case 'no-hostname':
        return send(200, JSON.stringify({ ...doc, hostname: undefined }));
      default:
        return send(200, JSON.stringify(doc));
    }
  };
}
