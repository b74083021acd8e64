// test-lane: full (a hostile-input campaign: nested, oversized and redirected metadata against whole stages)
// Metadata and user-data cannot crash a boot or reach beyond their service: JSON nested
// deeper than 200 levels is refused with file:line (as YAML is), one datasource read has
// one total size budget, the whole user-data (includes and gzip together) has one, a
// metadata client follows redirects within its origin only (the IMDSv2 token goes
// nowhere else), an instance-id is normalised as cloud-init keeps it, and control
// characters from metadata are shown escaped in the log, the journal, status and
// directory names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { cli, driveWith, makeRoot, read, stage } from '../helpers/boot.js';
import { dsContext, rootWithDmi, send, serve, settle, testHost, testLogger } from '../datasources/helpers.js';
import { parseJson, JsonError, MAX_JSON_DEPTH } from '../../packages/core/src/util/json.js';
import { HttpError, MetadataClient, parseJsonBody } from '../../packages/core/src/datasources/http.js';
import { ec2Datasource } from '../../packages/core/src/datasources/ec2.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { expandParts } from '../../packages/core/src/userdata/include.js';
import { splitUserdata, type UserPart } from '../../packages/core/src/userdata/parts.js';
import { MAX_TOTAL_USERDATA_BYTES } from '../../packages/core/src/userdata/limits.js';
import { Logger } from '../../packages/core/src/log/logger.js';
import { instanceDirName } from '../../packages/core/src/state/paths.js';
import { normalizeInstanceId } from '../../packages/core/src/state/instance-id.js';

const deepJson = (levels: number) => `{"meta": ${'['.repeat(levels)}1${']'.repeat(levels)}}`;

// --- 4: depth ------------------------------------------------------------------------

test('JSON nested 3,000 levels deep is refused with the file, line and column, as YAML is', () => {
  const text = `{\n "uuid": "x",\n "deep": ${'['.repeat(3000)}${']'.repeat(3000)}\n}`;
  assert.throws(
    () => parseJson(text, 'meta_data.json'),
    (err: Error) => err instanceof JsonError && err.line === 3 && /^meta_data\.json line 3 col \d+: nested more than 200 levels deep/.test(err.message),
  );
  // 200 levels is still fine, and so are brackets inside strings.
  assert.doesNotThrow(() => parseJson(deepJson(MAX_JSON_DEPTH - 1), 'ok.json'));
  assert.doesNotThrow(() => parseJson(JSON.stringify({ s: '['.repeat(5000) }), 'ok.json'));
  assert.throws(
    () => parseJsonBody('http://169.254.169.254/openstack/latest/meta_data.json', Buffer.from(deepJson(3000))),
    (err: Error) => err instanceof HttpError && /meta_data\.json: JSON .* line 1 col \d+: nested more than 200/.test(err.message),
  );
});

const V = '2021-03-23';
function imdsTree(extra: Record<string, string>, listing: string): Record<string, string> {
  return {
    '/': `${V}\nlatest`,
    [`/${V}/meta-data/`]: `instance-id\n${listing}`,
    [`/${V}/meta-data/instance-id`]: 'i-0abc',
    [`/${V}/user-data`]: '#cloud-config\n',
    ...extra,
  };
}

function imds(tree: Record<string, string>, override?: (req: IncomingMessage, res: ServerResponse) => boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (req.method === 'PUT' && url === '/latest/api/token') return send(res, 200, 'token-1');
    if (req.headers['x-aws-ec2-metadata-token'] !== 'token-1') return send(res, 401, 'Unauthorized');
    if (override?.(req, res)) return;
    if (url in tree) send(res, 200, tree[url] as string);
    else send(res, 404, 'Not Found');
  };
}

const awsRoot = () => rootWithDmi({ product_uuid: 'EC2E1916-9099-7CAF-FD21-012345ABCDEF', product_serial: 'ec2e1916-9099-7caf-fd21-012345abcdef', sys_vendor: 'Amazon EC2' });
const cfg = (url: string) => ({ metadata_urls: [url], timeout: 5, retries: 0, max_wait: 60 });

test('an EC2 leaf of deeply nested JSON is an error naming its URL and line, not a crash', async () => {
  const srv = await serve(imds(imdsTree({ [`/${V}/meta-data/iam/info`]: deepJson(3000), [`/${V}/meta-data/iam/`]: 'info' }, 'iam/')));
  try {
    const { error } = await settle(() => ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), testLogger().log)));
    assert.ok(error instanceof DatasourceError, String(error));
    assert.match(error.message, /meta-data\/iam\/info: JSON .*line 1 col \d+: nested more than 200 levels deep/);
  } finally {
    await srv.close();
  }
});

test('a config drive whose meta_data.json nests 3,000 levels: init-local says where, and does not crash', () => {
  const drive = driveWith((d) => {
    for (const v of fs.readdirSync(path.join(d, 'openstack'))) {
      const file = path.join(d, 'openstack', v, 'meta_data.json');
      const md = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(file, `${JSON.stringify({ ...md, meta: 'DEEP' }, null, 1).replace('"DEEP"', `${'['.repeat(3000)}${']'.repeat(3000)}`)}\n`);
    }
  });
  const root = makeRoot({ drive });
  const r = stage(root, 'local');
  assert.doesNotMatch(r.stderr, /Maximum call stack|RangeError|\n\s+at /, r.stderr);
  assert.match(r.stderr, /meta_data\.json line \d+ col \d+: nested more than 200 levels deep/);
});

// --- 5: one total budget per datasource read -------------------------------------------

test('many EC2 leaves, each within the body limit, stop at the total budget of the datasource read', async () => {
  const MiB = 'x'.repeat(1024 * 1024);
  const names = Array.from({ length: 40 }, (_, i) => `blob${i}`);
  const extra = Object.fromEntries(names.map((n) => [`/${V}/meta-data/${n}`, MiB]));
  const srv = await serve(imds(imdsTree(extra, names.join('\n'))));
  try {
    const { value, error } = await settle(() => ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), testLogger().log)));
    assert.equal(value, undefined, 'the whole 40 MiB tree was read');
    assert.ok(error instanceof DatasourceError, String(error));
    assert.match(error.message, /bytes one datasource may read in total; refused/);
    assert.ok(srv.seen.length < 40, `${srv.seen.length} requests: the read went on after the budget was used`);
  } finally {
    await srv.close();
  }
});

// --- 7: one budget for the whole user-data ---------------------------------------------

test('ten #includes of one small gzip stop at the whole user-data budget; what fits is kept', async () => {
  const bomb = gzipSync(Buffer.concat([Buffer.from('#cloud-config\n# '), Buffer.alloc(20 * 1024 * 1024, 0x61), Buffer.from('\n')]));
  assert.ok(bomb.length < 100 * 1024);
  const urls = Array.from({ length: 10 }, (_, i) => `http://example.invalid/part${i}.gz`);
  const errors: string[] = [];
  const log = new Logger({ file: () => undefined, stderr: () => undefined }, { stage: 'test', debug: false, quiet: true });
  log.error = (m: string) => void errors.push(m);
  log.info = () => undefined;
  const top = splitUserdata(Buffer.from(`#include\n${urls.join('\n')}\n`), 'user-data.txt');
  const parts = await expandParts(top, {
    log,
    label: () => 'user-data.txt',
    source: { fetch: async () => new Uint8Array(bomb), cache: null },
  });
  const total = parts.reduce((n: number, p: UserPart) => n + p.body.length, 0);
  assert.ok(total <= MAX_TOTAL_USERDATA_BYTES, `${total} bytes of user-data held`);
  assert.equal(parts.length, 3, 'the includes that fit are applied');
  assert.equal(errors.length, 7);
  assert.match(errors[0] ?? '', /part3\.gz.*more than 67108864 bytes in all \(its #include and gzip contents counted together, the limit\); refused/);
});

// --- 9: redirects within the origin only -----------------------------------------------

test('a metadata redirect to another origin is refused, and the IMDSv2 token is never sent there', async () => {
  const other = await serve((req, res) => send(res, 200, `stolen ${String(req.headers['x-aws-ec2-metadata-token'])}`));
  const srv = await serve(
    imds(imdsTree({}, ''), (req, res) => {
      if (req.url === `/${V}/meta-data/`) {
        res.writeHead(302, { location: `${other.url}/${V}/meta-data/` });
        res.end();
        return true;
      }
      return false;
    }),
  );
  try {
    const { error } = await settle(() => ec2Datasource.find(dsContext(testHost(awsRoot()), cfg(srv.url), testLogger().log)));
    assert.ok(error instanceof DatasourceError, String(error));
    assert.match(error.message, /redirect to another origin \(http:\/\/127\.0\.0\.1:\d+\); refused/);
    assert.deepEqual(other.seen, [], 'the other origin was asked');
  } finally {
    await srv.close();
    await other.close();
  }
});

test('a redirect within the same origin is followed, with its headers', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/old') {
      res.writeHead(301, { location: '/new' });
      res.end();
    } else send(res, 200, `new ${String(req.headers['x-token'])}`);
  });
  try {
    const c = new MetadataClient(10_000, { retries: 0 });
    const r = await c.request(`${srv.url}/old`, { headers: { 'x-token': 't1' } });
    assert.equal(Buffer.from(r.body).toString(), 'new t1');
    assert.deepEqual(srv.seen, ['GET /old', 'GET /new']);
  } finally {
    await srv.close();
  }
});

// --- 10: instance-id normalised --------------------------------------------------------

test('a NoCloud instance-id with trailing whitespace is the same instance on the next boot', () => {
  const root = makeRoot({ drive: false });
  const seed = path.join(root, 'var/lib/cloud/seed/nocloud');
  fs.mkdirSync(seed, { recursive: true });
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: "iid-ws-1  "\nlocal-hostname: ws\n');
  fs.writeFileSync(path.join(seed, 'user-data'), '#cloud-config\n');
  for (let b = 0; b < 2; b++) {
    fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
    for (const s of ['local', 'init'] as const) stage(root, s);
  }
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), 'iid-ws-1\n');
  assert.equal(read(root, 'var/lib/cloud/data/previous-instance-id'), 'NO_PREVIOUS_INSTANCE_ID\n', 'the second boot counted as a new instance');
  assert.deepEqual(fs.readdirSync(path.join(root, 'var/lib/cloud/instances')), ['iid-ws-1']);
  assert.equal(normalizeInstanceId(' \ti-1 \n'), 'i-1');
});

// --- 11: control characters escaped where shown ----------------------------------------

test('control characters in metadata are escaped in the log, the journal stream, the report and directory names', () => {
  const file: string[] = [];
  const err: string[] = [];
  const log = new Logger({ file: (t) => void file.push(t), stderr: (t) => void err.push(t) }, { stage: 'init', debug: false });
  log.error('instance-id i-\u001b[2J\u001b]0;owned\u0007x\rfake line\u202e');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the raw characters must not be there
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;
  assert.doesNotMatch(file.join(''), raw);
  assert.doesNotMatch(err.join('').replace(/\n$/, ''), raw);
  assert.match(file.join(''), /i-\\x1b\[2J\\x1b\]0;owned\\x07x\\x0dfake line\\u202e/);
  assert.doesNotMatch(log.report.errors.join(''), raw);
  assert.equal(instanceDirName('i-\u001b[31mred'), 'i-\\x1b[31mred');
});

test('a boot whose instance-id holds an ESC leaves no raw control character in cloud-init.log, status or /var/lib/cloud', () => {
  const iid = 'i-\u001b[31mred\u001b[0m';
  const drive = driveWith((d) => {
    for (const v of fs.readdirSync(path.join(d, 'openstack'))) {
      const f = path.join(d, 'openstack', v, 'meta_data.json');
      const md = JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(f, JSON.stringify({ ...md, uuid: iid }));
    }
  });
  const root = makeRoot({ drive });
  let stderr = '';
  for (const s of ['local', 'init'] as const) stderr += stage(root, s).stderr;
  fs.mkdirSync(path.join(root, 'var/lib/cloud/data'), { recursive: true });
  const status = cli(root, 'status', '--long');
  const ESC = new RegExp(String.fromCharCode(27));
  assert.doesNotMatch(read(root, 'var/log/cloud-init.log'), ESC);
  assert.doesNotMatch(stderr, ESC);
  assert.doesNotMatch(status.stdout + status.stderr, ESC);
  const dirs = fs.readdirSync(path.join(root, 'var/lib/cloud/instances'));
  assert.deepEqual(dirs, ['i-\\x1b[31mred\\x1b[0m']);
});
