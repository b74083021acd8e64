// Scaleway's metadata service as a stand-in, shared by the Scaleway tests: the server's
// JSON at /conf?format=json for anyone, user-data and vendor-data at
// /user_data/cloud-init and /vendor_data/cloud-init only to a connection from a source
// port below 1024 (else 403), 404 when there is none, as Scaleway documents them; or
// the service going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIS1 admin@workstation';
export const SK_TAG = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABDDDDD tagged@key';
export const SUSER = '#cloud-config\nruncmd: [echo scaleway]\n';
export const SVENDOR = '#cloud-config\nbootcmd: [echo vendor]\n';
export const SID = '6f1b5e4d-3c2a-4b1e-9f8d-7a6b5c4d3e2f';

export type ScalewayMode = 'ok' | 'legacy' | 'no-data' | 'rate-limited' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'bad-keys' | 'redirect-user' | 'deep' | 'user-data-500';

export function conf(): Record<string, unknown> {
  return {
    id: SID,
    name: 'scw-happy-turing',
    hostname: 'scw-happy-turing',
    commercial_type: 'DEV1-S',
    organization: '11111111-2222-3333-4444-555555555555',
    tags: [`AUTHORIZED_KEY=${SK_TAG.replace(/ /g, '_')}`, 'web'],
    ssh_public_keys: [{ key: SK1, fingerprint: '256 SHA256:abc admin@workstation (ED25519)' }],
    private_ip: null,
    public_ip: { address: '51.15.1.2', dynamic: false, id: 'x' },
    public_ips: [
      { id: 'a', address: '51.15.1.2', netmask: '32', gateway: '62.210.0.1', family: 'inet', provisioning_mode: 'dhcp' },
      { id: 'b', address: '51.15.9.9', netmask: '32', gateway: '62.210.0.1', family: 'inet', provisioning_mode: 'manual' },
      { id: 'c', address: '2001:bc8:1234::1', netmask: '64', gateway: '2001:bc8:1234::', family: 'inet6', provisioning_mode: 'manual' },
    ],
    ipv6: null,
    location: { zone_id: 'fr-par-1' },
  };
}

export function scaleway(mode: ScalewayMode) {
  let userAsks = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    const doc = conf();
    if (req.url === '/conf?format=json') {
      switch (mode) {
        case '500':
          return send(500, 'internal error');
        case 'slow':
          return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
        case 'truncated':
          return send(200, JSON.stringify(doc).slice(0, 200));
        case 'oversized':
          return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
        case 'array':
          return send(200, '[]');
        case 'deep':
          return send(200, `{"id":"x","tags":${'['.repeat(3000)}${']'.repeat(3000)}}`);
        case 'bad-keys':
          return send(200, JSON.stringify({ ...doc, ssh_public_keys: [{ fingerprint: 'no key' }] }));
        case 'legacy':
          return send(200, JSON.stringify({ ...doc, private_ip: '10.1.2.3', ipv6: { address: '2001:bc8:1::42', gateway: '2001:bc8:1::', netmask: '127' } }));
        default:
          return send(200, JSON.stringify(doc));
      }
    }
    const which = req.url === '/user_data/cloud-init' ? 'user' : req.url === '/vendor_data/cloud-init' ? 'vendor' : null;
    if (which === null) return send(404, 'not found');
    if ((req.socket.remotePort ?? 65535) >= 1024) return send(403, 'source port must be privileged');
    if (mode === 'no-data') return send(404, '');
    if (which === 'user') {
      userAsks++;
      if (mode === 'rate-limited' && userAsks <= 2) return send(429, '');
      if (mode === 'user-data-500') return send(500, '');
      if (mode === 'redirect-user') return send(302, '', { location: 'http://192.0.2.1/user_data/cloud-init' });
      return send(200, SUSER);
    }
    return send(200, SVENDOR);
  };
}
