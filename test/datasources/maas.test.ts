// MAAS: detection from its configuration in cloud.cfg.d, the ephemeral boot's command
// line or the seed directory; the seed directory read; the metadata URL read with OAuth
// 1.0 PLAINTEXT signatures from a stand-in on 127.0.0.1 that checks them; errors naming
// the file, URL or key. (maas-reference.test.ts compares the header with oauthlib's.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maasDatasource, MAAS_SEED_DIR, oauthEscape } from '../../packages/core/src/datasources/maas.js';
import { configMentionsKey, gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, put, refusedUrl, send, serve, settle, tempDir, testHost, testLogger } from './helpers.js';

const more = { xen: false, ibmProvisioning: false, maasSeed: false, maasConfig: false, bigstepUrl: false, smartosZoneSocket: false };
const CREDS = { consumer_key: 'ckey', token_key: 'tkey', token_secret: 'tsec&ret', consumer_secret: '' };
const FILES: Record<string, string> = {
  'meta-data/instance-id': 'node-abc123\n',
  'meta-data/local-hostname': 'rack-node-7\n',
  'meta-data/public-keys': 'ssh-ed25519 AAAAC3 one@maas\nssh-rsa AAAAB3 two@maas\n',
  'meta-data/vendor-data': 'cloud-init: |\n  #cloud-config\n  packages: [htop]\n',
  'user-data': '#cloud-config\nruncmd: [echo maas]\n',
};

/** A MAAS stand-in: 401 without a PLAINTEXT signature made of the right secrets. */
function maas(files: Record<string, string> = FILES, opts: { status?: number; date?: string } = {}) {
  const headers: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    headers.push(auth);
    const sig = /oauth_signature="([^"]*)"/.exec(auth)?.[1];
    if (!auth.startsWith('OAuth ') || !/oauth_consumer_key="ckey"/.test(auth) || !/oauth_token="tkey"/.test(auth) || sig === undefined || decodeURIComponent(sig) !== `&${oauthEscape('tsec&ret')}`) {
      return send(res, 401, 'Authorization Error', opts.date ? { date: opts.date } : {});
    }
    if (opts.status) return send(res, opts.status, 'no');
    const p = (req.url ?? '').replace(/^\/MAAS\/metadata\/2012-03-01\//, '');
    if (p in files) send(res, 200, files[p] as string);
    else send(res, 404, 'Not Found');
  };
  return { handler, headers };
}

const cfg = (url: string, extra: Record<string, unknown> = {}) => ({ metadata_url: `${url}/MAAS/metadata/`, ...CREDS, timeout: 1, retries: 1, max_wait: 10, ...extra });

test('MAAS is found by its configuration, the ephemeral boot command line or the seed directory; never in a container', () => {
  assert.equal(maasDatasource.detect(machineFacts({}, { more: { ...more, maasConfig: true } })).verdict, 'found');
  assert.equal(maasDatasource.detect(machineFacts({}, { more: { ...more, maasSeed: true } })).verdict, 'found');
  const eph = maasDatasource.detect(
    machineFacts({}, { cmdline: 'root=/dev/sda1 iscsi_target_name=iqn.2004-05.com.ubuntu:maas:ephemeral cloud-config-url=http://10.0.0.1/MAAS/metadata/latest/enlist-preseed/?op=get_enlist_preseed' }),
  );
  assert.equal(eph.verdict, 'found');
  assert.match(eph.reason, /iSCSI root/);
  assert.equal(maasDatasource.detect(machineFacts({}, { cmdline: 'cloud-config-url=http://10.0.0.1/x' })).verdict, 'not-found');
  assert.equal(maasDatasource.detect(machineFacts()).verdict, 'not-found');
  assert.equal(maasDatasource.detect(machineFacts({}, { container: 'lxc', more: { ...more, maasConfig: true } })).verdict, 'not-found');
  assert.deepEqual(decideDatasources(machineFacts({}, { more: { ...more, maasConfig: true } }), ['NoCloud', 'MAAS', 'Ec2', 'None']).datasources, ['MAAS', 'None']);
});

test('the facts see the MAAS key MAAS writes into cloud.cfg.d, and the seed directory', () => {
  const root = tempDir();
  put(root, 'etc/cloud/cloud.cfg', 'datasource_list: [MAAS, None]\n');
  assert.equal(configMentionsKey(testHost(root), 'MAAS'), false);
  put(root, 'etc/cloud/cloud.cfg.d/90_dpkg_maas.cfg', 'datasource:\n  MAAS: {consumer_key: a, metadata_url: "http://10.0.0.1/MAAS/metadata/"}\n');
  put(root, `${MAAS_SEED_DIR}/meta-data/instance-id`, 'i-1\n');
  const f = gatherFacts(testHost(root));
  assert.equal(f.more?.maasConfig, true);
  assert.equal(f.more?.maasSeed, true);
});

test('the seed directory gives the instance-id, hostname, keys, vendor-data and user-data', async () => {
  const root = tempDir();
  for (const [p, c] of Object.entries(FILES)) put(root, `${MAAS_SEED_DIR}/${p}`, c);
  const { log } = testLogger();
  const r = await maasDatasource.find(dsContext(testHost(root), {}, log));
  assert.ok(r);
  assert.equal(r.dsname, 'MAAS');
  assert.equal(r.cloudName, 'maas');
  assert.equal(r.platform, 'maas');
  assert.equal(r.subplatform, `seed-dir (${MAAS_SEED_DIR})`);
  assert.equal(r.instanceId, 'node-abc123');
  assert.equal(r.localHostname, 'rack-node-7');
  assert.deepEqual(r.publicKeys, ['ssh-ed25519 AAAAC3 one@maas', 'ssh-rsa AAAAB3 two@maas']);
  assert.equal(Buffer.from(r.vendordata!).toString(), '#cloud-config\npackages: [htop]\n');
  assert.equal(Buffer.from(r.userdata!).toString(), FILES['user-data']);
  assert.equal(r.networkConfig, null);
});

test('a seed directory without its required files, or with vendor-data that is not YAML, is an error naming the file (and line and column)', async () => {
  const { log } = testLogger();
  const noHost = tempDir();
  put(noHost, `${MAAS_SEED_DIR}/meta-data/instance-id`, 'i-1\n');
  const a = await settle(() => maasDatasource.find(dsContext(testHost(noHost), {}, log)));
  assert.ok(a.error instanceof DatasourceError);
  assert.equal(a.error.message, `MAAS: missing ${MAAS_SEED_DIR}/meta-data/local-hostname`);
  const badVd = tempDir();
  for (const [p, c] of Object.entries(FILES)) put(badVd, `${MAAS_SEED_DIR}/${p}`, c);
  put(badVd, `${MAAS_SEED_DIR}/meta-data/vendor-data`, 'cloud-init: [unclosed\n');
  const b = await settle(() => maasDatasource.find(dsContext(testHost(badVd), {}, log)));
  assert.ok(b.error instanceof DatasourceError);
  assert.match(b.error.message, new RegExp(`^${MAAS_SEED_DIR}/meta-data/vendor-data:\\d+:\\d+: .*\\(vendor-data must be YAML\\)`));
});

test('the metadata URL is read with every request OAuth-signed (PLAINTEXT), as MAAS requires', async () => {
  const m = maas();
  const srv = await serve(m.handler);
  const { log } = testLogger();
  try {
    const r = await maasDatasource.find(dsContext(testHost(tempDir()), cfg(srv.url), log));
    assert.ok(r);
    assert.equal(r.instanceId, 'node-abc123');
    assert.equal(r.localHostname, 'rack-node-7');
    assert.equal(r.subplatform, `seed-dir (${srv.url}/MAAS/metadata)`);
    assert.equal(Buffer.from(r.userdata!).toString(), FILES['user-data']);
    assert.deepEqual(
      srv.seen,
      ['meta-data/instance-id', 'meta-data/local-hostname', 'meta-data/public-keys', 'meta-data/vendor-data', 'user-data'].map((p) => `GET /MAAS/metadata/2012-03-01/${p}`),
    );
    // A fresh nonce for every request.
    const nonces = m.headers.map((h) => /oauth_nonce="([^"]+)"/.exec(h)?.[1]);
    assert.equal(new Set(nonces).size, nonces.length);
  } finally {
    await srv.close();
  }
});

test('refused credentials: one retry with the server clock when it sends a Date, then an error naming the URL', async () => {
  const srv = await serve(maas(FILES, { date: 'Tue, 01 Jan 2030 00:00:00 GMT' }).handler);
  const { log, lines } = testLogger();
  try {
    const { error } = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), cfg(srv.url, { token_secret: 'wrong' }), log)));
    assert.ok(error instanceof DatasourceError);
    assert.match(error.message, new RegExp(`${srv.url}/MAAS/metadata/2012-03-01/meta-data/instance-id: HTTP 401: the OAuth credentials in datasource.MAAS were refused`));
    assert.deepEqual(srv.seen.length, 2);
    assert.ok(lines.some((l) => l.includes("retrying with the server's clock")));
  } finally {
    await srv.close();
  }
});

test('configuration errors name the key: a metadata_url that is not a URL, credentials given in part', async () => {
  const { log } = testLogger();
  const a = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), { metadata_url: 'ftp://x/' }, log)));
  assert.match(a.error?.message ?? '', /^datasource.MAAS.metadata_url: "ftp:\/\/x\/" is not an http\(s\) URL/);
  const b = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), { metadata_url: 'http://127.0.0.1:9/', consumer_key: 'c' }, log)));
  assert.match(b.error?.message ?? '', /^datasource.MAAS: token_key, token_secret missing/);
  const c = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), { metadata_url: 'http://127.0.0.1:9/', ...CREDS, token_key: 42 }, log)));
  assert.match(c.error?.message ?? '', /^datasource.MAAS.token_key: expected a string, not number/);
});

test('a service without the required files is an error naming them; an unreachable one is not here, with a warning', async () => {
  const srv = await serve(maas({ 'meta-data/instance-id': 'i-1' }).handler);
  const { log, lines } = testLogger();
  try {
    const { error } = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), cfg(srv.url), log)));
    assert.ok(error instanceof DatasourceError);
    assert.equal(error.message, `MAAS: missing ${srv.url}/MAAS/metadata/2012-03-01/meta-data/local-hostname`);
  } finally {
    await srv.close();
  }
  const url = await refusedUrl();
  assert.equal(await maasDatasource.find(dsContext(testHost(tempDir()), cfg(url), log)), null);
  assert.ok(lines.some((l) => l.includes('MAAS metadata service not reachable') && l.includes(url)));
  assert.equal(await maasDatasource.find(dsContext(testHost(tempDir()), {}, log)), null);
});

test('5xx after the retries is an error naming the URL', async () => {
  const srv = await serve(maas(FILES, { status: 503 }).handler);
  const { log } = testLogger();
  try {
    const { error } = await settle(() => maasDatasource.find(dsContext(testHost(tempDir()), cfg(srv.url), log)));
    assert.ok(error instanceof DatasourceError);
    assert.match(error.message, /\/meta-data\/instance-id: HTTP 503 \(gave up after 2 attempts\)/);
  } finally {
    await srv.close();
  }
});
