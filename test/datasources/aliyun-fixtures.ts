// Alibaba Cloud ECS's metadata service as a stand-in, shared by the AliYun tests: a token
// from PUT /latest/api/token, then (only with that token) user-data, vendor-data and
// meta-data/all as JSON under /2016-01-01/, as Alibaba Cloud documents them; or the
// service going wrong in one of the ways a service does.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const AK1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1 admin@workstation';
export const AUSER = '#cloud-config\nruncmd: [echo aliyun]\n';
export const AVENDOR = '#cloud-config\nbootcmd: [echo vendor]\n';
export const AIID = 'i-bp1abcdefghijklmnop';
export const AMACS = ['00:16:3e:12:34:56', '00:16:3e:ab:cd:ef'] as const;
export const TOKEN = 'AQAEAL-test-token';

export type AliYunMode = 'ok' | 'token-403' | 'no-user-data' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'deep' | 'redirect' | 'no-network';

export function metaAll(): Record<string, unknown> {
  return {
    'instance-id': AIID,
    hostname: 'iZbp1abcdefZ',
    'region-id': 'cn-hangzhou',
    'zone-id': 'cn-hangzhou-i',
    'image-id': 'debian_12_x64_20G_alibase.vhd',
    'public-keys': { 'skey-1': { 'openssh-key': AK1 } },
    ram: { 'security-credentials': { role: '{"AccessKeyId":"x"}' } },
    network: {
      interfaces: {
        macs: {
          [AMACS[0]]: { 'network-interface-id': 'eni-1', ipv6s: '[2408:4000::1]', 'primary-ip-address': '172.16.0.10' },
          [AMACS[1]]: { 'network-interface-id': 'eni-2', 'primary-ip-address': '172.16.1.10' },
        },
      },
    },
  };
}

export function aliyun(mode: AliYunMode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    if (req.url === '/latest/api/token') {
      if (req.method !== 'PUT' || req.headers['x-aliyun-ecs-metadata-token-ttl-seconds'] !== '21600') return send(400, 'bad token request');
      if (mode === 'token-403') return send(403, 'forbidden');
      return send(200, TOKEN);
    }
    if (req.headers['x-aliyun-ecs-metadata-token'] !== TOKEN) return send(401, 'token required');
    if (req.url === '/2016-01-01/user-data') return mode === 'no-user-data' ? send(404, 'not found') : send(200, AUSER);
    if (req.url === '/2016-01-01/vendor-data') return mode === 'no-user-data' ? send(404, 'not found') : send(200, AVENDOR);
    if (req.url !== '/2016-01-01/meta-data/all') return send(404, 'not found');
    const doc = metaAll();
    switch (mode) {
      case '500':
        return send(500, 'internal error');
      case 'slow':
        return setTimeout(() => send(200, JSON.stringify(doc)), 5000).unref();
      case 'truncated':
        return send(200, JSON.stringify(doc).slice(0, 120));
      case 'oversized':
        return send(200, JSON.stringify({ ...doc, pad: 'x'.repeat(5 * 1024 * 1024) }));
      case 'array':
        return send(200, '[]');
      case 'deep':
        return send(200, `{"instance-id":"x","tags":${'['.repeat(3000)}${']'.repeat(3000)}}`);
      case 'redirect':
        return send(302, '', { location: 'http://192.0.2.1/2016-01-01/meta-data/all' });
      case 'no-network':
        return send(200, JSON.stringify({ ...doc, network: 'none' }));
      default:
        return send(200, JSON.stringify(doc));
    }
  };
}
