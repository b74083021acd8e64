// Hetzner Cloud's metadata service as a stand-in, shared by the Hetzner tests: YAML at
// /hetzner/v1/metadata and the user-data at /hetzner/v1/userdata, as Hetzner documents
// them, or the service going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH1 admin@workstation';
export const HUSER = '#cloud-config\nruncmd: [echo hetzner]\n';
export const HVENDOR = '#cloud-config\nbootcmd: [echo vendor]\n';
export const HMAC = '96:00:00:a1:b2:c3';
export const HSERIAL = '12345678';

export type HetznerMode = 'ok' | 'b64-user-data' | '500' | 'slow' | 'truncated' | 'oversized' | 'list' | 'serial-mismatch' | 'no-network' | 'vendor-list';

export const METADATA = `hostname: my-server
instance-id: ${HSERIAL}
local-ipv4: ''
public-ipv4: 203.0.113.10
availability-zone: fsn1-dc14
region: eu-central
public-keys:
- ${HK1}
vendor_data: "${HVENDOR.replace(/\n/g, '\\n')}"
network-config:
  config:
  - mac_address: ${HMAC}
    name: eth0
    subnets:
    - dns_nameservers:
      - 185.12.64.1
      - 185.12.64.2
      ipv4: true
      type: dhcp
    - address: 2001:db8:1:2::1/64
      gateway: fe80::1
      ipv6: true
      type: static
    type: physical
  version: 1
`;

export function hetzner(mode: HetznerMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (mode === '500') return send(500, 'internal error');
    if (mode === 'slow') return setTimeout(() => send(200, METADATA), 5000).unref();
    if (req.url === '/hetzner/v1/userdata') return send(200, mode === 'b64-user-data' ? Buffer.from(HUSER).toString('base64') : HUSER);
    if (req.url !== '/hetzner/v1/metadata') return send(404, 'not found');
    switch (mode) {
      case 'truncated':
        return send(200, METADATA.slice(0, METADATA.indexOf('vendor_data') + 20));
      case 'oversized':
        return send(200, `${METADATA}pad: ${'x'.repeat(5 * 1024 * 1024)}\n`);
      case 'list':
        return send(200, '- instance-id\n- hostname\n');
      case 'serial-mismatch':
        return send(200, METADATA.replace(`instance-id: ${HSERIAL}`, 'instance-id: 999'));
      case 'no-network':
        return send(200, METADATA.slice(0, METADATA.indexOf('network-config:')));
      case 'vendor-list':
        return send(200, METADATA.replace(/^vendor_data: .*$/m, 'vendor_data: [a, b]'));
      default:
        return send(200, METADATA);
    }
  };
}
