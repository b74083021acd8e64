// test-lane: full (fuzz campaign)
// Property and fuzz tests of every parser that reads data from outside: no input gives
// an exception other than the parser's own error, every rejection names the input (and
// the position where the format has one); a bomb is refused by the limit it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { loadYaml, YamlError } from '../../packages/core/src/yaml/load.js';
import { parseMime, MimeError } from '../../packages/core/src/userdata/mime.js';
import { splitUserdata } from '../../packages/core/src/userdata/parts.js';
import { parseJson, JsonError } from '../../packages/core/src/util/json.js';
import { parseOpenStackMetadata, normalizePublicKeys, vendordataBytes, chooseOpenStackVersion } from '../../packages/core/src/datasources/openstack.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { cmdlineCloudConfig, cmdlineDisabled } from '../../packages/core/src/config/cmdline.js';
import { cmdlineArgs } from '../../packages/core/src/datasources/facts.js';
import { parseNoCloudArg } from '../../packages/core/src/datasources/nocloud.js';
import { MAX_DECOMPRESSED_BYTES, UserdataBudget } from '../../packages/core/src/userdata/limits.js';
import { MAX_JSON_DEPTH } from '../../packages/core/src/util/json.js';
import { HttpError, parseJsonBody } from '../../packages/core/src/datasources/http.js';
import { decodeEc2Leaf } from '../../packages/core/src/datasources/ec2.js';
import { parseText } from '../../packages/core/src/net/sources/index.js';
import { NetConfigError } from '../../packages/core/src/net/errors.js';
import { expandParts } from '../../packages/core/src/userdata/include.js';
import { Logger } from '../../packages/core/src/log/logger.js';
import { fuzz, rejectsCleanly, textFrom } from './fuzz.js';

const YAML_PIECES = [
  '#cloud-config\n',
  'a',
  'key',
  ':',
  ': ',
  '- ',
  '\n',
  '  ',
  '    ',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&x ',
  '*x',
  '*y',
  '<<: ',
  '!!binary ',
  '!!int ',
  '!!str ',
  '!!map ',
  '!!seq ',
  '!!float ',
  '!!python/unicode ',
  '!!python/object:os.system ',
  '!foo ',
  '? ',
  '|',
  '|-',
  '>',
  '>+',
  '"',
  "'",
  '#',
  '---\n',
  '...\n',
  '=',
  '0644',
  '0o644',
  '1:30',
  'yes',
  'no',
  'on',
  '~',
  'null',
  '%YAML 1.1\n',
  '%YAML 2.0\n',
  '%TAG ! tag:x,2000:\n',
  '2002-12-14',
  '.inf',
  '.nan',
  '\\x',
  '\\u',
  '\u00e9',
  '\u0000',
  '\ufeff',
  '\r\n',
  '\r',
  'write_files',
  'runcmd',
  'merge_how',
  '0x1F',
  '1_000',
  '-.5e3',
  '@',
  '`',
  '%',
];

test('cloud-config YAML: only YamlError, naming the file and line:col', () => {
  let rejected = 0;
  let noPos = 0;
  fuzz(
    'yaml',
    textFrom(YAML_PIECES, 60),
    (src) => {
      const e = rejectsCleanly(() => loadYaml(src, '/var/lib/cloud/instance/cloud-config.txt'), YamlError, '/var/lib/cloud/instance/cloud-config.txt');
      if (e !== null) {
        rejected++;
        if ((e as YamlError).pos === null) noPos++;
      }
    },
    4000,
  );
  assert.ok(rejected > 300, `the generator reaches the error paths (${rejected} rejections)`);
  assert.equal(noPos, 0, `${noPos} rejections without a line:col`);
});

test('cloud-config YAML: anchors and aliases cannot blow up (billion laughs) or recurse forever', () => {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++)
    laughs.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  // Refused, or read without expanding: every alias is the anchored node itself, so the
  // 9^12 "lol"s are never made.
  let bomb: ReturnType<typeof loadYaml> | undefined;
  rejectsCleanly(() => (bomb = loadYaml(laughs.join('\n') + '\n', 'bomb.yaml')), YamlError, 'bomb.yaml');
  const doc = bomb?.value as Record<string, unknown[]> | undefined;
  if (doc !== undefined) assert.ok(doc['l']?.every((x) => x === doc['k']) && doc['b']?.every((x) => x === doc['a']), 'aliases are shared, not copied');
  // Deep nesting: refused or read, never a stack overflow (RangeError).
  for (const deep of ['['.repeat(50_000), '{a: '.repeat(20_000), '- '.repeat(20_000) + 'x', Array.from({ length: 5000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n')]) {
    rejectsCleanly(() => loadYaml(deep, 'deep.yaml'), YamlError, 'deep.yaml');
  }
});

const MIME_PIECES = [
  'MIME-Version: 1.0\n',
  'Content-Type: multipart/mixed; boundary="B"\n',
  'Content-Type: multipart/alternative; boundary=C\n',
  'Content-Type: text/cloud-config\n',
  'Content-Type: text/x-shellscript; charset="utf-16"\n',
  'Content-Type: text/plain; charset=iso-8859-1\n',
  'Content-Type: message/rfc822\n',
  'Content-Transfer-Encoding: base64\n',
  'Content-Transfer-Encoding: quoted-printable\n',
  'Content-Transfer-Encoding: x-uue\n',
  "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.sh\n",
  'Content-Disposition: attachment; filename*0="a"; filename*1="b"\n',
  'Merge-Type: list(append)+dict(recurse_array)\n',
  '\n',
  '\r\n',
  '--B\n',
  '--B--\n',
  '--C\n',
  '--C--\n',
  ' folded\n',
  '\tfolded\n',
  'From nobody\n',
  '#cloud-config\nruncmd: [ls]\n',
  '#!/bin/sh\necho hi\n',
  'SGVsbG8=\n',
  '=3D=\n',
  '=ZZ',
  '====',
  'aGk',
  ': ',
  ';',
  '"',
  '\u00ff',
  '\u0000',
];

test('MIME: only MimeError, naming the file and the line', () => {
  let rejected = 0;
  const arb = fc.oneof(
    textFrom(MIME_PIECES, 50),
    fc.array(fc.constantFrom(...MIME_PIECES), { maxLength: 50 }).map((a) => 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n' + a.join('')),
  );
  fuzz(
    'mime',
    arb,
    (text) => {
      const e = rejectsCleanly(() => parseMime(Buffer.from(text, 'utf8'), 'user-data.txt'), MimeError, 'user-data.txt', /^user-data\.txt:\d+: /);
      if (e !== null) rejected++;
    },
    5000,
  );
  assert.ok(rejected > 100, `the generator reaches the error paths (${rejected} rejections)`);
});

test('user-data as a whole (gzip, MIME, first lines): errors name the input', () => {
  const arb = fc.oneof(
    textFrom([...MIME_PIECES, '#include\n', '#cloud-config-archive\n', '## template: jinja\n', '#cloud-boothook\n', '#part-handler\n', '#upstart-job\n'], 40).map((t) => Buffer.from(t)),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    textFrom(MIME_PIECES, 30).map((t) => gzipSync(Buffer.from(t))),
    fc.tuple(textFrom(MIME_PIECES, 30), fc.nat({ max: 40 })).map(([t, cut]) => {
      const z = gzipSync(Buffer.from(t));
      return z.subarray(0, Math.max(2, z.length - cut));
    }),
  );
  fuzz(
    'user-data',
    arb,
    (raw) => {
      rejectsCleanly(() => splitUserdata(raw, 'user-data'), Error, 'user-data');
    },
    3000,
  );
});

test('user-data: a gzip bomb and oversized user-data are refused with the limit named', () => {
  // 100 MiB of zeros compresses to ~100 KiB.
  const bomb = gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BYTES + 1024 * 1024));
  assert.throws(() => splitUserdata(bomb, 'user-data'), /^Error: user-data: gzip data decompresses to more than 67108864 bytes \(the limit\); refused$/);
  // Nested: a gzip inside a gzip is only opened once (the inner one stays bytes).
  const nested = gzipSync(gzipSync(Buffer.alloc(1024 * 1024)));
  const parts = splitUserdata(nested, 'user-data');
  assert.ok(parts.length <= 1);
  assert.throws(() => splitUserdata(Buffer.alloc(16 * 1024 * 1024 + 1, 0x41), 'vendor-data'), /^Error: vendor-data: 16777217 bytes is more than the 16777216-byte limit; refused$/);
});

const JSON_PIECES = [
  '{',
  '}',
  '[',
  ']',
  '"uuid"',
  '"files"',
  '"public_keys"',
  '"hostname"',
  '"a"',
  ':',
  ',',
  '"',
  '\\',
  '\\u12',
  '\\uD800',
  '1e999',
  '-0',
  'true',
  'null',
  'NaN',
  ' ',
  '\n',
  '\t',
  '\ufeff',
  '0x10',
  '"\u0000"',
  '/*',
  '//',
];

test('meta_data.json: JSON errors carry line and col; parseOpenStackMetadata takes any JSON value', () => {
  let rejected = 0;
  fuzz(
    'json-text',
    textFrom(JSON_PIECES, 60),
    (text) => {
      const e = rejectsCleanly(() => parseJson(text, 'meta_data.json'), JsonError, 'meta_data.json', /^meta_data\.json line \d+ col \d+: not valid JSON: /);
      if (e !== null) rejected++;
    },
    5000,
  );
  assert.ok(rejected > 1000);

  const keyArb = fc.oneof(
    fc.constantFrom('uuid', 'hostname', 'files', 'public_keys', 'keys', 'availability_zone', 'dsmode', 'admin_pass', 'meta', 'random_seed', 'launch_index', '__proto__', 'constructor', 'toString'),
    fc.string({ maxLength: 8 }),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(keyArb, tie('v'), { maxKeys: 6 }),
    ),
  })).v;
  const md = fc.oneof(value, fc.dictionary(keyArb, value, { maxKeys: 10 }), fc.record({ uuid: fc.oneof(fc.string(), value), files: value, public_keys: value, hostname: value }, { requiredKeys: [] }));
  fuzz(
    'meta_data.json',
    md,
    (v) => {
      // JSON round trip: the metadata service gives JSON, so __proto__ arrives as an own key.
      const parsed = JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
      let meta: ReturnType<typeof parseOpenStackMetadata> | null = null;
      rejectsCleanly(() => (meta = parseOpenStackMetadata(parsed, 'http://127.0.0.1/openstack/latest/meta_data.json')), DatasourceError, 'http://127.0.0.1/openstack/latest/meta_data.json');
      if (meta !== null) {
        const m = meta as ReturnType<typeof parseOpenStackMetadata>;
        assert.equal(typeof m.instanceId, 'string');
        assert.ok(m.publicKeys.every((k) => typeof k === 'string'));
        assert.ok(!('admin_pass' in m.metadata), 'admin_pass never in metadata');
        assert.equal(Object.getPrototypeOf(m.metadata), Object.prototype);
      }
      normalizePublicKeys(parsed);
      rejectsCleanly(() => vendordataBytes(parsed, 'vendor_data.json'), DatasourceError, 'vendor_data.json');
    },
    4000,
  );
  fuzz('openstack-versions', fc.array(fc.string({ maxLength: 12 }), { maxLength: 10 }), (l) => assert.equal(typeof chooseOpenStackVersion(l), 'string'), 500);
});

const CMDLINE_PIECES = [
  ' ',
  '  ',
  '\t',
  '\n',
  'ro',
  'quiet',
  'root=/dev/vda1',
  'ds=nocloud',
  'ds=nocloud;s=http://127.0.0.1/',
  ';i=iid',
  ';h=host',
  ';seedfrom=',
  'ds=nocloud-net',
  'ci.ds=OpenStack',
  'ci.datasource=',
  'cloud-init=disabled',
  'cc:',
  'cc: ',
  ' end_cc',
  'end_cc',
  '\\n',
  'runcmd: [ls]',
  '"',
  '"a b"',
  '=',
  '==',
  ';',
  ';;',
  'network-config=',
  'ip=dhcp',
  'console=ttyS0,115200n8',
  '\u00e9',
  '\u0000',
];

test('kernel command line: cmdlineArgs, cc: end_cc, cloud-init=disabled, ds=nocloud never throw nor hang', () => {
  fuzz(
    'cmdline',
    textFrom(CMDLINE_PIECES, 60),
    (line) => {
      const args = cmdlineArgs(line);
      // Quotes group words as the kernel does ("a b" is one word) and are removed.
      for (const [k, v] of args) assert.ok(!k.includes('"') && !v.includes('"'), `a quote kept: ${JSON.stringify([k, v])}`);
      const cc = cmdlineCloudConfig(line);
      if (cc !== null) rejectsCleanly(() => loadYaml(cc, '/proc/cmdline'), YamlError, '/proc/cmdline');
      cmdlineDisabled(line);
      for (const [k, v] of args) if (k === 'ds') parseNoCloudArg(v);
      const nc = parseNoCloudArg(line);
      if (nc !== null) for (const v of Object.values(nc)) assert.equal(typeof v, 'string');
    },
    5000,
  );
  // The linear cc: scanner means what the former regex meant, on lines without a newline.
  const reference = (line: string): string | null => {
    const parts: string[] = [];
    for (const m of line.matchAll(/(?:^|\s)cc:\s?(.*?)(?:\s+end_cc(?=\s|$)|$)/g)) parts.push((m[1] ?? '').replace(/\\n/g, '\n'));
    return parts.length > 0 ? parts.join('\n') : null;
  };
  fuzz(
    'cmdline-cc',
    textFrom(['cc:', 'cc: ', ' ', '  ', '\t', 'end_cc', ' end_cc', 'end_cc ', 'a', 'b: 1', '\\n', 'xcc:'], 30).map((t) => t.replace(/[\n\r\u2028\u2029\u0085]/g, ' ')),
    (line) => {
      assert.equal(cmdlineCloudConfig(line), reference(line), JSON.stringify(line));
    },
    3000,
  );
  // The longest command lines the kernel accepts (COMMAND_LINE_SIZE is at most 64 KiB).
  for (const long of ['cc:' + ' '.repeat(65_000), 'cc: ' + 'a '.repeat(32_000), '"'.repeat(65_000), 'a='.repeat(32_000), 'ds=nocloud' + ';'.repeat(64_000)]) {
    cmdlineArgs(long);
    assert.equal(cmdlineCloudConfig(long), reference(long));
    parseNoCloudArg(long);
  }
});

// --- depth and size budgets at every JSON, YAML, MIME and gzip entry point ---------------

/** JSON nested `depth` levels (a mix of arrays and objects), with brackets inside strings as decoys, wrapped in `pad` lines. */
const nestedJson = fc.tuple(fc.integer({ min: 1, max: 600 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.nat({ max: 5 }), fc.boolean()).map(([depth, kinds, pad, decoy]) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const obj = kinds[i % kinds.length] as boolean;
    open += obj ? `{"k${i}":` : '[';
    close = (obj ? '}' : ']') + close;
  }
  const leaf = decoy ? JSON.stringify('[{'.repeat(300)) : '1';
  return { depth, text: `${'\n'.repeat(pad)}${open}${leaf}${close}` };
});

test('JSON depth: every JSON entry point reads 200 levels and refuses more with where, never a stack overflow', () => {
  let refused = 0;
  fuzz(
    'json-depth',
    nestedJson,
    ({ depth, text }) => {
      const e = rejectsCleanly(() => parseJson(text, 'meta_data.json'), JsonError, 'meta_data.json', /^meta_data\.json line \d+ col \d+: nested more than 200 levels deep/);
      assert.equal(e !== null, depth > MAX_JSON_DEPTH, `depth ${depth}`);
      if (e !== null) refused++;
      const url = 'http://127.0.0.1/latest/meta-data/iam/info';
      const h = rejectsCleanly(() => parseJsonBody(url, Buffer.from(text)), HttpError, url, /line \d+ col \d+: nested more than 200/);
      assert.equal(h !== null, depth > MAX_JSON_DEPTH);
      if (text.startsWith('{')) assert.equal(rejectsCleanly(() => decodeEc2Leaf(Buffer.from(text), url), HttpError, url) !== null, depth > MAX_JSON_DEPTH);
      const n = rejectsCleanly(() => parseText('network_data.json', text, 'network_data.json', new Map(), { read: () => null, list: () => [] }), NetConfigError, 'network_data.json');
      if (depth > MAX_JSON_DEPTH) assert.ok(n !== null && /nested more than 200/.test(n.message), n?.message);
    },
    400,
  );
  assert.ok(refused > 50, `${refused} refused`);
});

test('YAML and MIME depth: cloud-config, network-config and MIME nested past their limits are refused with where', () => {
  fuzz(
    'yaml-depth',
    fc.tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map')),
    ([depth, kind]) => {
      const src =
        kind === 'flow-seq'
          ? `a: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`
          : kind === 'flow-map'
            ? `a: ${'{k: '.repeat(depth)}1${'}'.repeat(depth)}\n`
            : kind === 'block-seq'
              ? `a:\n${Array.from({ length: depth }, (_, i) => `${'  '.repeat(i + 1)}-`).join('\n')} x\n`
              : `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n`;
      const e = rejectsCleanly(() => loadYaml(src, 'cloud-config.txt'), YamlError, 'cloud-config.txt');
      if (depth > 210) assert.ok(e !== null, `${kind} ${depth} levels read`);
      if (e !== null) assert.ok((e as YamlError).pos !== null, e.message);
    },
    300,
  );
  fuzz(
    'mime-depth',
    fc.integer({ min: 1, max: 120 }),
    (depth) => {
      let msg = '#cloud-config\nruncmd: [ls]\n';
      for (let i = depth; i > 0; i--)
        msg = `Content-Type: multipart/mixed; boundary="b${i}"\nMIME-Version: 1.0\n\n--b${i}\n${msg.startsWith('#') ? `Content-Type: text/cloud-config\n\n${msg}` : msg}\n--b${i}--\n`;
      const e = rejectsCleanly(() => parseMime(Buffer.from(msg), 'user-data.txt'), MimeError, 'user-data.txt', /^user-data\.txt:\d+: /);
      // The limit counts from the top message: 50 levels read, a few more refused.
      if (depth <= 50) assert.equal(e, null, `${depth} levels refused`);
      if (depth > 52) assert.ok(e !== null, `${depth} levels read`);
    },
    120,
  );
});

test('user-data budget: includes, gzip and gzip MIME parts together never hold more than the budget; each refusal names its URL', async () => {
  const quiet = () => {
    const errors: string[] = [];
    const log = new Logger({ file: () => undefined, stderr: () => undefined }, { stage: 'fuzz', debug: false, quiet: true });
    log.error = (m: string) => void errors.push(m);
    return { log, errors };
  };
  let refusals = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 64 * 1024, max: 1024 * 1024 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 300 * 1024 }), fc.constantFrom('plain', 'gzip', 'mime-gzip')), { minLength: 1, maxLength: 12 }),
      async (limit, bodies) => {
        const { log, errors } = quiet();
        const urls = bodies.map((_, i) => `http://127.0.0.1/p${i}`);
        const made = new Map(
          urls.map((u, i) => {
            const [size, form] = bodies[i] as [number, string];
            const text = Buffer.concat([Buffer.from('#cloud-config\n# '), Buffer.alloc(size, 0x61), Buffer.from('\n')]);
            if (form === 'plain') return [u, text];
            if (form === 'gzip') return [u, gzipSync(text)];
            // A MIME message whose one part is gzip (base64): decompressed in the same budget.
            const b64 = gzipSync(text).toString('base64').replace(/.{76}/g, '$&\n');
            return [u, Buffer.from(`Content-Type: multipart/mixed; boundary="G"\nMIME-Version: 1.0\n\n--G\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n${b64}\n--G--\n`)];
          }),
        );
        const budget = new UserdataBudget(limit);
        let top: ReturnType<typeof splitUserdata> = [];
        try {
          top = splitUserdata(Buffer.from(`#include\n${urls.join('\n')}\n`), 'user-data.txt', budget);
        } catch (e) {
          assert.match((e as Error).message, /^user-data\.txt: /);
          return;
        }
        const parts = await expandParts(top, { log, label: () => 'user-data.txt', budget, source: { fetch: async (u) => new Uint8Array(made.get(u) as Buffer), cache: null } });
        const held = parts.reduce((n, p) => n + p.body.length, 0);
        assert.ok(held <= limit, `${held} bytes held with a ${limit}-byte budget`);
        for (const m of errors) assert.match(m, /^user-data\.txt line \d+: http:\/\/127\.0\.0\.1\/p\d+( part \d+)?: .*(in all|the limit)/);
        refusals += errors.length;
        assert.equal(parts.length + errors.length, urls.length);
      },
    ),
    { numRuns: 150 },
  );
  process.stdout.write(`# fuzz user-data-budget: 150 inputs\n`);
  assert.ok(refusals > 20, `${refusals} refusals`);
});
