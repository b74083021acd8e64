// test-lane: full (reference chroot: cloud-init 25.1's own cc_chef and its template)
// chef against cloud-init's own: client.rb built in is what the reference's stock
// chef_client.rb template renders for the same parameters, and the documented example
// (every path moved into a temp directory, the downloads and commands stubbed) through
// the reference's cc_chef gives the files and steps nimbus gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { chef, renderClientRb, runChef, templateParams } from '../../packages/core/src/modules/chef.js';
import { renderJinjaPart } from '../../packages/core/src/userdata/jinja.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { REF_MISSING, REF_ROOT, referenceBuilt, referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-root.js';

test('chef: client.rb is what the stock chef_client.rb template of cloud-init renders', (t) => {
  const tplFile = path.join(REF_ROOT, 'etc/cloud/templates/chef_client.rb.tmpl');
  if (!referenceBuilt() || !fs.existsSync(tplFile)) return t.skip(REF_MISSING);
  const tpl = fs.readFileSync(tplFile, 'utf8');
  for (const cfg of [
    { server_url: 'https://s', validation_name: 'v' },
    { server_url: 'https://s', validation_name: 'v', validation_cert: 'system', chef_license: 'accept', show_time: false, log_level: null, encrypted_data_bag_secret: '/e' },
  ]) {
    const { params } = templateParams(cfg, 'iid-1', '# header');
    assert.equal(renderClientRb(params), renderJinjaPart(tpl, params, 'chef_client.rb.tmpl'));
  }
});

const HARNESS = `
import json, sys, os, types
from cloudinit.config import cc_chef as m
from cloudinit import util
cfg, d, tpl = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
# Nothing may be written outside the temp directory.
real_ensure, real_write = util.ensure_dir, util.write_file
def inside(p):
    assert os.path.abspath(p).startswith(d + '/'), p
def ensure_dir(p, *a, **kw):
    inside(p); return real_ensure(p, *a, **kw)
def write_file(p, *a, **kw):
    inside(p); return real_write(p, *a, **kw)
m.util.ensure_dir = ensure_dir
m.util.write_file = write_file
m.util.ensure_dirs = lambda ps: [ensure_dir(p) for p in ps]
m.REQUIRED_CHEF_DIRS = (d + '/etc/chef',)
m.CHEF_DIR_MIGRATION = {}
m.util.make_header = lambda: '# header'
calls = []
distro = types.SimpleNamespace(install_packages=lambda p: calls.append(['install', *p]))
m.url_helper.readurl = lambda url, retries: (calls.append(['download', url, str(retries)]), types.SimpleNamespace(contents=b'#!/bin/sh\\n'))[1]
m.subp_blob_in_tempfile = lambda blob, distro, args, **kw: calls.append([kw.get('basename'), *args])
m.subp.subp = lambda argv, **kw: calls.append(list(argv))
m.subp.is_exe = lambda p: False
cloud = types.SimpleNamespace(distro=distro, get_template_filename=lambda n: tpl, datasource=types.SimpleNamespace(get_instance_id=lambda: 'iid-kit-1'))
m.handle('chef', cfg, cloud, [])
files = {}
for root, _, names in os.walk(d):
    for f in names:
        p = os.path.join(root, f)
        files[os.path.relpath(p, d)] = open(p).read()
print(json.dumps({'files': files, 'calls': calls}))
`;

const PATH_KEYS = ['validation_key', 'config_path', 'firstboot_path', 'log_location', 'client_key', 'json_attribs', 'file_cache_path', 'file_backup_path', 'pid_file'];
const DEFAULTS: Record<string, string> = {
  validation_key: '/etc/chef/validation.pem',
  config_path: '/etc/chef/client.rb',
  firstboot_path: '/etc/chef/firstboot.json',
  log_location: '/var/log/chef/client.log',
  client_key: '/etc/chef/client.pem',
  json_attribs: '/etc/chef/firstboot.json',
  file_cache_path: '/var/chef/cache',
  file_backup_path: '/var/chef/backup',
  pid_file: '/var/run/chef/client.pid',
};

test('chef: the documented example gives the files and steps cloud-init 25.1 gives', async (t) => {
  const root = referenceRoot('trixie');
  const tpl = path.join(root, 'etc/cloud/templates/chef_client.rb.tmpl');
  if (!referenceBuilt() || !fs.existsSync(tpl)) return t.skip(REF_MISSING);
  for (const example of chef.examples) {
    const d = tempDir('nimbus-chef-ref-');
    // Every path of the example, and every default path, moved under D for cloud-init.
    const cfg = loadYaml(example, 'example').value as { chef: Record<string, unknown> };
    const moved = structuredClone(cfg);
    for (const k of PATH_KEYS) moved.chef[k] = `${d}${(cfg.chef[k] as string | undefined) ?? DEFAULTS[k]}`;
    if (typeof cfg.chef.encrypted_data_bag_secret === 'string') moved.chef.encrypted_data_bag_secret = `${d}${cfg.chef.encrypted_data_bag_secret}`;
    moved.chef.directories = ((cfg.chef.directories as string[] | undefined) ?? ['/etc/chef', '/var/log/chef', '/var/lib/chef', '/var/chef/cache', '/var/chef/backup', '/var/run/chef']).map(
      (x) => `${d}${x}`,
    );
    const py = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(moved), d, tpl], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') } });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { files: Record<string, string>; calls: string[][] };
    const k = makeKit();
    k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
    k.write('etc/cloud/templates/chef_client.rb.tmpl', fs.readFileSync(tpl, 'utf8'));
    const ctx = await k.run({ ...chef, run: () => undefined }, example);
    const downloads: string[] = [];
    await runChef(ctx, {
      fetchOnce: async (u) => {
        downloads.push(u);
        return { ok: true, body: Buffer.from('#!/bin/sh\n') };
      },
      pause: async () => undefined,
    });
    if (example.includes('delete_validation_post_exec: true')) {
      // A difference (modules.md): cloud-init removes /etc/chef/validation.pem whatever
      // validation_key says, so the moved key stays; nimbus removes the key it wrote.
      assert.ok(!fs.existsSync(path.join(k.root, 'etc/chef/validation.pem')));
      delete ref.files['etc/chef/validation.pem'];
    }
    for (const [f, text] of Object.entries(ref.files)) {
      const mine = path.join(k.root, f);
      assert.ok(fs.existsSync(mine), `nimbus wrote ${f}`);
      // client.rb names the paths: D/... on cloud-init's side.
      // The header line carries each one's name, version and time.
      assert.equal(fs.readFileSync(mine, 'utf8').replace(/^# Created by cloud-init v\. .*$/m, '# header'), text.split(d).join(''), f);
    }
    const mineCalls = k
      .argvs()
      .filter((a) => a[0] !== 'apt-cache' && !(a[0] === 'apt-get' && a.at(-1) === 'update'))
      .map((a) => (a[0] === 'apt-get' || a[0] === 'dnf' ? ['install', a.at(-1) as string] : a[0]?.endsWith('chef-omnibus-install') ? ['chef-omnibus-install', ...a.slice(1)] : a));
    const refCalls = ref.calls.filter((c) => c[0] !== 'download');
    assert.deepEqual(mineCalls, refCalls);
    assert.deepEqual(
      downloads,
      ref.calls.filter((c) => c[0] === 'download').map((c) => c[1]),
    );
  }
});
