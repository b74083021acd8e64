// Metadata services on 127.0.0.1 that the stage bundles are pointed at (datasource
// config `metadata_urls`, DMI in the temp root saying OpenStack or EC2), with faults:
// fail, stall, lie. Never any other address.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, serve, type TestServer } from '../datasources/helpers.js';
import { debianTree } from './crash-harness.js';

export type Fault = 'none' | 'http-500' | 'stall' | 'never-ends' | 'truncated-json' | 'not-json' | 'no-uuid' | 'huge' | 'wrong-types' | 'slow-drip' | 'refused';

export interface OpenStackData {
  meta: Record<string, unknown>;
  userData: string | null;
  vendorData: unknown;
  networkData: unknown;
  ec2Secrets?: Record<string, string>;
}

/** A Nova metadata service serving `data`, with `fault` applied to meta_data.json (or to everything). */
export function novaHandler(data: OpenStackData, fault: Fault = 'none') {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (fault === 'http-500') return send(res, 500, 'Internal Server Error');
    if (fault === 'stall') return; // never answers
    const v = '/openstack/2018-08-27';
    if (url === '/openstack') return send(res, 200, '2018-08-27\nlatest');
    if (url === `${v}/meta_data.json`) {
      const text = JSON.stringify(data.meta);
      switch (fault) {
        case 'never-ends':
          res.writeHead(200, { 'content-length': String(text.length * 2) });
          res.write(text.slice(0, 10));
          return;
        case 'truncated-json':
          return send(res, 200, text.slice(0, Math.floor(text.length / 2)));
        case 'not-json':
          return send(res, 200, '<html><body>Welcome to nginx!</body></html>');
        case 'no-uuid':
          return send(res, 200, JSON.stringify({ ...data.meta, uuid: undefined }));
        case 'huge':
          res.writeHead(200);
          res.end(Buffer.alloc(6 * 1024 * 1024, 0x20));
          return;
        case 'wrong-types':
          return send(res, 200, JSON.stringify({ uuid: 'iid-wrong-types', hostname: ['a', 'b'], public_keys: 42, files: 'nope', availability_zone: { x: 1 } }));
        case 'slow-drip': {
          res.writeHead(200);
          // The headers now, not with the first byte: the drip is of the body.
          res.flushHeaders();
          let i = 0;
          const t = setInterval(() => {
            if (res.destroyed || i >= text.length) {
              clearInterval(t);
              res.end();
              return;
            }
            res.write(text[i++] as string);
          }, 200);
          return;
        }
        default:
          return send(res, 200, text);
      }
    }
    if (url === `${v}/user_data`) return data.userData === null ? send(res, 404, 'Not Found') : send(res, 200, data.userData);
    if (url === `${v}/vendor_data.json`) return send(res, 200, data.vendorData ?? {});
    if (url === `${v}/network_data.json`) return send(res, 200, data.networkData ?? { links: [], networks: [], services: [] });
    if (data.ec2Secrets) {
      if (url === '/2009-04-04/meta-data/') return send(res, 200, 'instance-id\niam/');
      if (url === '/2009-04-04/meta-data/instance-id') return send(res, 200, String(data.meta['uuid']));
      if (url === '/2009-04-04/meta-data/iam/') return send(res, 200, 'security-credentials/');
      if (url === '/2009-04-04/meta-data/iam/security-credentials/') return send(res, 200, 'role');
      if (url === '/2009-04-04/meta-data/iam/security-credentials/role') return send(res, 200, JSON.stringify(data.ec2Secrets));
    }
    send(res, 404, 'Not Found');
  };
}

/** An IMDSv2 stand-in: token, a small meta-data tree with IAM credentials, user-data. */
export function imdsHandler(opts: { userData: string; secret: string; instanceId: string }) {
  const V = '2021-03-23';
  const tree: Record<string, string> = {
    '/': `${V}\nlatest`,
    [`/${V}/meta-data/`]: 'instance-id\nlocal-hostname\niam/\nplacement/',
    [`/${V}/meta-data/instance-id`]: opts.instanceId,
    [`/${V}/meta-data/local-hostname`]: 'ip-10-0-0-5.ec2.internal',
    [`/${V}/meta-data/placement/`]: 'availability-zone',
    [`/${V}/meta-data/placement/availability-zone`]: 'us-east-1a',
    [`/${V}/meta-data/iam/`]: 'security-credentials/',
    [`/${V}/meta-data/iam/security-credentials/`]: 'web-role',
    [`/${V}/meta-data/iam/security-credentials/web-role`]: JSON.stringify({ AccessKeyId: 'AKIAEXAMPLE', SecretAccessKey: opts.secret, Token: `${opts.secret}-token` }),
    [`/${V}/user-data`]: opts.userData,
    [`/${V}/dynamic/instance-identity/document`]: JSON.stringify({ region: 'us-east-1', availabilityZone: 'us-east-1a', instanceId: opts.instanceId }),
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (req.method === 'PUT' && url === '/latest/api/token') return send(res, 200, 'token-1');
    if (req.headers['x-aws-ec2-metadata-token'] !== 'token-1') return send(res, 401, 'Unauthorized');
    if (url in tree) send(res, 200, tree[url] as string);
    else send(res, 404, 'Not Found');
  };
}

export { serve, type TestServer };

export type Cloud = 'openstack' | 'aws';

/** A temp root whose DMI says OpenStack or AWS, whose cloud.cfg.d points the datasource at `url`. */
/** How long a stage waits for the service (datasource timeout, retries, max_wait in seconds). */
export interface WaitBudget {
  timeout: number;
  retries: number;
  maxWait: number;
}

/** For a service that answers: generous, so a busy machine never turns a healthy boot into a timeout. */
export const HEALTHY_BUDGET: WaitBudget = { timeout: 30, retries: 1, maxWait: 60 };
/** For a service that stalls: short enough that the boot gives up soon, long enough that a busy machine still reads the answers that do come (the version probe before a stalled file). */
export const FAULT_BUDGET: WaitBudget = { timeout: 5, retries: 1, maxWait: 12 };

export function cloudRoot(cloud: Cloud, url: string, extraCfg = '', budget: WaitBudget = HEALTHY_BUDGET): string {
  const root = debianTree('nimbus-md-');
  const put = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };
  const ds = cloud === 'openstack' ? 'OpenStack' : 'Ec2';
  if (cloud === 'openstack') {
    put('sys/class/dmi/id/product_name', 'OpenStack Nova\n');
    put('sys/class/dmi/id/sys_vendor', 'OpenStack Foundation\n');
  } else {
    put('sys/class/dmi/id/product_uuid', 'EC2E1916-9099-7CAF-FD21-012345ABCDEF\n');
    put('sys/class/dmi/id/product_serial', 'ec2e1916-9099-7caf-fd21-012345abcdef\n');
    put('sys/class/dmi/id/sys_vendor', 'Amazon EC2\n');
  }
  put(
    'etc/cloud/cloud.cfg.d/90-test.cfg',
    `datasource:\n  ${ds}:\n    metadata_urls: ['${url}']\n    timeout: ${budget.timeout}\n    retries: ${budget.retries}\n    max_wait: ${budget.maxWait}\n${extraCfg}`,
  );
  return root;
}
