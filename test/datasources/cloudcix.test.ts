// CloudCIX: found by DMI product name; /v1/metadata (JSON, its network key a v2 config)
// and /v1/userdata (maybe base64) from a stand-in on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudcixDatasource } from '../../packages/core/src/datasources/cloudcix.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, refusedUrl, rootWithDmi, send, serve, settle, testHost, testLogger } from './helpers.js';

const NETWORK = { version: 2, ethernets: { eth0: { 'set-name': 'eth0', match: { macaddress: 'ab:cd:ef:00:01:02' }, addresses: ['10.0.0.2/24'], routes: [{ to: 'default', via: '10.0.0.1' }] } } };
const METADATA = { instance_id: '12_34', 'local-hostname': 'cix-vm', 'public-keys': ['ssh-ed25519 AAAAC3 me@cix'], network: NETWORK };
const USERDATA = '#cloud-config\nruncmd: [echo hi]\n';
// Patient: a loaded machine may take more than a second to answer on 127.0.0.1 (no test here waits out a timeout).
const cfg = (url: string) => ({ metadata_urls: [url], timeout: 5, retries: 1, max_wait: 20 });
const cix = () => rootWithDmi({ product_name: 'CloudCIX' });

function service(md: unknown = METADATA, ud = Buffer.from(USERDATA).toString('base64')) {
  return serve((req, res) => {
    if (req.url === '/v1/metadata') return typeof md === 'string' ? send(res, 200, md) : send(res, 200, md as object);
    if (req.url === '/v1/userdata') return send(res, 200, ud);
    send(res, 404, 'no');
  });
}

test('CloudCIX is found by its DMI product name only, never in a container', () => {
  assert.equal(cloudcixDatasource.detect(machineFacts({ productName: 'CloudCIX' })).verdict, 'found');
  assert.equal(cloudcixDatasource.detect(machineFacts({ productName: 'CloudCIX VM' })).verdict, 'not-found');
  assert.equal(cloudcixDatasource.detect(machineFacts({ sysVendor: 'CloudCIX' })).verdict, 'not-found');
  assert.equal(cloudcixDatasource.detect(machineFacts({ productName: 'CloudCIX' }, { container: 'lxc' })).verdict, 'not-found');
  assert.deepEqual(decideDatasources(machineFacts({ productName: 'CloudCIX' }), ['NoCloud', 'Ec2', 'CloudCIX', 'None']).datasources, ['CloudCIX', 'None']);
});

test('metadata, base64 user-data and the v2 network config are read from /v1', async () => {
  const srv = await service();
  const { log } = testLogger();
  try {
    const r = await cloudcixDatasource.find(dsContext(testHost(cix()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.cloudName, 'cloudcix');
    assert.equal(r.platform, 'cloudcix');
    assert.equal(r.subplatform, `metadata (${srv.url}/v1)`);
    assert.equal(r.instanceId, '12_34');
    assert.equal(r.localHostname, 'cix-vm');
    assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3 me@cix']);
    assert.equal(Buffer.from(r.userdata!).toString(), USERDATA);
    assert.deepEqual(r.networkConfig, { format: 'v2', config: NETWORK, source: `${srv.url}/v1/metadata (network)` });
  } finally {
    await srv.close();
  }
});

test('user-data that is not base64 is taken as it is', async () => {
  const srv = await service(METADATA, USERDATA);
  const { log } = testLogger();
  try {
    const r = await cloudcixDatasource.find(dsContext(testHost(cix()), cfg(srv.url), log));
    assert.equal(Buffer.from(r!.userdata!).toString(), USERDATA);
  } finally {
    await srv.close();
  }
});

test('another DMI product: nothing is asked', async () => {
  const srv = await service();
  const { log } = testLogger();
  try {
    assert.equal(await cloudcixDatasource.find(dsContext(testHost(rootWithDmi({ product_name: 'KVM' })), cfg(srv.url), log)), null);
    assert.deepEqual(srv.seen, []);
  } finally {
    await srv.close();
  }
});

test('broken metadata is an error naming the URL and the place: invalid JSON, a network that is not a config', async () => {
  const { log } = testLogger();
  const run = async (md: unknown) => {
    const srv = await service(md);
    try {
      return (await settle(() => cloudcixDatasource.find(dsContext(testHost(cix()), cfg(srv.url), log)))).error;
    } finally {
      await srv.close();
    }
  };
  const bad = await run('{"instance_id": 1,\n "network": }');
  assert.ok(bad instanceof DatasourceError);
  assert.match(bad.message, /\/v1\/metadata: not valid JSON \(\d+ bytes\) at line 2 col \d+/);
  assert.match((await run({ network: [1] }))?.message ?? '', /\/v1\/metadata: key "network": expected an object, not a list/);
  assert.match((await run({ network: { version: 3 } }))?.message ?? '', /key "network.version": 3 is not 1 or 2/);
});

test('no service, or no /v1: not here, with a warning naming the URL', async () => {
  const url = await refusedUrl();
  const { log, lines } = testLogger();
  assert.equal(await cloudcixDatasource.find(dsContext(testHost(cix()), cfg(url), log)), null);
  assert.ok(lines.some((l) => l.includes('CloudCIX metadata service not reachable') && l.includes(url)));
  const srv = await serve((_req, res) => send(res, 404, 'no'));
  try {
    assert.equal(await cloudcixDatasource.find(dsContext(testHost(cix()), cfg(srv.url), log)), null);
    assert.ok(lines.some((l) => l.includes(`${srv.url}: no v1/metadata (404)`)));
  } finally {
    await srv.close();
  }
});

test('a user-data that fails (5xx after retries) is an error naming its URL', async () => {
  const srv = await serve((req, res) => (req.url === '/v1/metadata' ? send(res, 200, METADATA) : send(res, 500, 'boom')));
  const { log } = testLogger();
  try {
    const { error } = await settle(() => cloudcixDatasource.find(dsContext(testHost(cix()), cfg(srv.url), log)));
    assert.ok(error instanceof DatasourceError);
    assert.match(error.message, /\/v1\/userdata: HTTP 500/);
  } finally {
    await srv.close();
  }
});

test('hostile metadata is refused with a bounded cost: deep nesting, an oversized body, a redirect to another host', async () => {
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const huge = `{"pad": "${'x'.repeat(5 * 1024 * 1024)}"}`;
  const other = await serve((_req, res) => send(res, 200, METADATA));
  const srv = await serve((req, res) => {
    if (req.url === '/deep/v1/metadata') return send(res, 200, deep);
    if (req.url === '/huge/v1/metadata') return send(res, 200, huge);
    if (req.url === '/redir/v1/metadata') return send(res, 302, '', { location: `${other.url.replace('127.0.0.1', 'localhost')}/v1/metadata` });
    send(res, 404, 'no');
  });
  const { log } = testLogger();
  // A loaded machine may take more than the usual second to send 5 MiB: the size limit must end it, not the timeout.
  const run = async (p: string) => (await settle(() => cloudcixDatasource.find(dsContext(testHost(cix()), { ...cfg(`${srv.url}${p}`), timeout: 10 }, log)))).error;
  try {
    assert.match((await run('/deep'))?.message ?? '', /\/deep\/v1\/metadata: JSON \(\d+ bytes\) at line 1 col \d+: .*(deep|nest)/i);
    const big = await run('/huge');
    assert.ok(big instanceof DatasourceError);
    assert.match(big.message, /\/huge\/v1\/metadata: .*(larger|too large|bytes)/i);
    assert.match((await run('/redir'))?.message ?? '', /redirect to another origin/);
    assert.deepEqual(other.seen, []);
  } finally {
    await srv.close();
    await other.close();
  }
});
