// A key whose module is in none of the module lists is reported once, in the init
// stage, as configured but not run; the rhel family's built-in lists run resolv_conf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootExample, ROCKY9 } from './boot-example.js';
import { unlistedModuleKeys, unsupportedReporters } from '../../packages/core/src/schema/unlisted-keys.js';

test('a key whose module no list runs is found, with the module it needs; listed and not-implemented modules are not', () => {
  const cfg = {
    cloud_init_modules: ['write-files', 'ssh'],
    cloud_config_modules: ['snap', ['runcmd', 'always']],
    cloud_final_modules: [],
    wireguard: { interfaces: [] },
    manage_resolv_conf: true,
    resolv_conf: { nameservers: ['10.0.0.2'] },
    write_files: [],
    runcmd: [],
    snap: { commands: [] },
    updates: { network: { when: ['boot'] } },
    datasource_list: ['NoCloud'],
  };
  assert.deepEqual(unlistedModuleKeys(cfg), [
    { key: 'wireguard', modules: ['wireguard'] },
    { key: 'manage_resolv_conf', modules: ['resolv_conf'] },
    { key: 'resolv_conf', modules: ['resolv_conf'] },
  ]);
});

test('on Debian, wireguard configured in user-data is reported once as configured but not run, with its line', () => {
  const b = bootExample('#cloud-config\nruncmd: [[true]]\nwireguard:\n  interfaces:\n    - {name: wg0, config_path: /etc/wireguard/wg0.conf, content: x}\n');
  assert.equal(b.status, 'done');
  const st = JSON.parse(b.read('var/lib/cloud/data/status.json')) as { v1: { init: { recoverable_errors: { WARNING: string[] } } } };
  assert.equal(st.v1.init.recoverable_errors.WARNING.filter((w) => /configured but not run: wireguard/.test(w)).length, 1);
  const log = b.read('var/log/cloud-init.log');
  const lines = log.split('\n').filter((l) => /configured but not run: wireguard/.test(l));
  assert.equal(lines.length, 1, log);
  assert.match(lines[0] ?? '', /line 3 .*module wireguard is in none of the module lists/);
});

test("on a rhel-family image, the built-in lists run resolv_conf: the seeds' manage_resolv_conf writes /etc/resolv.conf", () => {
  const b = bootExample('#cloud-config\nmanage_resolv_conf: true\nresolv_conf:\n  nameservers: [10.0.0.2]\n', { osRelease: ROCKY9 });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.match(b.read('etc/resolv.conf'), /^nameserver 10\.0\.0\.2$/m);
});

test('reporters other than log are "not supported" (nimbus reports to cloud-init.log and the journal)', () => {
  assert.deepEqual(unsupportedReporters({ reporting: { logging: { type: 'log' }, hook: { type: 'webhook', endpoint: 'http://x' }, hv: { type: 'hyperv' } } }), [
    ['hook', 'webhook'],
    ['hv', 'hyperv'],
  ]);
  assert.deepEqual(unsupportedReporters({}), []);
});
