// renderJinja and jinjaVariables on plain values and against Jinja2 itself. The variables
// cloud-init's own code gives templates: jinja-reference.test.ts (full lane).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { renderJinja, renderJinjaPart, jinjaVariables, JinjaError, isJinjaTemplate } from './jinja.js';
import { ensurePackage } from '../../../../test/helpers/apt.js';
import { PYTHON3 } from '../../../../test/helpers/python.js';

const instanceData = {
  base64_encoded_keys: ['ds/meta_data/secret'],
  ds: { meta_data: { 'availability-zone': 'az-1', 'local-hostname': 'web01', secret: Buffer.from('s3cr3t').toString('base64'), tags: ['a', 'b'], n: 3 } },
  v1: { local_hostname: 'web01', region: 'eu-west', platform: 'openstack', instance_id: 'i-123', public_ssh_keys: ['ssh-ed25519 AAA x'] },
};
const vars = jinjaVariables(instanceData);

test('instance data: v1 keys at the top level, operator aliases, base64 keys decoded', () => {
  const v = vars as { local_hostname: string; ds: { meta_data: Record<string, unknown> } };
  assert.equal(v.local_hostname, 'web01');
  assert.equal(v.ds.meta_data.availability_zone, 'az-1');
  assert.equal(v.ds.meta_data['availability-zone'], 'az-1');
  assert.equal(v.ds.meta_data.secret, 's3cr3t');
});

test('a cloud-config template renders with the header dropped and the trailing newline kept', () => {
  const part = `## template: jinja
#cloud-config
hostname: {{ v1.local_hostname }}
fqdn: {{ ds.meta_data['local-hostname'] ~ '.example' | upper }}
{% if v1.platform == 'openstack' and v1.region in ['eu-west', 'us-east'] %}
runcmd:
{% for t in ds.meta_data.tags %}
  - echo {{ loop.index }} {{ t }}
{% endfor %}
{% elif not v1.region %}
bad: 1
{% else %}
other: {{ v1.region }}
{% endif %}
{# a comment #}
missing: {{ v1.nothing | default('none') }} {{ v1.nothing is defined }}
{% set k = v1.public_ssh_keys | length -%}
  
keys: {{ k }}
`;
  assert.equal(
    renderJinjaPart(part, vars),
    `#cloud-config
hostname: web01
fqdn: web01.EXAMPLE
runcmd:
  - echo 1 a
  - echo 2 b
missing: none False
keys: 1
`,
  );
  assert.equal(isJinjaTemplate('## Template: JINJA\n'), true);
  assert.equal(isJinjaTemplate('#cloud-config\n'), false);
});

test('undefined variables and unsupported constructs are errors naming the line', () => {
  const cases: Array<[string, RegExp]> = [
    ['## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostnam }}\n', /^user-data:3: undefined variable "v1.local_hostnam"/],
    ['## template: jinja\n\n{% if v1.nope == 1 %}x{% endif %}', /^user-data:3: undefined variable "v1.nope"/],
    ['## template: jinja\n{% macro m() %}{% endmacro %}', /^user-data:2: not supported: \{% macro %\}/],
    ['## template: jinja\n{{ v1.region | tojson }}', /^user-data:2: not supported: filter "tojson"/],
    ['## template: jinja\n{% if true %}\nx\n', /^user-data:2: \{% if true %\} is never closed \(expected \{% endif %\}\)/],
    ['## template: jinja\n\n\n{{ 1 * 2 }}', /^user-data:4: not supported: operator "\*"/],
    ['## template: jinja\n{{ v1.region ', /^user-data:2: "\{\{" is never closed/],
    ['## template: jinja\n{% endfor %}', /^user-data:2: \{% endfor %\} without a matching \{% for %\}/],
    ['#cloud-config\n', /^user-data:1: expected "## template: jinja"/],
  ];
  for (const [src, re] of cases)
    assert.throws(
      () => renderJinjaPart(src, vars),
      (e: unknown) => e instanceof JinjaError && re.test(e.message),
      src,
    );
});

// Templates rendered by Jinja2 itself with cloud-init's settings (trim_blocks, trailing
// newline kept) and StrictUndefined, so undefined variables fail on both sides.
const CORPUS = [
  'plain text\n',
  'a {{ x }} b\n',
  '{% if x %}\nyes\n{% else %}\nno\n{% endif %}\nafter\n',
  '{%- if x -%}\n  yes  \n{%- endif -%}\n  tail',
  '{% for i in l %}{{ i }},{% endfor %}\n',
  '{% for i in l %}\n- {{ loop.index0 }}/{{ loop.length }} {{ i }}{% if loop.last %}!{% endif %}\n{% endfor %}',
  '{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}\n',
  '{% for k in d %}{{ k }} {% else %}empty{% endfor %}|{% for k in e %}{{ k }}{% else %}empty{% endfor %}\n',
  '{{ l }} {{ d }} {{ n }} {{ f }} {{ t }} {{ none }} {{ s }}\n',
  '{{ "it\'s" }} {{ [s, "q\\"x"] }}\n',
  '{# comment #}\nx{# c2 #}y\n',
  '{{ s | upper }} {{ s | lower }} {{ l | length }} {{ l | join("-") }} {{ s | replace("l", "L") }} {{ l | first }} {{ l | last }}\n',
  '{{ u | default("dflt") }} {{ "" | default("b", true) }} {{ u is defined }} {{ x is not defined }} {{ none is none }}\n',
  '{{ n + 1 }} {{ n - 1 }} {{ -n }} {{ s ~ n }} {{ "a" + "b" }} {{ l + [9] }}\n',
  '{{ n == 3 }} {{ n != 3 }} {{ n < 4 }} {{ 1 < n < 4 }} {{ "b" in s }} {{ 2 in l }} {{ "a" in d }} {{ 7 not in l }}\n',
  '{{ x and s }} {{ none or "fallback" }} {{ not x }} {{ (n > 1) and (n < 2) }}\n',
  '{% set y = n * 2 %}{{ y }}',
  '{% set y = l | length %}{% for i in l %}{% set y = 100 %}{% endfor %}{{ y }}\n',
  '{{ d.a }} {{ d["b"] }} {{ l[0] }} {{ l[-1] }} {{ d.get("a") }} {{ d.get("zz", 5) }}\n',
  '{{ u }}\n',
  '{% if u %}x{% endif %}\n',
  'line\r\nwin\r\n{% if x %}\r\nX\r\n{% endif %}\r\n',
  '{{ s | int }} {{ "42" | int }} {{ f | int }} {{ t | string }}\n',
  '{{ "x" | center }}\n',
  '{% raw %}{{ x }}{% endraw %}\n',
  '{{ 1 if x else 2 }}\n',
  '{% for a, b in l %}{% endfor %}\n',
  '{{ d.keys() | list }}\n',
  '{{ s[0] }} {{ s.upper() }}\n',
];
const CORPUS_VARS = { x: true, l: [1, 2, 3], d: { a: 1, b: 'two' }, e: [], n: 3, f: 2.5, t: true, s: 'hello', none: null };

test('differential: the same output as Jinja2 on a corpus', (t) => {
  if (!ensurePackage('python3-jinja2')) return t.skip('python3-jinja2 could not be installed');
  const py = `
import json, sys, jinja2
out = []
data = json.load(sys.stdin)
for src in data['corpus']:
    try:
        add = '\\n' if src.endswith('\\n') else ''
        out.append({'ok': jinja2.Template(src, undefined=jinja2.StrictUndefined, trim_blocks=True).render(**data['vars']) + add})
    except Exception as e:
        out.append({'err': type(e).__name__ + ': ' + str(e)})
json.dump(out, sys.stdout)
`;
  const r = spawnSync(PYTHON3, ['-c', py], { input: JSON.stringify({ corpus: CORPUS, vars: CORPUS_VARS }), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Array<{ ok?: string; err?: string }>;
  CORPUS.forEach((src, i) => {
    const want = ref[i] as { ok?: string; err?: string };
    let got: string | null = null;
    let err: unknown = null;
    try {
      got = renderJinja(src, CORPUS_VARS, 'corpus');
    } catch (e) {
      err = e;
    }
    if (want.ok !== undefined && err !== null) {
      // Jinja2 renders it; nimbus may only refuse what it does not support.
      assert.ok(err instanceof JinjaError && /not supported/.test(err.message), `#${i} ${JSON.stringify(src)}: Jinja2 gives ${JSON.stringify(want.ok)}, nimbus ${String(err)}`);
    } else if (want.ok !== undefined) {
      assert.equal(got, want.ok, `#${i} ${JSON.stringify(src)}`);
    } else {
      assert.ok(err instanceof JinjaError, `#${i} ${JSON.stringify(src)}: Jinja2 fails (${want.err}), nimbus gives ${JSON.stringify(got)}`);
    }
  });
});

test('property: no template makes renderJinja throw anything but JinjaError', () => {
  const piece = fc.constantFrom(
    '{{',
    '}}',
    '{%',
    '%}',
    '{#',
    '#}',
    '-',
    'if ',
    'elif ',
    'else',
    'endif',
    'for ',
    ' in ',
    'endfor',
    'set ',
    '=',
    'x',
    'l',
    'd',
    'n',
    '.',
    '[',
    ']',
    '(',
    ')',
    '|',
    'default',
    'length',
    ' is ',
    'defined',
    'not ',
    'and ',
    'or ',
    '==',
    '~',
    '+',
    "'",
    '"',
    '\n',
    ' ',
    '1',
    'loop.index',
    'items()',
    ',',
  );
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.array(piece, { maxLength: 40 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(text, (src) => {
      try {
        renderJinja(src, CORPUS_VARS);
      } catch (e) {
        if (!(e instanceof JinjaError)) throw e;
      }
    }),
    { numRuns: 5000 },
  );
  assert.throws(() => renderJinja(`{{ ${'('.repeat(5000)} }}`, {}), JinjaError);
  assert.throws(() => renderJinja('{% if x %}'.repeat(5000), { x: true }), JinjaError);
});
