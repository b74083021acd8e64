// Akamai's (Linode's) metadata service as a stand-in, shared by the Akamai tests: a token
// from PUT /v1/token, then (only with that token) /v1/instance as JSON and /v1/user-data
// in base64, as Akamai documents them; or the service going wrong in one of the ways a
// service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const KUSER = '#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK1 admin@workstation]\n';
export const KID = 12345678;
export const KTOKEN = 'akamai-test-token';

export type AkamaiMode = 'ok' | 'no-token' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'deep' | 'redirect' | 'plain-user-data';

export function instance(): Record<string, unknown> {
  return {
    id: KID,
    host_uuid: 'a631b16d14534d84e2830da16d1b28e1f08d0e5b',
    label: 'my-linode',
    region: 'us-ord',
    type: 'g6-nanode-1',
    tags: ['web'],
    specs: { vcpus: 1, memory: 1024, disk: 25600, transfer: 1000, gpus: 0 },
    backups: { enabled: false, status: null },
  };
}

export function akamai(mode: AkamaiMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    if (req.url === '/v1/token') {
      if (req.method !== 'PUT' || req.headers['metadata-token-expiry-seconds'] !== '300') return send(400, 'bad token request');
      if (mode === 'no-token') return send(403, 'forbidden');
      return send(200, KTOKEN);
    }
    if (req.headers['metadata-token'] !== KTOKEN) return send(401, 'token required');
    if (req.url === '/v1/user-data') return send(200, mode === 'plain-user-data' ? KUSER : Buffer.from(KUSER).toString('base64'));
    if (req.url !== '/v1/instance') return send(404, 'not found');
    const doc = instance();
    switch (mode) {
      case '500':
        return send(500, 'internal error');
      case 'slow':
        return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
      case 'truncated':
        return send(200, JSON.stringify(doc).slice(0, 90));
      case 'oversized':
        return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[]');
      case 'deep':
        return send(200, `{"id":1,"tags":${'['.repeat(3000)}${']'.repeat(3000)}}`);
      case 'redirect':
        return send(302, '', { location: 'http://192.0.2.1/v1/instance' });
      default:
        return send(200, JSON.stringify(doc));
    }
  };
}
