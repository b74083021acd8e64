// The metadata HTTP client against real servers on 127.0.0.1 with faults. Every case
// must end within its budget with the right answer or an error naming the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError, MetadataClient, metadataSettings, parseJsonBody, bodyText, isRetryableStatus } from '../../packages/core/src/datasources/http.js';
import { refusedUrl, send, serve, settle } from './helpers.js';

const fast = { timeoutMs: 400, retries: 3, backoffMs: 20 };
// For servers that answer: a patient timeout, so a busy machine does not fail the test
// (only the tests of timeouts and budgets use the short ones).
const patient = { timeoutMs: 10_000, retries: 3, backoffMs: 20 };

test('500 then success: retried, and the second answer is returned', async () => {
  let n = 0;
  const srv = await serve((_req, res) => (++n === 1 ? send(res, 500, 'oops') : send(res, 200, 'ok')));
  try {
    const c = new MetadataClient(60_000, patient);
    assert.equal(bodyText(await c.get(`${srv.url}/x`)), 'ok');
    assert.equal(n, 2);
  } finally {
    await srv.close();
  }
});

test('408, 429 and 503 are retried; 400, 403 and 404 are not', async () => {
  for (const code of [408, 429, 503]) assert.ok(isRetryableStatus(code));
  for (const code of [400, 401, 403, 404]) assert.ok(!isRetryableStatus(code));
  let n = 0;
  const srv = await serve((_req, res) => {
    n++;
    send(res, 403, 'no');
  });
  try {
    const c = new MetadataClient(60_000, patient);
    await assert.rejects(c.get(`${srv.url}/y`), (e: HttpError) => e.kind === 'status' && e.status === 403 && e.message.includes(`${srv.url}/y`));
    assert.equal(n, 1);
  } finally {
    await srv.close();
  }
});

test('a server that always fails: retries run out, the error says how many attempts', async () => {
  let n = 0;
  const srv = await serve((_req, res) => {
    n++;
    send(res, 503, 'busy');
  });
  try {
    const c = new MetadataClient(60_000, { ...patient, retries: 2 });
    await assert.rejects(c.get(`${srv.url}/z`), /HTTP 503 \(gave up after 3 attempts\)/);
    assert.equal(n, 3);
  } finally {
    await srv.close();
  }
});

test('404 for an optional file is null, not an error', async () => {
  const srv = await serve((_req, res) => send(res, 404, 'not here'));
  try {
    const c = new MetadataClient(60_000, patient);
    assert.equal(await c.getOptional(`${srv.url}/opt`), null);
    assert.equal(srv.seen.length, 1);
  } finally {
    await srv.close();
  }
});

test('connection refused: an error naming the URL, given up once the retries are used', async () => {
  const url = await refusedUrl();
  const c = new MetadataClient(30_000, fast);
  const r = await settle(() => c.get(`${url}/openstack`));
  assert.ok(r.error instanceof HttpError);
  assert.equal((r.error as HttpError).kind, 'connection');
  assert.match(r.error.message, new RegExp(`^${url}/openstack: connection failed: ECONNREFUSED.* \\(gave up after 4 attempts\\)$`));
});

test('a response that never ends is cut off by the per-request timeout, every attempt', async () => {
  const srv = await serve((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"partial": ');
    // ...and nothing more, ever.
  });
  try {
    const c = new MetadataClient(2000, { timeoutMs: 300, retries: 1, backoffMs: 20 });
    const r = await settle(() => c.get(`${srv.url}/slow`));
    assert.ok(r.error instanceof HttpError, String(r.error));
    assert.equal((r.error as HttpError).kind, 'timeout');
    assert.match(r.error.message, /body not complete within 300 ms/);
    assert.equal(srv.seen.length, 2);
  } finally {
    await srv.close();
  }
});

test('a server that never answers: the total budget ends it even with many retries', async () => {
  const srv = await serve(() => {
    /* never responds */
  });
  try {
    const c = new MetadataClient(900, { timeoutMs: 400, retries: 50, backoffMs: 10 });
    const r = await settle(() => c.get(`${srv.url}/hang`));
    assert.ok(r.error instanceof HttpError);
    assert.equal((r.error as HttpError).kind, 'timeout');
    // The budget, not the retries, stopped it: far fewer than 51 attempts were made.
    const m = /\(gave up after (\d+) attempts? in the 900 ms budget\)$/.exec(r.error.message);
    assert.ok(m && Number(m[1]) < 51, r.error.message);
  } finally {
    await srv.close();
  }
});

test('truncated JSON: a clear error naming the URL', async () => {
  const srv = await serve((_req, res) => send(res, 200, '{"uuid": "abc", "name'));
  try {
    const c = new MetadataClient(60_000, patient);
    const url = `${srv.url}/meta_data.json`;
    const body = await c.get(url);
    assert.throws(
      () => parseJsonBody(url, body),
      (e: HttpError) => e.kind === 'invalid' && e.message.startsWith(`${url}: not valid JSON`),
    );
  } finally {
    await srv.close();
  }
});

test('a body over the size cap is refused, declared or not', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/declared') send(res, 200, 'x'.repeat(5000), { 'content-length': '5000' });
    else {
      res.writeHead(200);
      res.write('y'.repeat(3000));
      res.end('y'.repeat(3000));
    }
  });
  try {
    const c = new MetadataClient(60_000, { ...patient, maxBytes: 4096 });
    await assert.rejects(c.get(`${srv.url}/declared`), /body of 5000 bytes is larger than the 4096 allowed/);
    await assert.rejects(c.get(`${srv.url}/chunked`), /body larger than the 4096 allowed/);
  } finally {
    await srv.close();
  }
});

test('PUT with headers reaches the server', async () => {
  let got = '';
  const srv = await serve((req, res) => {
    got = `${req.method} ${req.headers['x-test']}`;
    send(res, 200, 'tok');
  });
  try {
    const c = new MetadataClient(60_000, patient);
    const r = await c.request(`${srv.url}/t`, { method: 'PUT', headers: { 'X-Test': 'yes' } });
    assert.equal(bodyText(r.body), 'tok');
    assert.equal(got, 'PUT yes');
  } finally {
    await srv.close();
  }
});

test('metadataSettings reads cloud-init keys and rejects bad values', () => {
  const d = { urls: ['http://169.254.169.254'], timeout: 5, retries: 3, maxWait: 10 };
  assert.deepEqual(metadataSettings({}, d), { urls: d.urls, timeoutMs: 5000, retries: 3, budgetMs: 10000, problems: [] });
  const s = metadataSettings({ metadata_urls: ['http://127.0.0.1:8080/', 'ftp://x', 7], timeout: '2', retries: 1, max_wait: 0 }, d);
  assert.deepEqual(s.urls, ['http://127.0.0.1:8080']);
  assert.equal(s.timeoutMs, 2000);
  assert.equal(s.budgetMs, 4000);
  assert.equal(s.problems.length, 1);
  const bad = metadataSettings({ timeout: 'soon', retries: -1 }, d);
  assert.equal(bad.timeoutMs, 5000);
  assert.equal(bad.retries, 3);
  assert.equal(bad.problems.length, 2);
});
