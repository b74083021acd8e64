// test-lane: full (the reference chroot: cloud-init 22.4's own Python)
// jinjaVariables against cloud-init's convert_jinja_instance_data from Debian's package
// in the reference chroot: the same variables, aliases and decoded keys for templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { jinjaVariables } from './jinja.js';
import { REF_MISSING, REF_PYTHON } from '../../../../test/helpers/reference.js';
import { PYTHON3 } from '../../../../test/helpers/python.js';

test('differential: jinjaVariables gives the variables cloud-init gives templates', (t) => {
  const ref = REF_PYTHON;
  if (!existsSync(`${ref}/cloudinit/handlers/jinja_template.py`)) return t.skip(REF_MISSING);
  const data = {
    'base64-encoded-keys': ['ds/user_data'],
    ds: { 'meta-data': { 'instance-id': 'i-1', 'local.host': 'h', nested: { 'a-b': [1, { 'c.d': 2 }] } }, user_data: Buffer.from('#cloud-config\n').toString('base64') },
    v1: { local_hostname: 'h', 'cloud-name': 'openstack', v1_0: 'x' },
    v2: { extra: true },
    'x+y': 1,
    'a==b': 2,
    merged_cfg: { 'a//b': 3 },
  };
  const py = `
import importlib.util, json, sys
from cloudinit.handlers.jinja_template import convert_jinja_instance_data
d = json.load(sys.stdin)
json.dump(convert_jinja_instance_data(d, decode_paths=d.get('base64-encoded-keys', []), include_key_aliases=True), sys.stdout)
`;
  const r = spawnSync(PYTHON3, ['-c', py], { input: JSON.stringify(data), encoding: 'utf8', env: { ...process.env, PYTHONPATH: ref } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(JSON.stringify(jinjaVariables(data))), JSON.parse(r.stdout));
});
