// test-lane: full (reference chroot: cloud-init 25.1's own cc_ansible)
// ansible against cloud-init's own handler: the same configurations (install, galaxy,
// ansible-pull, controller repositories and playbooks, run as root) through the
// reference's cc_ansible, its commands stubbed and recorded, give the commands nimbus
// records: the same argv, the playbook directory as the working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit } from './kit.js';
import { ansible } from '../../packages/core/src/modules/ansible.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { REF_MISSING, referenceBuilt, referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const HARNESS = `
import json, sys, types
from cloudinit.config import cc_ansible as m
cfg = json.loads(sys.argv[1])
calls = []
installed = []
distro = types.SimpleNamespace(install_packages=lambda p: (calls.append(['install', *p]), installed.append(True)))
def subp(argv, cwd=None, **kw):
    calls.append(([] if cwd is None else ['cwd=' + cwd]) + list(argv))
    return ('ansible-pull [core 2.14.18]\\n', '')
m.subp.subp = subp
m.subp.which = lambda c: '/usr/bin/ansible' if installed else None
m.sys.stdout = sys.stderr
m.handle('ansible', cfg, types.SimpleNamespace(distro=distro), [])
sys.__stdout__.write(json.dumps(calls))
`;

const CONFIGS = [
  ansible.examples[0] as string,
  `#cloud-config
ansible:
  install_method: distro
  package_name: ansible-core
  ansible_config: /etc/ansible/site.cfg
  galaxy:
    actions:
      - [ansible-galaxy, collection, install, community.general]
  pull:
    url: https://git.example.org/site.git
    playbook_name: site.yml
    checkout: main
    clean: true
    full: false
    sleep: "30"
  setup_controller:
    repositories:
      - path: /srv/play/
        source: https://git.example.org/play.git
    run_ansible:
      - playbook_dir: /srv/play
        playbook_name: site.yml
        forks: 2
        inventory: /srv/play/hosts
`,
];

test('ansible: the same configurations give the commands cloud-init 25.1 runs', async (t) => {
  const root = referenceRoot('trixie');
  if (!referenceBuilt() || !fs.existsSync(path.join(root, 'usr/lib/python3/dist-packages/cloudinit/config/cc_ansible.py'))) return t.skip(REF_MISSING);
  for (const ud of CONFIGS) {
    const cfg = loadYaml(ud, 'example').value as Record<string, unknown>;
    const py = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(cfg)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') } });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as string[][];
    const k = makeKit();
    k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
    await k.run(ansible, ud);
    const mine = k
      .argvs()
      .filter((a) => a[0] !== 'apt-cache' && !(a[0] === 'apt-get' && a.at(-1) === 'update'))
      .map((a) => (a[0] === 'apt-get' ? ['install', a.at(-1) as string] : a[0] === 'env' && a[1] === '-C' ? [`cwd=${a[2]}`, ...a.slice(3)] : a));
    assert.deepEqual(mine, ref);
  }
});
