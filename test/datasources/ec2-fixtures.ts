// The Ec2 IMDSv2 stand-in with a network/interfaces/macs tree, shared by the
// 127.0.0.1 tests (ec2-network.test.ts) and the namespace test at the platform's
// IPv6 address (ec2-netns.test.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rootWithDmi, send } from './helpers.js';
import { addNic } from '../helpers/boot.js';

export const MAC0 = '0e:49:61:0f:c3:11';
export const MAC1 = '0e:01:02:03:04:05';
export const MAC_ELSEWHERE = '0e:ff:ff:ff:ff:ff';

/** The IMDS tree as nested objects: a string is a leaf, an object a directory. */
export type Tree = { [k: string]: string | Tree };

export const NETWORK: Tree = {
  interfaces: {
    macs: {
      [MAC0]: {
        'device-number': '0',
        'network-card': '0',
        'local-ipv4s': '10.0.0.5\n10.0.0.6\n10.0.0.7',
        'subnet-ipv4-cidr-block': '10.0.0.0/20',
        ipv6s: '2600:1f18::5\n2600:1f18::6',
        'subnet-ipv6-cidr-blocks': '2600:1f18::/64',
        mac: MAC0,
      },
      [MAC1]: { 'device-number': '1', 'network-card': '0', 'local-ipv4s': '10.0.16.9', 'subnet-ipv4-cidr-block': '10.0.16.0/20', mac: MAC1 },
      [MAC_ELSEWHERE]: { 'device-number': '2', 'local-ipv4s': '10.0.32.1' },
    },
  },
};

export function metaTree(network: Tree | string | null): Tree {
  const t: Tree = { 'instance-id': 'i-0123456789abcdef0', 'local-hostname': 'ip-10-0-0-5.ec2.internal', placement: { 'availability-zone': 'us-east-1a' } };
  if (network !== null) t['network'] = network;
  return t;
}

/** An IMDSv2 stand-in serving `meta` under 2021-03-23/meta-data/. */
export function imds(meta: Tree) {
  const tokens = new Set<string>();
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (req.method === 'PUT' && url === '/latest/api/token') {
      tokens.add('tok');
      return send(res, 200, 'tok');
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'tok') return send(res, 401, 'Unauthorized');
    if (url === '/') return send(res, 200, '2009-04-04\n2021-03-23\nlatest');
    const prefix = '/2021-03-23/meta-data/';
    if (!url.startsWith(prefix)) return send(res, 404, 'Not Found');
    let node: string | Tree | undefined = meta;
    for (const part of url
      .slice(prefix.length)
      .split('/')
      .filter((p) => p !== ''))
      node = typeof node === 'object' ? node[decodeURIComponent(part)] : undefined;
    if (node === undefined) return send(res, 404, 'Not Found');
    if (typeof node === 'string') return send(res, 200, node);
    return send(
      res,
      200,
      Object.entries(node)
        .map(([k, v]) => (typeof v === 'string' ? k : `${k}/`))
        .join('\n'),
    );
  };
}

export const awsRoot = () => {
  const root = rootWithDmi({ product_uuid: 'EC2E1916-9099-7CAF-FD21-012345ABCDEF', product_serial: 'ec2e1916-9099-7caf-fd21-012345abcdef', sys_vendor: 'Amazon EC2' });
  addNic(root, 'ens5', MAC0);
  addNic(root, 'ens6', MAC1);
  return root;
};
