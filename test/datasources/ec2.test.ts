// The EC2 datasource against a fake IMDSv2 on 127.0.0.1: token required (401 without),
// the meta-data tree, user-data, the identity document, credentials kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ec2Datasource, parseEc2Listing, decodeEc2Leaf, chooseEc2Version, regionFromZone } from '../../packages/core/src/datasources/ec2.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, refusedUrl, rootWithDmi, send, serve, testHost, testLogger, settle } from './helpers.js';

const V = '2021-03-23';
const TREE: Record<string, string> = {
  '/': '1.0\n2009-04-04\n2016-09-02\n2021-03-23\nlatest',
  [`/${V}/meta-data/`]: 'ami-id\nhostname\ninstance-id\nlocal-hostname\nplacement/\npublic-keys/\niam/\nblock-device-mapping/',
  [`/${V}/meta-data/ami-id`]: 'ami-0abc',
  [`/${V}/meta-data/hostname`]: 'ip-10-0-0-5.ec2.internal',
  [`/${V}/meta-data/instance-id`]: 'i-0123456789abcdef0',
  [`/${V}/meta-data/local-hostname`]: 'ip-10-0-0-5.ec2.internal',
  [`/${V}/meta-data/placement/`]: 'availability-zone\nregion',
  [`/${V}/meta-data/placement/availability-zone`]: 'us-east-1a',
  [`/${V}/meta-data/placement/region`]: 'us-east-1',
  [`/${V}/meta-data/public-keys/`]: '0=my-key',
  [`/${V}/meta-data/public-keys/0/openssh-key`]: 'ssh-ed25519 AAAAC3 my-key\n',
  [`/${V}/meta-data/iam/`]: 'info\nsecurity-credentials/',
  [`/${V}/meta-data/iam/info`]: '{"Code": "Success", "InstanceProfileArn": "arn:aws:iam::1:instance-profile/web"}',
  [`/${V}/meta-data/iam/security-credentials/`]: 'web-role',
  [`/${V}/meta-data/iam/security-credentials/web-role`]: '{"AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "s3cr3t", "Token": "tok"}',
  [`/${V}/meta-data/block-device-mapping/`]: 'ami\nephemeral0\nroot',
  [`/${V}/meta-data/block-device-mapping/ami`]: '/dev/xvda',
  [`/${V}/meta-data/block-device-mapping/ephemeral0`]: 'sdb',
  [`/${V}/meta-data/block-device-mapping/root`]: '/dev/xvda',
  [`/${V}/user-data`]: '#!/bin/sh\necho hello\n',
  [`/${V}/dynamic/instance-identity/document`]: '{"region": "us-east-1", "availabilityZone": "us-east-1a", "instanceId": "i-0123456789abcdef0"}',
};

interface ImdsOptions {
  /** Answer without a token too (IMDSv1). */
  v1?: boolean;
  /** Status for the token PUT instead of a token. */
  tokenStatus?: number;
  override?: (url: string, res: ServerResponse) => boolean;
}

function imds(opts: ImdsOptions = {}) {
  const tokens = new Set<string>();
  let n = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (req.method === 'PUT' && url === '/latest/api/token') {
      if (opts.tokenStatus) return send(res, opts.tokenStatus, 'no');
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(res, 400, 'missing TTL');
      const t = `token-${++n}`;
      tokens.add(t);
      return send(res, 200, t);
    }
    const tok = req.headers['x-aws-ec2-metadata-token'];
    if (!opts.v1 && !(typeof tok === 'string' && tokens.has(tok))) return send(res, 401, 'Unauthorized');
    if (opts.override?.(url, res)) return;
    if (url in TREE) send(res, 200, TREE[url] as string);
    else send(res, 404, 'Not Found');
  };
}

const awsRoot = () => rootWithDmi({ product_uuid: 'EC2E1916-9099-7CAF-FD21-012345ABCDEF', product_serial: 'ec2e1916-9099-7caf-fd21-012345abcdef', sys_vendor: 'Amazon EC2' });
// A patient timeout for a stand-in that answers, so a busy machine does not fail the
// test; the test of a response that never ends sets short ones.
const cfg = (url: string, extra: Record<string, unknown> = {}) => ({ metadata_urls: [url], timeout: 10, retries: 2, max_wait: 60, ...extra });

test('IMDSv2: token, tree, user-data, identity document; credentials only in sensitive', async () => {
  const srv = await serve(imds());
  const { log } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.dsname, 'Ec2');
    assert.equal(r.cloudName, 'aws');
    assert.equal(r.platform, 'ec2');
    assert.equal(r.instanceId, 'i-0123456789abcdef0');
    assert.equal(r.localHostname, 'ip-10-0-0-5.ec2.internal');
    assert.equal(r.availabilityZone, 'us-east-1a');
    assert.equal(r.region, 'us-east-1');
    assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3 my-key']);
    assert.equal(Buffer.from(r.userdata!).toString(), '#!/bin/sh\necho hello\n');
    assert.deepEqual((r.ec2Metadata as Record<string, unknown>)['block-device-mapping'], { ami: '/dev/xvda', ephemeral0: 'sdb', root: '/dev/xvda' });
    assert.deepEqual(r.metadata['iam'], { info: { Code: 'Success', InstanceProfileArn: 'arn:aws:iam::1:instance-profile/web' } });
    assert.ok(!JSON.stringify(r.metadata).includes('s3cr3t'));
    assert.deepEqual(r.sensitive, { 'meta-data': { iam: { 'security-credentials': { 'web-role': { AccessKeyId: 'AKIAEXAMPLE', SecretAccessKey: 's3cr3t', Token: 'tok' } } } } });
    assert.equal(srv.seen[0], 'PUT /latest/api/token');
  } finally {
    await srv.close();
  }
});

test('without a token the service says 401; a service with no token API is refused unless IMDSv1 is allowed', async () => {
  const srv = await serve(imds());
  const noToken = await serve(imds({ v1: true, tokenStatus: 405 }));
  const { log } = testLogger();
  try {
    const raw = await fetch(`${srv.url}/${V}/meta-data/instance-id`);
    assert.equal(raw.status, 401);
    await raw.text();
    await assert.rejects(
      ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(noToken.url), log)),
      (e: Error) => e instanceof DatasourceError && /HTTP 405: no IMDSv2 token API, and IMDSv1 is not allowed/.test(e.message),
    );
    assert.deepEqual(noToken.seen, ['PUT /latest/api/token'], 'nothing read without a token');
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(noToken.url, { allow_imdsv1: true }), log));
    assert.equal(r?.instanceId, 'i-0123456789abcdef0');
  } finally {
    await srv.close();
    await noToken.close();
  }
});

test('403 on the token: a clear error, no retry', async () => {
  const srv = await serve(imds({ tokenStatus: 403 }));
  const { log } = testLogger();
  try {
    await assert.rejects(ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log)), /HTTP 403: the instance metadata service refuses tokens/);
    assert.equal(srv.seen.length, 1);
  } finally {
    await srv.close();
  }
});

test('an expired token (401 mid-crawl) is renewed once', async () => {
  let expired = false;
  const handler = imds({
    override: (url, res) => {
      if (url.endsWith('/ami-id') && !expired) {
        expired = true;
        send(res, 401, 'expired');
        return true;
      }
      return false;
    },
  });
  const srv = await serve(handler);
  const { log } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.equal(r?.metadata['ami-id'], 'ami-0abc');
    assert.equal(srv.seen.filter((s) => s.startsWith('PUT')).length, 2);
  } finally {
    await srv.close();
  }
});

test('500 then success on the token and on a leaf', async () => {
  const fails = new Set<string>();
  const inner = imds();
  const srv = await serve((req, res) => {
    const key = `${req.method} ${req.url}`;
    if ((key === 'PUT /latest/api/token' || req.url === `/${V}/meta-data/instance-id`) && !fails.has(key)) {
      fails.add(key);
      return send(res, 500, 'oops');
    }
    inner(req, res);
  });
  const { log } = testLogger();
  try {
    const r = await ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log));
    assert.equal(r?.instanceId, 'i-0123456789abcdef0');
    assert.equal(fails.size, 2);
  } finally {
    await srv.close();
  }
});

test('connection refused: null with a warning naming the URL, given up after the retries', async () => {
  const url = await refusedUrl();
  const { log, lines } = testLogger();
  const r = await settle(() => ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(url), log)));
  assert.equal(r.error, undefined);
  assert.equal(r.value, null);
  assert.ok(
    lines.some((l) => l.includes('EC2 metadata service not reachable') && l.includes(`${url}/latest/api/token`) && /gave up after \d+ attempts?/.test(l)),
    lines.join('\n'),
  );
});

test('a user-data response that never ends: a clear error naming the per-request timeout', async () => {
  const srv = await serve(
    imds({
      override: (url, res) => {
        if (!url.endsWith('/user-data')) return false;
        res.writeHead(200, { 'content-length': '500' });
        res.write('#!/bin/sh\n');
        return true;
      },
    }),
  );
  const { log } = testLogger();
  try {
    const r = await settle(() => ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url, { timeout: 2, max_wait: 30 }), log)));
    assert.ok(r.error instanceof DatasourceError, String(r.error));
    assert.match(r.error.message, /user-data: body not complete within \d+ ms/);
  } finally {
    await srv.close();
  }
});

test('missing instance-id is an error; on a platform DMI does not identify nothing is asked unless strict_id is false', async () => {
  const srv = await serve(
    imds({
      override: (url, res) => {
        if (!url.endsWith('/instance-id')) return false;
        send(res, 404, 'no');
        return true;
      },
    }),
  );
  const { log } = testLogger();
  try {
    await assert.rejects(ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), log)), /meta-data\/instance-id: missing or empty/);
    const before = srv.seen.length;
    const kvm = () => testHost(rootWithDmi({ product_name: 'KVM' }));
    assert.equal(await ec2Datasource.find(dsContext(kvm(), cfg(srv.url), log)), null);
    assert.equal(await ec2Datasource.find(dsContext(kvm(), cfg(srv.url, { strict_id: true }), log)), null);
    assert.equal(srv.seen.length, before);
    await assert.rejects(ec2Datasource.find(dsContext(kvm(), cfg(srv.url, { strict_id: false }), log)), /instance-id: missing/);
    assert.ok(srv.seen.length > before);
  } finally {
    await srv.close();
  }
});

test('pure helpers: listings, leaves, versions, regions', () => {
  const l = parseEc2Listing('ami-id\nplacement/\n0=my-key\n1=other\n\n');
  assert.deepEqual(
    [...l.leaves],
    [
      ['ami-id', 'ami-id'],
      ['my-key', '0/openssh-key'],
      ['other', '1/openssh-key'],
    ],
  );
  assert.deepEqual(l.children, ['placement']);
  assert.deepEqual(decodeEc2Leaf(Buffer.from('a\nb\n')), ['a', 'b']);
  assert.deepEqual(decodeEc2Leaf(Buffer.from('{"a": 1}')), { a: 1 });
  assert.equal(decodeEc2Leaf(Buffer.from('{not json')), '{not json');
  assert.equal(chooseEc2Version(['1.0', '2009-04-04', '2018-09-24', 'latest']), '2018-09-24');
  assert.equal(chooseEc2Version(['1.0']), 'latest');
  assert.equal(regionFromZone('eu-central-1b'), 'eu-central-1');
  assert.equal(regionFromZone('nova'), undefined);
});
