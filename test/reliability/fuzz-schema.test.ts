// test-lane: full (fuzz campaign)
// `nimbus schema` on generated cloud-configs and network-configs: it never throws, and
// every problem names the file and a line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../packages/core/src/schema/check.js';
import { fuzz, textFrom } from './fuzz.js';

const KEYS = [
  'write_files',
  'runcmd',
  'bootcmd',
  'users',
  'groups',
  'hostname',
  'fqdn',
  'chpasswd',
  'password',
  'ssh_pwauth',
  'ssh_authorized_keys',
  'ssh_keys',
  'mounts',
  'swap',
  'resolv_conf',
  'manage_etc_hosts',
  'power_state',
  'final_message',
  'merge_how',
  'network',
  'version',
  'config',
  'ethernets',
  'name',
  'path',
  'content',
  'permissions',
  'owner',
  'encoding',
  'sudo',
  'lock_passwd',
  'list',
  'expire',
  'type',
  'subnets',
  'address',
  '__proto__',
  'constructor',
];
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('0644', '$(id)', 'root:root', '/etc/x', 'text/plain', 'b64', 'static', 'dhcp'));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 5 })),
})).v;

test('schema: any cloud-config or network-config gives problems with a file and a line:col, never an exception', () => {
  let problems = 0;
  const check = (type: 'cloud-config' | 'network-config', text: string) => {
    const r = checkText(type, text, 'user-data.yaml');
    for (const p of r.problems) {
      problems++;
      assert.equal(p.file, 'user-data.yaml');
      assert.ok(p.pos !== null && p.pos.line >= 1 && p.pos.col >= 1, `no position: ${JSON.stringify(p)}`);
      assert.ok(!/\n\s+at /.test(p.message), p.message);
    }
  };
  fuzz(
    'schema-cloud-config',
    fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }).map((d) => `#cloud-config\n${JSON.stringify(d, null, 1)}\n`),
    (t) => check('cloud-config', t),
    1500,
  );
  fuzz(
    'schema-network-config',
    fc.oneof(value, fc.record({ network: fc.record({ version: fc.constantFrom(1, 2, 3, '2'), config: value, ethernets: value }, { requiredKeys: [] }) })).map((d) => JSON.stringify(d)),
    (t) => check('network-config', t),
    1500,
  );
  fuzz(
    'schema-text',
    textFrom(
      ['#cloud-config\n', 'write_files:\n', '- ', '  path: ', 'runcmd: ', '[', ']', '{', '}', ':', '\n', '  ', 'users:\n', 'version: 2\n', 'ethernets:\n', '"', '&a ', '*a', '!!binary ', 'x'],
      40,
    ),
    (t) => {
      check('cloud-config', t);
      check('network-config', t);
    },
    1500,
  );
  assert.ok(problems > 500, `the generators reach the problems (${problems})`);
});
