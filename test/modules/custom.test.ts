// Custom modules from /etc/cloud/modules.d: the example ws_virt_network_dep, the trust
// rules for files that run as root, and a broken module reported by file name while
// the other modules still run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { REPO, boot, driveWith, instanceDir, makeRoot, read, recorded, setUserData } from '../helpers/boot.js';
import { lookupModule } from '../../packages/core/src/modules/registry.js';
import { moduleFileNames } from '../../packages/core/src/modules/lib/custom-module-loader.js';
import { moduleSchema } from '../../packages/core/src/schema/cloud-config.js';

const EXAMPLE = path.join(REPO, 'examples/modules/ws-virt-network-dep.js');
const CFG =
  'hostname: web-1\nws_virt_network_dep:\n  web-1:\n    eth0:\n      - {ip: 192.0.2.10, netmask: 255.255.255.0, gateway: 192.0.2.1}\n      - {ip: 192.0.2.11, netmask: 255.255.255.0}\n    eth9:\n      - {ip: 198.51.100.5}\n  web-2:\n    eth0:\n      - {ip: 192.0.2.20}\n';

function install(root: string, name: string, text: string, mode = 0o644): string {
  const dir = path.join(root, 'etc/cloud/modules.d');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

test('the example ws_virt_network_dep: per host, per port, ip argv recorded', async () => {
  const k = makeKit();
  install(k.root, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
  fs.mkdirSync(path.join(k.root, 'sys/class/net/eth0'), { recursive: true });
  const { module, error } = lookupModule(k.host, 'ws_virt_network_dep');
  assert.equal(error, undefined);
  assert.ok(module !== null);
  assert.equal(module.frequency, 'always');
  assert.equal(moduleSchema(module).safeParse({ ws_virt_network_dep: { h: { eth0: [{ ip: '1.2.3.4' }] } } }).success, true);
  assert.equal(moduleSchema(module).safeParse({ ws_virt_network_dep: { h: { eth0: [{ nope: 1 }] } } }).success, false);
  await k.run(module, CFG);
  assert.deepEqual(k.argvs(), [
    ['ip', 'addr', 'replace', '192.0.2.10/24', 'dev', 'eth0', 'label', 'eth0:v0'],
    ['ip', 'route', 'replace', 'default', 'via', '192.0.2.1', 'dev', 'eth0', 'table', '100'],
    ['ip', 'rule', 'del', 'from', '192.0.2.10/32', 'table', '100'],
    ['ip', 'rule', 'add', 'from', '192.0.2.10/32', 'table', '100', 'priority', '1100'],
    ['ip', 'addr', 'replace', '192.0.2.11/24', 'dev', 'eth0', 'label', 'eth0:v1'],
  ]);
  assert.match(k.warnings().join(''), /port eth9 does not exist on this host; 198\.51\.100\.5 was not added/);
  const bad = makeKit();
  install(bad.root, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
  await bad.run(
    lookupModule(bad.host, 'ws_virt_network_dep').module!,
    'ws_virt_network_dep:\n  "*":\n    "eth0;x": [{ip: 1.2.3.4}]\n    eth1: [{ip: 10.0.0.5, netmask: 255.0.255.0}, {ip: 10.0.0.6, netmask: 255.255.255.0, gateway: 10.0.1.1}]\n',
  );
  const e = bad.errors().join('\n');
  assert.match(e, /"eth0;x" is not an interface name/);
  assert.match(e, /netmask "255\.0\.255\.0" is not an IPv4 netmask/);
  assert.match(e, /gateway 10\.0\.1\.1 is not in 10\.0\.0\.6\/24/);
  assert.deepEqual(bad.argvs(), []);
});

test('custom module files: only root-owned, not group/world-writable; a broken one names its file', () => {
  assert.deepEqual(moduleFileNames('my_mod'), ['my-mod.js', 'my_mod.js', 'my-mod.cjs', 'my_mod.cjs']);
  const k = makeKit();
  install(k.root, 'open-mod.js', "module.exports = { name: 'open_mod', frequency: 'always', keys: [], run() {} };\n", 0o666);
  assert.match(lookupModule(k.host, 'open_mod').error ?? '', /^\/etc\/cloud\/modules\.d\/open-mod\.js: not loaded: .*writable by others/);
  install(k.root, 'syntax-mod.js', 'module.exports = {;\n');
  assert.match(lookupModule(k.host, 'syntax_mod').error ?? '', /^\/etc\/cloud\/modules\.d\/syntax-mod\.js: could not be loaded: SyntaxError/);
  install(k.root, 'throws-mod.js', "throw new Error('boom');\n");
  assert.match(lookupModule(k.host, 'throws_mod').error ?? '', /throws-mod\.js: could not be loaded: Error: boom \(.*throws-mod\.js:1/);
  install(k.root, 'named-mod.js', "module.exports = { name: 'other', frequency: 'always', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'named_mod').error ?? '', /declares name "other"/);
  install(k.root, 'shape-mod.js', "module.exports = { name: 'shape_mod', frequency: 'sometimes', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'shape_mod').error ?? '', /frequency "sometimes" is not one of/);
  fs.chmodSync(path.join(k.root, 'etc/cloud/modules.d'), 0o777);
  install(k.root, 'fine-mod.js', "module.exports = { name: 'fine_mod', frequency: 'always', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'fine_mod').error ?? '', /modules\.d is writable by others/);
  assert.deepEqual(lookupModule(k.host, 'no_such_mod'), { module: null });
  assert.equal(lookupModule(k.host, 'runcmd').module?.name, 'runcmd');
});

test('custom module schemas: a builder (z) => schema, none (keys as they are), or a bad one', () => {
  const k = makeKit();
  install(k.root, 'built-mod.js', "module.exports = { name: 'built_mod', frequency: 'always', keys: ['built'], schema: (z) => z.object({ built: z.number().optional() }), run() {} };\n");
  const built = lookupModule(k.host, 'built_mod').module!;
  assert.equal(moduleSchema(built).safeParse({ built: 1 }).success, true);
  assert.equal(moduleSchema(built).safeParse({ built: 'x' }).success, false);
  assert.equal(moduleSchema(built), moduleSchema(built), 'built once');
  install(k.root, 'plain-mod.js', "module.exports = { name: 'plain_mod', frequency: 'always', keys: ['plain'], run() {} };\n");
  assert.equal(moduleSchema(lookupModule(k.host, 'plain_mod').module!).safeParse({ plain: { any: ['thing'] } }).success, true);
  install(k.root, 'odd-mod.js', "module.exports = { name: 'odd_mod', frequency: 'always', keys: [], schema: () => 42, run() {} };\n");
  assert.throws(() => moduleSchema(lookupModule(k.host, 'odd_mod').module!), /odd-mod\.js: schema\(z\) must return a zod schema/);
  install(k.root, 'bad-mod.js', "module.exports = { name: 'bad_mod', frequency: 'always', keys: [], schema: 'string', run() {} };\n");
  assert.match(lookupModule(k.host, 'bad_mod').error ?? '', /schema must be a zod schema/);
});

test('a boot with custom modules listed in cloud.cfg.d: the example runs, a broken one is an error, the rest run', () => {
  const drive = driveWith((d) => setUserData(d, `#cloud-config\n${CFG}runcmd: [[echo, hi]]\n`));
  const root = makeRoot({ drive });
  install(root, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
  install(root, 'broken.js', 'module.exports = (;\n');
  fs.mkdirSync(path.join(root, 'sys/class/net/eth0'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/90-ws.cfg'), 'cloud_config_modules: [broken, ws_virt_network_dep, runcmd]\n');
  const runs = boot(root);
  assert.equal(runs[2]?.code, 1, 'the config stage reports the broken module');
  assert.match(runs[2]?.stderr ?? '', /broken: \/etc\/cloud\/modules\.d\/broken\.js: could not be loaded: SyntaxError/);
  assert.ok(recorded(root).some((a) => a.join(' ') === 'ip addr replace 192.0.2.10/24 dev eth0 label eth0:v0'));
  assert.ok(read(root, `${instanceDir(root)}/scripts/runcmd`).includes("'echo' 'hi'"), 'runcmd still ran after the broken module');
});
