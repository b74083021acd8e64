// Bigstep: found by the URL file its provisioning leaves; one JSON document from that
// URL (a stand-in on 127.0.0.1) gives metadata, user-data and vendor-data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigstepDatasource, BIGSTEP_URL_FILE } from '../../packages/core/src/datasources/bigstep.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, put, refusedUrl, send, serve, settle, tempDir, testHost, testLogger } from './helpers.js';

const more = { xen: false, ibmProvisioning: false, maasSeed: false, maasConfig: false, bigstepUrl: true, smartosZoneSocket: false };
const DOC = {
  metadata: { 'instance-id': 'bs-4711', 'local-hostname': 'node-7', 'public-keys': { admin: 'ssh-ed25519 AAAAC3 admin@bigstep' } },
  userdata_raw: '#cloud-config\nruncmd: [echo hi]\n',
  vendordata_raw: '#cloud-config\npackages: [htop]\n',
};
const cfg = { timeout: 1, retries: 1, max_wait: 10 };

function rootWithUrl(url: string): string {
  const root = tempDir();
  put(root, BIGSTEP_URL_FILE, `${url}\n`);
  return root;
}

test('Bigstep is found by its URL file and by nothing else', () => {
  const d = bigstepDatasource.detect(machineFacts({}, { more }));
  assert.equal(d.verdict, 'found');
  assert.match(d.reason, /data\/seed\/bigstep\/url/);
  assert.equal(bigstepDatasource.detect(machineFacts({ productName: 'Bigstep' })).verdict, 'not-found');
  assert.equal(bigstepDatasource.detect(machineFacts({}, { more: { ...more, bigstepUrl: false } })).verdict, 'not-found');
  assert.deepEqual(decideDatasources(machineFacts({}, { more }), ['NoCloud', 'Bigstep', 'Ec2', 'None']).datasources, ['Bigstep', 'None']);
});

test('the document at the URL gives the instance-id, hostname, keys, user-data and vendor-data', async () => {
  const srv = await serve((req, res) => (req.url === '/metadata/v1' ? send(res, 200, DOC) : send(res, 404, 'no')));
  const { log } = testLogger();
  try {
    const r = await bigstepDatasource.find(dsContext(testHost(rootWithUrl(`${srv.url}/metadata/v1`)), cfg, log));
    assert.ok(r);
    assert.equal(r.dsname, 'Bigstep');
    assert.equal(r.cloudName, 'bigstep');
    assert.equal(r.platform, 'bigstep');
    assert.equal(r.subplatform, `metadata (${srv.url}/metadata/v1)`);
    assert.equal(r.instanceId, 'bs-4711');
    assert.equal(r.localHostname, 'node-7');
    assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3 admin@bigstep']);
    assert.equal(Buffer.from(r.userdata!).toString(), DOC.userdata_raw);
    assert.equal(Buffer.from(r.vendordata!).toString(), DOC.vendordata_raw);
    assert.deepEqual(srv.seen, ['GET /metadata/v1']);
  } finally {
    await srv.close();
  }
});

test('no URL file: not here, nothing asked', async () => {
  const { log } = testLogger();
  assert.equal(await bigstepDatasource.find(dsContext(testHost(tempDir()), cfg, log)), null);
});

test('a URL file that holds no http(s) URL is an error naming the file and line', async () => {
  const { log } = testLogger();
  const { error } = await settle(() => bigstepDatasource.find(dsContext(testHost(rootWithUrl('file:///etc/shadow')), cfg, log)));
  assert.ok(error instanceof DatasourceError);
  assert.match(error.message, new RegExp(`^${BIGSTEP_URL_FILE}: line 1: "file:///etc/shadow" is not an http\\(s\\) URL`));
});

test('broken answers are errors naming the URL: invalid JSON with line and column, a missing metadata key, a wrong-type user-data, 5xx', async () => {
  const answers: Record<string, () => [number, string | object]> = {
    '/truncated': () => [200, '{"metadata": {"instance-id": "x"'],
    '/nometa': () => [200, { userdata_raw: 'x' }],
    '/badud': () => [200, { metadata: {}, userdata_raw: { a: 1 } }],
    '/list': () => [200, [1, 2]],
    '/fail': () => [503, 'down'],
  };
  const srv = await serve((req, res) => {
    const a = answers[req.url ?? ''];
    if (a) send(res, ...a());
    else send(res, 404, 'no');
  });
  const { log } = testLogger();
  const run = (p: string) => settle(() => bigstepDatasource.find(dsContext(testHost(rootWithUrl(`${srv.url}${p}`)), cfg, log)));
  try {
    const t = await run('/truncated');
    assert.ok(t.error instanceof DatasourceError);
    assert.match(t.error.message, new RegExp(`${srv.url}/truncated: not valid JSON \\(\\d+ bytes\\) at line 1 col \\d+`));
    assert.match((await run('/nometa')).error?.message ?? '', new RegExp(`${srv.url}/nometa: "metadata" must be an object`));
    assert.match((await run('/badud')).error?.message ?? '', /"userdata_raw" must be a string, not object/);
    assert.match((await run('/list')).error?.message ?? '', /expected a JSON object/);
    const f = await run('/fail');
    assert.ok(f.error instanceof DatasourceError);
    assert.match(f.error.message, /\/fail: HTTP 503 \(gave up after 2 attempts\)/);
  } finally {
    await srv.close();
  }
});

test('an unreachable URL: not found, with a warning naming it', async () => {
  const url = await refusedUrl();
  const { log, lines } = testLogger();
  assert.equal(await bigstepDatasource.find(dsContext(testHost(rootWithUrl(`${url}/md`)), cfg, log)), null);
  assert.ok(lines.some((l) => l.includes('Bigstep metadata not reachable') && l.includes(`${url}/md`)));
});

test('a redirect to another host is refused: its answer never becomes the metadata', async () => {
  const other = await serve((_req, res) => send(res, 200, DOC));
  const srv = await serve((_req, res) => send(res, 302, '', { location: `${other.url.replace('127.0.0.1', 'localhost')}/x` }));
  const { log } = testLogger();
  try {
    const { value, error } = await settle(() => bigstepDatasource.find(dsContext(testHost(rootWithUrl(`${srv.url}/md`)), cfg, log)));
    assert.equal(value, undefined);
    assert.ok(error instanceof DatasourceError);
    assert.match(error.message, /redirect/i);
    assert.deepEqual(other.seen, []);
  } finally {
    await srv.close();
    await other.close();
  }
});
