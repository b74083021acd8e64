// Google's metadata server as a stand-in, shared by the GCE tests: it answers only
// requests that carry Metadata-Flavor: Google, as documented, or in one of the ways a
// service goes wrong.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const NOW = Date.parse('2026-12-03T12:00:00Z');
export const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1 alice@host';
export const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB2 cloud@init';
export const KPROJ = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP3 project@key';
export const KEXP = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB4 google-ssh {"userName":"debian","expireOn":"2020-01-01T00:00:00+0000"}';
export const KLIVE = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB5 google-ssh {"userName":"debian","expireOn":"2099-01-01T00:00:00+00:00"}';

export type Mode = 'ok' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'no-zone' | 'plain-user-data';
export const INSTANCE = {
  'ssh-keys': `debian:${K1}\nbob:${KPROJ}\ndebian:${KEXP}`,
  'user-data': Buffer.from('#cloud-config\nruncmd: [echo gce]\n').toString('base64'),
  'user-data-encoding': 'base64',
  'startup-script': 'echo hi',
};
export const PROJECT = { 'ssh-keys': `cloudinit:${K2}` };

export function gce(mode: Mode) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403);
      return res.end('Missing Metadata-Flavor:Google header.');
    }
    const url = req.url ?? '';
    const text = (status: number, body: string, type = 'application/text') => {
      res.writeHead(status, { 'content-type': type, 'metadata-flavor': 'Google' });
      res.end(body);
    };
    if (mode === '500') return text(503, 'unavailable');
    if (mode === 'slow') return setTimeout(() => text(200, '1234'), 5000).unref();
    switch (url) {
      case '/computeMetadata/v1/instance/id':
        return text(200, '8812345678901234567');
      case '/computeMetadata/v1/instance/zone':
        return mode === 'no-zone' ? text(404, 'not found') : text(200, 'projects/123456789/zones/europe-west1-b');
      case '/computeMetadata/v1/instance/hostname':
        return text(200, 'vm-1.europe-west1-b.c.my-project.internal');
      case '/computeMetadata/v1/instance/attributes/?recursive=True': {
        if (mode === 'truncated') return text(200, JSON.stringify(INSTANCE).slice(0, 30), 'application/json');
        if (mode === 'oversized') return text(200, JSON.stringify({ ...INSTANCE, pad: 'x'.repeat(5 * 1024 * 1024) }), 'application/json');
        if (mode === 'array') return text(200, '["ssh-keys"]', 'application/json');
        if (mode === 'plain-user-data') return text(200, JSON.stringify({ 'user-data': '#cloud-config\n{}\n', 'user-data-encoding': 'rot13' }), 'application/json');
        return text(200, JSON.stringify(INSTANCE), 'application/json');
      }
      case '/computeMetadata/v1/project/attributes/?recursive=True':
        return text(200, JSON.stringify(PROJECT), 'application/json');
      default:
        return text(404, 'not found');
    }
  };
}
