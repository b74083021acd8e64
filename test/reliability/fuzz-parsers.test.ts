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
import { MAX_DECOMPRESSED_BYTES } from '../../packages/core/src/userdata/limits.js';
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
