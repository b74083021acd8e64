// Custom modules from /etc/cloud/modules.d: the example ws_virt_network_dep, the trust
// rules for files that run as root, and a broken module reported by file name while
// the other modules still run. A tree given to --root never has its own modules run on
// this machine: runs on temp trees take them from NIMBUS_MODULES_DIR, a directory of the host.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { tempDir } from '../helpers/temp-root.js';
import { REPO, boot, driveWith, instanceDir, makeRoot, read, recorded, setUserData } from '../helpers/boot.js';
import { lookupModule } from '../../packages/core/src/modules/registry.js';
import { moduleFileNames } from '../../packages/core/src/modules/lib/custom-module-loader.js';
import { moduleSchema } from '../../packages/core/src/schema/cloud-config.js';

const EXAMPLE = path.join(REPO, 'examples/modules/ws-virt-network-dep.js');
const CFG =
  'hostname: web-1\nws_virt_network_dep:\n  web-1:\n    eth0:\n      - {ip: 192.0.2.10, netmask: 255.255.255.0, gateway: 192.0.2.1}\n      - {ip: 192.0.2.11, netmask: 255.255.255.0}\n    eth9:\n      - {ip: 198.51.100.5}\n  web-2:\n    eth0:\n      - {ip: 192.0.2.20}\n';

/**
 * A directory of this machine's custom modules for runs on a temp tree (NIMBUS_MODULES_DIR,
 * inherited by the stages the test starts): a tree's own modules are never run.
 */
function hostModules(): string {
  const dir = tempDir('nimbus-mods-');
  fs.chmodSync(dir, 0o755);
  process.env.NIMBUS_MODULES_DIR = dir;
  return dir;
}

// The fast lane runs several test files in one process (scripts/run-tests.mjs).
after(() => {
  delete process.env.NIMBUS_MODULES_DIR;
});

function install(dir: string, name: string, text: string, mode = 0o644): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

test('the example ws_virt_network_dep: per host, per port, ip argv recorded', async () => {
  const mods = hostModules();
  const k = makeKit();
  install(mods, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
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
  install(mods, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
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
  const mods = hostModules();
  assert.deepEqual(moduleFileNames('my_mod'), ['my-mod.js', 'my_mod.js', 'my-mod.cjs', 'my_mod.cjs']);
  const k = makeKit();
  install(mods, 'open-mod.js', "module.exports = { name: 'open_mod', frequency: 'always', keys: [], run() {} };\n", 0o666);
  assert.match(lookupModule(k.host, 'open_mod').error ?? '', new RegExp(`^${mods}/open-mod\\.js: not loaded: .*writable by others`));
  install(mods, 'syntax-mod.js', 'module.exports = {;\n');
  assert.match(lookupModule(k.host, 'syntax_mod').error ?? '', new RegExp(`^${mods}/syntax-mod\\.js: could not be loaded: SyntaxError`));
  install(mods, 'throws-mod.js', "throw new Error('boom');\n");
  assert.match(lookupModule(k.host, 'throws_mod').error ?? '', /throws-mod\.js: could not be loaded: Error: boom \(.*throws-mod\.js:1/);
  install(mods, 'named-mod.js', "module.exports = { name: 'other', frequency: 'always', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'named_mod').error ?? '', /declares name "other"/);
  install(mods, 'shape-mod.js', "module.exports = { name: 'shape_mod', frequency: 'sometimes', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'shape_mod').error ?? '', /frequency "sometimes" is not one of/);
  fs.chmodSync(mods, 0o777);
  install(mods, 'fine-mod.js', "module.exports = { name: 'fine_mod', frequency: 'always', keys: [], run() {} };\n");
  assert.match(lookupModule(k.host, 'fine_mod').error ?? '', new RegExp(`${mods} is writable by others`));
  assert.deepEqual(lookupModule(k.host, 'no_such_mod'), { module: null });
  assert.equal(lookupModule(k.host, 'runcmd').module?.name, 'runcmd');
});

test('custom module schemas: a builder (z) => schema, none (keys as they are), or a bad one', () => {
  const mods = hostModules();
  const k = makeKit();
  install(mods, 'built-mod.js', "module.exports = { name: 'built_mod', frequency: 'always', keys: ['built'], schema: (z) => z.object({ built: z.number().optional() }), run() {} };\n");
  const built = lookupModule(k.host, 'built_mod').module!;
  assert.equal(moduleSchema(built).safeParse({ built: 1 }).success, true);
  assert.equal(moduleSchema(built).safeParse({ built: 'x' }).success, false);
  assert.equal(moduleSchema(built), moduleSchema(built), 'built once');
  install(mods, 'plain-mod.js', "module.exports = { name: 'plain_mod', frequency: 'always', keys: ['plain'], run() {} };\n");
  assert.equal(moduleSchema(lookupModule(k.host, 'plain_mod').module!).safeParse({ plain: { any: ['thing'] } }).success, true);
  install(mods, 'odd-mod.js', "module.exports = { name: 'odd_mod', frequency: 'always', keys: [], schema: () => 42, run() {} };\n");
  assert.throws(() => moduleSchema(lookupModule(k.host, 'odd_mod').module!), /odd-mod\.js: schema\(z\) must return a zod schema/);
  install(mods, 'bad-mod.js', "module.exports = { name: 'bad_mod', frequency: 'always', keys: [], schema: 'string', run() {} };\n");
  assert.match(lookupModule(k.host, 'bad_mod').error ?? '', /schema must be a zod schema/);
});

test('a boot with custom modules listed in cloud.cfg.d: the example runs, a broken one is an error, the rest run', () => {
  const mods = hostModules();
  const drive = driveWith((d) => setUserData(d, `#cloud-config\n${CFG}runcmd: [[echo, hi]]\n`));
  const root = makeRoot({ drive });
  install(mods, 'ws-virt-network-dep.js', fs.readFileSync(EXAMPLE, 'utf8'));
  install(mods, 'broken.js', 'module.exports = (;\n');
  fs.mkdirSync(path.join(root, 'sys/class/net/eth0'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/cloud/cloud.cfg.d/90-ws.cfg'), 'cloud_config_modules: [broken, ws_virt_network_dep, runcmd]\n');
  const runs = boot(root);
  assert.equal(runs[2]?.code, 1, 'the config stage reports the broken module');
  assert.match(runs[2]?.stderr ?? '', /broken: \/.*\/broken\.js: could not be loaded: SyntaxError/);
  assert.ok(recorded(root).some((a) => a.join(' ') === 'ip addr replace 192.0.2.10/24 dev eth0 label eth0:v0'));
  assert.ok(read(root, `${instanceDir(root)}/scripts/runcmd`).includes("'echo' 'hi'"), 'runcmd still ran after the broken module');
});

test('with --root TREE, a custom module that user-data wrote into the tree is refused and never runs on this machine', () => {
  delete process.env.NIMBUS_MODULES_DIR;
  const marker = path.join(tempDir('nimbus-marker-'), 'ran-on-host');
  // What an attacker's user-data writes: a module in the tree's modules.d, and the list naming it.
  const evil = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned');\nmodule.exports = { name: 'tree_mod', frequency: 'always', keys: [], alwaysRun: true, run() {} };\n`;
  const userData = [
    '#cloud-config',
    'write_files:',
    '  - path: /etc/cloud/modules.d/tree-mod.js',
    '    permissions: "0644"',
    '    content: |',
    ...evil
      .trimEnd()
      .split('\n')
      .map((l) => `      ${l}`),
    '  - path: /etc/cloud/cloud.cfg.d/95-tree.cfg',
    '    content: "cloud_final_modules: [tree_mod, final_message]\\n"',
  ].join('\n');
  const root = makeRoot({ drive: driveWith((d) => setUserData(d, `${userData}\n`)) });
  // The tree's packaged directory as well.
  fs.mkdirSync(path.join(root, 'usr/lib/nimbus/modules'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/lib/nimbus/modules/pkg-mod.js'), evil.replace('tree_mod', 'pkg_mod'));
  const runs = boot(root);
  assert.ok(fs.existsSync(path.join(root, 'etc/cloud/modules.d/tree-mod.js')), 'write_files wrote the module into the tree');
  assert.equal(fs.existsSync(marker), false, 'code from the tree ran on this machine');
  assert.match(runs[3]?.stderr ?? '', /\/etc\/cloud\/modules\.d\/tree-mod\.js: not loaded: with --root .*never runs code from a tree on this machine/);
  const k = makeKit();
  fs.mkdirSync(path.join(k.root, 'usr/lib/nimbus/modules'), { recursive: true });
  fs.writeFileSync(path.join(k.root, 'usr/lib/nimbus/modules/pkg-mod.js'), evil.replace('tree_mod', 'pkg_mod'));
  assert.match(lookupModule(k.host, 'pkg_mod').error ?? '', /^\/usr\/lib\/nimbus\/modules\/pkg-mod\.js: not loaded: with --root /);
  assert.equal(fs.existsSync(marker), false);
});
