// Oracle Cloud's instance metadata service as a stand-in, shared by the Oracle tests: /opc/v2/
// answers only requests with `Authorization: Bearer Oracle` (401 otherwise), as documented;
// /opc/v1/ answers without it; or the service goes wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const OK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1 opc@laptop';
export const OK2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB2 ops@bastion';
export const OUSER = '#cloud-config\nruncmd: [echo oracle]\n';
export const OID = 'ocid1.instance.oc1.eu-frankfurt-1.antheljtexample';

export type OracleMode = 'ok' | 'v1-only' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'no-id' | 'bad-user-data' | 'key-list';

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
