import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mergeConfig } from './merge.js';
import { parseModuleList, canonicalModuleName } from './modules-list.js';
import { cmdlineCloudConfig, cmdlineDisabled } from './cmdline.js';
import { loadSystemConfig } from './load.js';
import { createHost } from '../host/host.js';
import { distroFromOsRelease } from '../distro/detect.js';
import { tempDir } from '../../../../test/helpers/temp-root.js';

test('system config merge: dicts recurse, lists and scalars are replaced', () => {
  assert.deepEqual(mergeConfig({ a: { x: 1, y: [1] }, b: 1 }, { a: { y: [2], z: 3 }, c: 4 }), { a: { x: 1, y: [2], z: 3 }, b: 1, c: 4 });
});

test('module entries: name, [name, freq], {name, frequency}; bad entries reported, not fatal', () => {
  const { entries, errors } = parseModuleList(['write-files', ['runcmd', 'always'], { name: 'scripts-user', frequency: 'once' }, 42, ['x', 'weekly']], 'cloud_final_modules');
  assert.deepEqual(entries, [{ name: 'write_files' }, { name: 'runcmd', frequency: 'always' }, { name: 'scripts_user', frequency: 'once' }]);
  assert.equal(errors.length, 2);
  assert.match(errors[0] ?? '', /cloud_final_modules\[3\]: expected a module name/);
  assert.match(errors[1] ?? '', /cloud_final_modules\[4\]: frequency "weekly" is not one of/);
  assert.equal(canonicalModuleName('cc_ssh-import-id'), 'ssh_import_id');
});

test('kernel command line: cc: ... end_cc and the disable switch', () => {
  assert.equal(cmdlineCloudConfig('ro quiet cc: ssh_pwauth: true end_cc root=/dev/vda'), 'ssh_pwauth: true');
  assert.equal(cmdlineCloudConfig('cc: a: 1\\nb: 2 end_cc'), 'a: 1\nb: 2');
  assert.equal(cmdlineCloudConfig('ro quiet'), null);
  assert.ok(cmdlineDisabled('ro cloud-init=disabled quiet'));
  assert.ok(!cmdlineDisabled('ro cloud-init=enabled'));
});

test('cloud.cfg, then cloud.cfg.d in lexical order; a broken file is named and skipped', () => {
  const root = tempDir('nimbus-cfg-');
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg'), 'datasource_list: [NoCloud]\nsystem_info: {distro: debian, x: 1}\n');
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/90-b.cfg'), 'datasource_list: [ConfigDrive]\n');
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/10-a.cfg'), 'datasource_list: [None]\nsystem_info: {y: 2}\n');
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/50-bad.cfg'), 'a: [1,\n');
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/README'), 'not: read\n');
  const host = createHost({ root });
  const sys = loadSystemConfig(host, distroFromOsRelease({ ID: 'debian' }), ['None']);
  assert.deepEqual(sys.cfg.datasource_list, ['ConfigDrive']);
  assert.deepEqual(sys.cfg.system_info, { distro: 'debian', x: 1, y: 2 });
  assert.equal(sys.cfg.not, undefined);
  assert.equal(sys.errors.length, 1);
  assert.match(sys.errors[0] ?? '', /^\/etc\/cloud\/cloud.cfg.d\/50-bad.cfg:\d+:\d+: /);
  assert.equal(sys.source.where(['datasource_list']), '/etc/cloud/cloud.cfg.d/90-b.cfg line 1 col 1: ');
});

test('without cloud.cfg: the stock module lists of the distro family', () => {
  const root = tempDir('nimbus-cfg-');
  const host = createHost({ root });
  const deb = loadSystemConfig(host, distroFromOsRelease({ ID: 'debian' }), ['NoCloud', 'None']).cfg;
  assert.ok((deb.cloud_final_modules as string[]).includes('scripts-user'));
  assert.ok((deb.cloud_config_modules as string[]).includes('apt-configure'));
  assert.deepEqual(deb.datasource_list, ['NoCloud', 'None']);
  const rh = loadSystemConfig(host, distroFromOsRelease({ ID: 'rocky', VERSION_ID: '9.3' }), ['None']).cfg;
  assert.ok((rh.cloud_config_modules as string[]).includes('yum-add-repo'));
  assert.equal((rh.system_info as { default_user: { name: string } }).default_user.name, 'rocky');
});

test('mergeConfig: a key named __proto__ is a key, never the prototype', () => {
  const over = JSON.parse('{"__proto__": {"runcmd": ["from the prototype"]}, "a": 1}') as Record<string, unknown>;
  const merged = mergeConfig({ b: 2 }, over);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  assert.equal(merged['runcmd'], undefined);
  assert.deepEqual(Object.keys(merged).sort(), ['__proto__', 'a', 'b']);
});
