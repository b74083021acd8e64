// Exoscale's metadata service and password server as stand-ins, shared by the Exoscale
// tests: an EC2-style tree at /1.0/meta-data/ and the user-data at /1.0/user-data; the
// password server answering `DomU_Request: send_my_password` with the password once,
// until `saved_password` acknowledges it, as Exoscale and CloudStack document them; or
// either going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const EK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1 admin@workstation';
export const EUSER = '#cloud-config\nruncmd: [echo exoscale]\n';
export const EIID = '1f4b7c2e-8a3d-4e5f-9b6a-0c1d2e3f4a5b';
export const EPASSWORD = 'Sup3r-secret';

export type ExoscaleMode = 'ok' | 'no-user-data' | '500' | 'slow' | 'truncated-listing' | 'oversized' | 'no-iid' | 'redirect';
export type PasswordMode = 'ok' | 'saved' | 'empty' | '500';

const LEAVES: Record<string, string> = {
  'instance-id': EIID,
  'local-hostname': 'exo-vm-1',
  'public-hostname': 'exo-vm-1',
  'local-ipv4': '185.19.28.10',
  'public-ipv4': '185.19.28.10',
  'availability-zone': 'ch-gva-2',
  'service-offering': 'standard.small',
  'cloud-identifier': 'CloudStack-{00000000-0000-0000-0000-000000000000}',
  'vm-id': EIID,
  'public-keys': EK1,
};

export function exoscale(mode: ExoscaleMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    if (mode === '500') return send(500, 'internal error');
    if (mode === 'slow') return setTimeout(() => send(200, EIID), 5000).unref();
    if (mode === 'redirect') return send(301, '', { location: `http://192.0.2.1${req.url}` });
    if (req.url === '/1.0/user-data') return mode === 'no-user-data' ? send(404, 'not found') : send(200, EUSER);
    if (req.url === '/1.0/meta-data/') {
      const names = Object.keys(LEAVES);
      if (mode === 'truncated-listing') return send(200, names.filter((n) => n !== 'instance-id').join('\n'));
      if (mode === 'oversized') return send(200, `${names.join('\n')}\n${'x'.repeat(5 * 1024 * 1024)}`);
      return send(200, names.join('\n'));
    }
    const leaf = req.url?.startsWith('/1.0/meta-data/') ? LEAVES[req.url.slice('/1.0/meta-data/'.length)] : undefined;
    if (leaf === undefined) return send(404, 'not found');
    if (mode === 'no-iid' && req.url === '/1.0/meta-data/instance-id') return send(200, '');
    return send(200, leaf);
  };
}

/** The password server: the password until it is acknowledged, then "saved_password". */
export function passwordServer(mode: PasswordMode) {
  let saved = mode === 'saved';
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    if (req.url !== '/1.0/') return send(404, 'not found');
    if (mode === '500') return send(500, '');
    const ask = req.headers['domu_request'];
    if (ask === 'saved_password') {
      saved = true;
      return send(200, '');
    }
    if (ask !== 'send_my_password') return send(400, 'bad request');
    if (mode === 'empty') return send(200, '');
    return send(200, saved ? 'saved_password' : EPASSWORD);
  };
}
