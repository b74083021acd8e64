// A CloudStack virtual router as a stand-in, shared by the CloudStack tests: EC2-style
// meta-data and user-data under /latest/ on port 80 and the password server on port
// 8080 (the password once for `DomU_Request: send_my_password`, until `saved_password`
// acknowledges it), as CloudStack documents them; or either going wrong.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC1 admin@workstation';
export const CUSER = '#cloud-config\nruncmd: [echo cloudstack]\n';
export const CIID = '9c1e7d6b-2f4a-4b8e-a1c3-5d7e9f0a1b2c';
export const CPASSWORD = 'Vr-given-1';
/** The virtual router's address in the tests' namespace (a documentation range would do as well). */
export const VR = '10.1.1.1';

export type CloudStackMode = 'ok' | '500' | 'slow' | 'no-iid';
export type CsPasswordMode = 'ok' | 'saved' | 'bad_request';

const LEAVES: Record<string, string> = {
  'instance-id': CIID,
  'local-hostname': 'vm-cs-1',
  'local-ipv4': '10.1.1.50',
  'availability-zone': 'zone1',
  'service-offering': 'Small Instance',
  'vm-id': CIID,
  'public-keys': CK1,
};

export function cloudstack(mode: CloudStackMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    if (mode === '500') return send(500, 'internal error');
    if (mode === 'slow') return setTimeout(() => send(200, CIID), 5000).unref();
    if (req.url === '/latest/user-data') return send(200, CUSER);
    if (req.url === '/latest/meta-data/') return send(200, Object.keys(LEAVES).join('\n'));
    const leaf = req.url?.startsWith('/latest/meta-data/') ? LEAVES[req.url.slice('/latest/meta-data/'.length)] : undefined;
    if (leaf === undefined) return send(404, 'not found');
    if (mode === 'no-iid' && req.url === '/latest/meta-data/instance-id') return send(200, '');
    return send(200, leaf);
  };
}

/** The router's password server (wget's answers end in a newline, which cloud-init strips). */
export function csPasswordServer(mode: CsPasswordMode) {
  let saved = mode === 'saved';
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (body: string) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    };
    const ask = req.headers['domu_request'];
    if (mode === 'bad_request') return send('bad_request\n');
    if (ask === 'saved_password') {
      saved = true;
      return send('saved\n');
    }
    return send(saved ? 'saved_password\n' : `${CPASSWORD}\n`);
  };
}
