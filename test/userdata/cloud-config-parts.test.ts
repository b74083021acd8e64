// test-lane: full (the reference chroot: cloud-init's own merge code)
// Multipart user-data with several cloud-config parts, each asking for its own merging
// (merge_how / merge_type in the part, Merge-Type / X-Merge-Type headers, or nothing),
// read and merged by nimbus (parseMime, loadYaml, mergeCloudConfigPart) and by
// cloud-init's own user-data processor and cloud-config handler: the merged configs
// must be the same. A part that fails is skipped on both sides, as cloud-init does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { composeMime, loadYaml, mergeCloudConfigPart, MergeError, MergeHowError, parseMime, type CloudConfig, type MimeHeader } from '../../packages/core/src/index.js';
import { REF_MISSING, REF_PYTHON } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const REF = REF_PYTHON;

const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.integer({ min: 0, max: 9 }), fc.constantFrom('a', 'b', 'echo hi'), fc.constant(null), tie('list'), tie('map')),
  list: fc.array(tie('v'), { maxLength: 3 }),
  map: fc.dictionary(fc.constantFrom('x', 'y'), tie('v'), { maxKeys: 2 }),
})).v;
const config = fc.dictionary(fc.constantFrom('runcmd', 'packages', 'hostname', 'users'), value, { maxKeys: 3 });
const options = fc.tuple(
  fc.subarray(['replace', 'no_replace', 'allow_delete', 'recurse_list', 'recurse_str']),
  fc.subarray(['append', 'prepend', 'no_replace', 'recurse_dict']),
  fc.subarray(['append']),
);
const howString = options.map(([d, l, s]) => `list(${l.join(',')})+dict(${d.join(',')})+str(${s.join(',')})`);
const howList = options.map(([d, l, s]) => [
  { name: 'list', settings: l },
  { name: 'dict', settings: d },
  { name: 'str', settings: s },
]);
const part = fc.record({
  config,
  inPart: fc.option(fc.tuple(fc.constantFrom('merge_how', 'merge_type'), fc.oneof(howString, howList)), { nil: undefined }),
  header: fc.option(fc.tuple(fc.constantFrom('Merge-Type', 'X-Merge-Type'), howString), { nil: undefined }),
});

type Part = { config: Record<string, unknown>; inPart: [string, unknown] | undefined; header: [string, string] | undefined };

function message(parts: Part[]): Buffer {
  return composeMime(
    parts.map((p, i) => {
      const body = { ...JSON.parse(JSON.stringify(p.config)) } as Record<string, unknown>;
      if (p.inPart) body[p.inPart[0]] = p.inPart[1];
      const headers: MimeHeader[] = p.header ? [{ name: p.header[0], value: p.header[1] }] : [];
      // JSON is YAML that PyYAML and loadYaml read alike.
      return { contentType: 'text/cloud-config', body: `#cloud-config\n${JSON.stringify(body)}\n`, filename: `part-${i}`, headers };
    }),
  );
}

function nimbusMerge(msg: Buffer): { config: CloudConfig; refused: number } {
  let config: CloudConfig = {};
  let refused = 0;
  for (const p of parseMime(msg)) {
    const { value: v } = loadYaml(p.body.toString('utf8'), p.filename ?? 'part');
    try {
      config = mergeCloudConfigPart(config, v, p.mergeType, p.filename ?? 'part');
    } catch (e) {
      if (!(e instanceof MergeError || e instanceof MergeHowError)) throw e;
      refused++;
    }
  }
  return { config, refused };
}

const PY = `
import importlib.util, json, sys
from cloudinit import user_data, util
from cloudinit.handlers.cloud_config import CloudConfigPartHandler
out = []
for raw in json.load(sys.stdin):
    proc = user_data.UserDataProcessor.__new__(user_data.UserDataProcessor)
    msg = proc.process(raw.encode())
    h = CloudConfigPartHandler.__new__(CloudConfigPartHandler)
    h.cloud_buf = None
    h.file_names = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() != 'text/cloud-config':
            continue
        h.handle_part(None, part.get_content_type(), part.get_filename(), util.fully_decoded_payload(part), None, dict(part))
    out.append(h.cloud_buf)
json.dump(out, sys.stdout)
`;

test('differential: multipart cloud-config parts merge as cloud-init merges them', (t) => {
  if (!existsSync(`${REF}/cloudinit/handlers/cloud_config.py`)) return t.skip(REF_MISSING);
  const cases = fc.sample(fc.array(part, { minLength: 1, maxLength: 4 }), { numRuns: 300, seed: 7 }) as Part[][];
  const messages = cases.map((c) => message(c));
  const r = spawnSync(PYTHON3, ['-c', PY], { input: JSON.stringify(messages.map((m) => m.toString('utf8'))), encoding: 'utf8', env: { ...process.env, PYTHONPATH: REF }, maxBuffer: 64 << 20 });
  if (r.status !== 0 && /No module named/.test(r.stderr)) return t.skip(`cloud-init's modules cannot load here: ${r.stderr.split('\n').slice(-2).join(' ')}`);
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as unknown[];
  let compared = 0;
  messages.forEach((m, i) => {
    const ours = nimbusMerge(m);
    // Where nimbus refuses a part that cloud-init merges somehow, the results may differ.
    if (ours.refused > 0) return;
    compared++;
    assert.deepEqual(ours.config, ref[i] ?? {}, `case ${i}: ${m.toString('utf8')}`);
  });
  assert.ok(compared > cases.length * 0.8, `only ${compared} of ${cases.length} compared`);
  t.diagnostic(`${compared} of ${cases.length} compared; ${ref.filter((x) => x !== null && JSON.stringify(x) !== '{}').length} non-empty`);
});
