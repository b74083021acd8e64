// The Akamai datasource against a stand-in of Akamai's (Linode's) metadata service on
// 127.0.0.1: the token, instance id, region, base64 user-data, IPv6 before IPv4, the
// platform's DMI overrides, local data only when the service is away; and the service
// answering slowly, with 5xx, truncated, oversized, deeply nested and wrong-type
// answers, and a redirect to another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { akamaiDatasource, akamaiDmiFlags, akamaiSettings } from '../../packages/core/src/datasources/akamai.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { refusedUrl, rootWithDmi, serve, settle, testHost, testLogger, machineFacts } from './helpers.js';
import { KID, KUSER, akamai, type AkamaiMode } from './akamai-fixtures.js';

const facts = machineFacts;
const DMI = { sys_vendor: 'Akamai', product_serial: String(KID) };

test('detection table: Akamai by DMI sys_vendor Linode or Akamai, nowhere else', () => {
  const rows: [string, DetectFacts, string][] = [
    ['sys_vendor Linode', facts({ sysVendor: 'Linode', productName: 'Compute Instance', productSerial: String(KID) }), 'found'],
    ['sys_vendor Akamai', facts({ sysVendor: 'Akamai' }), 'found'],
    ['Linode only as the product', facts({ sysVendor: 'QEMU', productName: 'Linode' }), 'not-found'],
    ['a machine without DMI', facts({}, { dmiAvailable: false }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(akamaiDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'Akamai', 'Ec2', 'None']).datasources, ['Akamai', 'None']);
  assert.deepEqual(decideDatasources(rows[2]![1], ['NoCloud', 'Akamai', 'Ec2', 'None']).datasources, ['None']);
});

test('the platform’s DMI flags override cloud.cfg, as cloud-init’s get_dmi_config', () => {
  assert.deepEqual(akamaiDmiFlags('v4=0;v6=1;dhcp=1;pmp=f2:3,f2:4'), { allowIpv4: false, allowIpv6: true });
  assert.deepEqual(akamaiDmiFlags('ais=0'), { allowInitStage: false });
  assert.deepEqual(akamaiDmiFlags(null), {});
  const warnings: string[] = [];
  const s = akamaiSettings({ allow_ipv6: false, allow_ipv4: 'yes', base_urls: { ipv4: 'ftp://x' } }, { allowIpv6: true }, (m) => warnings.push(m));
  assert.equal(s.allowIpv6, true, 'DMI wins');
  assert.equal(s.allowIpv4, true);
  assert.equal(s.baseUrls.ipv4, 'http://169.254.169.254');
  assert.deepEqual(warnings, ['allow_ipv4: "yes" is not true or false, using true', 'base_urls.ipv4: "ftp://x" is not an http(s) URL, using http://169.254.169.254']);
});

async function read(mode: AkamaiMode, dmi: Record<string, string> = DMI, extra: Record<string, unknown> = {}) {
  const srv = await serve(akamai(mode));
  const away = await refusedUrl();
  const { log, lines } = testLogger();
  try {
    const ctx = {
      host: testHost(rootWithDmi(dmi)),
      log,
      cfg: {},
      // IPv6 is asked first: here a port with nothing listening, so IPv4 (the stand-in)
      // answers. A patient budget by default; the slow case passes a short one.
      dsCfg: { base_urls: { ipv6: away, ipv4: srv.url }, timeout: 10, retries: 1, max_wait: 30, ...extra },
      stage: 'net' as const,
    };
    const r = await settle(() => akamaiDatasource.find(ctx));
    return { ...r, lines, seen: srv.seen };
  } finally {
    await srv.close();
  }
}

test('Akamai as documented: IPv6 first, then IPv4 with a token: instance id, region, base64 user-data', async () => {
  const { value: r, error, seen, lines } = await read('ok');
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.cloudName, 'akamai');
  assert.equal(r.platform, 'akamai');
  assert.match(r.subplatform, /^metadata \(http:\/\/127\.0\.0\.1:\d+\)$/);
  assert.equal(r.instanceId, String(KID));
  assert.equal(r.region, 'us-ord');
  assert.equal(r.metadata['label'], 'my-linode');
  assert.equal(r.metadata['instance-id'], String(KID));
  assert.equal(Buffer.from(r.userdata!).toString(), KUSER);
  assert.equal(r.networkConfig, null);
  assert.deepEqual(seen, ['PUT /v1/token', 'GET /v1/instance', 'GET /v1/user-data']);
  assert.ok(lines.some((l) => /failed to retrieve metadata using IPv6: .*ECONNREFUSED/.test(l)));
  assert.ok(!lines.some((l) => l.includes('akamai-test-token')), 'the token is never logged');
});

test('Akamai without its service, with a refused token or told not to ask is the instance from DMI with no user-data; not Akamai never asks', async () => {
  const noToken = await read('no-token');
  assert.equal(noToken.value?.instanceId, String(KID));
  assert.equal(noToken.value?.userdata, null);
  assert.deepEqual(noToken.seen, ['PUT /v1/token']);
  const told = await read('ok', { ...DMI, board_serial: 'v4=0;v6=0' });
  assert.equal(told.value?.instanceId, String(KID));
  assert.equal(told.value?.subplatform, 'dmi (local data only)');
  assert.deepEqual(told.seen, []);
  const away = await read('ok', DMI, { base_urls: { ipv6: await refusedUrl(), ipv4: await refusedUrl() } });
  assert.equal(away.value?.instanceId, String(KID));
  assert.ok(away.lines.some((l) => /failed to contact the metadata service; local data only/.test(l)));
  const plain = await read('plain-user-data');
  assert.equal(Buffer.from(plain.value!.userdata!).toString(), KUSER);
  assert.ok(plain.lines.some((l) => /user-data is not base64; taken as it is/.test(l)));
  const other = await read('ok', { sys_vendor: 'QEMU' });
  assert.equal(other.value, null);
  assert.deepEqual(other.seen, []);
});

test('Akamai failures: truncated, oversized, deeply nested, wrong-type answers and a redirect elsewhere are errors naming the URL; 5xx and slow fall back to local data', async () => {
  const cases: [AkamaiMode, RegExp][] = [
    ['truncated', /\/v1\/instance: not valid JSON \(90 bytes\) at line 1 col 91/],
    ['oversized', /\/v1\/instance: body (of \d+ bytes is )?larger than the \d+ allowed/],
    ['deep', /\/v1\/instance: JSON \(\d+ bytes\) at line 1 col \d+: nested more than \d+ levels deep/],
    ['array', /\/v1\/instance: expected a JSON object, got an array/],
    ['redirect', /\/v1\/instance: HTTP 302 redirect to another origin \(http:\/\/192\.0\.2\.1\); refused/],
  ];
  for (const [mode, re] of cases) {
    const { error } = await read(mode);
    assert.ok(error instanceof DatasourceError, mode);
    assert.match(error.message, re, mode);
  }
  const failing = await read('500');
  assert.equal(failing.value?.instanceId, String(KID));
  assert.ok(failing.lines.some((l) => /failed to retrieve metadata using IPv4: .*\/v1\/instance: HTTP 500/.test(l)));
  const slow = await read('slow', DMI, { timeout: 0.3, retries: 1, max_wait: 1 });
  assert.equal(slow.value?.userdata, null);
  assert.ok(slow.lines.some((l) => /failed to retrieve metadata using IPv4: .*(no response within \d+ ms|time budget)/.test(l)));
});
