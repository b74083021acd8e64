// ansible: the documented examples booted on Debian with the final modules of cloud-init's
// template, the commands recorded (install, ansible-pull, galaxy, git clone,
// ansible-playbook, su for run_user), and bad input named by its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKit } from './kit.js';
import { bootExample, DEBIAN12, ROCKY9 } from './boot-example.js';
import { UPSTREAM_FINAL_CFG } from './upstream-lists.js';
import { ansible, ansibleVersion, readAnsible } from '../../packages/core/src/modules/ansible.js';
import { runAsArgv } from '../../packages/core/src/modules/lib/run-as.js';

const example = (needle: string) => ansible.examples.find((e) => e.includes(needle)) as string;
const APT = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--option=Dpkg::options::=--force-unsafe-io', '--assume-yes', '--quiet'];
const mine = (argvs: string[][]) => argvs.filter((a) => /^(apt-get|dnf|ansible|git|su|env|\/usr\/bin\/python3)/.test(a[0] as string));

test('ansible: the documented distro example installs ansible-core with apt and runs ansible-pull with the url and the playbooks', () => {
  const b = bootExample(example('install_method: distro'), { osRelease: DEBIAN12, files: { ...UPSTREAM_FINAL_CFG, 'usr/bin/apt-get': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(mine(b.argvs), [
    [...APT, 'update'],
    [...APT, 'install', 'ansible-core'],
    ['ansible-pull', '--version'],
    ['ansible-pull', '--url=https://github.com/holmanb/vmboot.git', 'ubuntu.yml watermark.yml'],
  ]);
});

test('ansible: the documented pip example on Rocky installs pip with dnf, then ansible-core with pip, then runs ansible-pull', () => {
  const b = bootExample(example('install_method: pip'), { osRelease: ROCKY9, files: { ...UPSTREAM_FINAL_CFG, 'usr/bin/dnf': { text: '#!/bin/sh\n', mode: 0o755 } } });
  assert.equal(b.status, 'done', b.runs.map((r) => r.stderr).join(''));
  assert.deepEqual(mine(b.argvs), [
    ['/usr/bin/python3', '-m', 'pip', 'list'],
    ['dnf', '-y', 'install', 'python3-pip'],
    ['/usr/bin/python3', '-m', 'pip', 'install', '--upgrade', 'pip'],
    ['/usr/bin/python3', '-m', 'pip', 'install', 'ansible-core'],
    ['ansible-pull', '--version'],
    ['ansible-pull', '--url=https://github.com/holmanb/vmboot.git', 'ubuntu.yml'],
  ]);
});

test('ansible: the controller example runs galaxy, git clone and ansible-playbook as run_user through su, in the playbook directory', async () => {
  const k = makeKit();
  k.write('usr/lib/python3/dist-packages/pip/__init__.py', '');
  k.write('usr/lib/python3.13/EXTERNALLY-MANAGED', '[externally-managed]\n');
  await k.run(ansible, example('setup_controller'));
  const su = (line: string) => ['su', '-', 'ansible', '-c', line];
  assert.deepEqual(k.argvs(), [
    su("env PATH=$PATH /usr/bin/python3 -c 'import site; print(site.getuserbase())'"),
    su('env PATH=$PATH /usr/bin/python3 -m pip list --user'),
    su('env PATH=$PATH /usr/bin/python3 -m pip install --break-system-packages --user --upgrade pip'),
    su('env PATH=$PATH /usr/bin/python3 -m pip install --break-system-packages --user ansible'),
    su('env PATH=$PATH ansible-galaxy collection install community.general'),
    su('env PATH=$PATH git clone https://github.com/holmanb/ansible-lxd-public.git /home/ansible/public/'),
    su('cd /home/ansible/public && env PATH=$PATH ansible-playbook start-lxd.yml --timeout=200 --forks=1 --private-key=/home/ansible/.ssh/id_rsa'),
    su('cd /home/ansible/public && env PATH=$PATH ansible-playbook retrieve-lxd-config.yml --inventory=/home/ansible/my/inventory'),
  ]);
  assert.deepEqual(k.errors(), []);
});

test('ansible: defaults are install_method distro and package_name ansible; ansible already installed is not installed again; ansible_config and HOME reach the commands', async () => {
  const k = makeKit();
  k.write('usr/bin/ansible', '#!/bin/sh\n', 0o755);
  await k.run(
    ansible,
    'ansible:\n  ansible_config: /etc/ansible/site.cfg\n  pull:\n    url: https://git.example.org/site.git\n    playbook_name: site.yml\n    clean: true\n    full: false\n    checkout: main\n',
  );
  const cmds = k.commands();
  assert.deepEqual(
    cmds.map((c) => c.argv),
    [
      ['ansible-pull', '--version'],
      ['ansible-pull', '--url=https://git.example.org/site.git', '--clean', '--checkout=main', 'site.yml'],
    ],
  );
  assert.deepEqual(cmds[1]?.env, { HOME: process.env.HOME ?? '/root', ANSIBLE_CONFIG: '/etc/ansible/site.cfg' });
  const plan = readAnsible({ pull: { url: 'u', playbook_name: 'p' } }).plan;
  assert.equal(plan?.installMethod, 'distro');
  assert.equal(plan?.packageName, 'ansible');
});

test('ansible: without ansible in the image and with the package installed for real, the missing command is an error', async () => {
  const k = makeKit();
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  // As in a chroot where commands run and succeed but install nothing: the check after the install finds no ansible.
  Object.defineProperty(k.host.exec, 'mode', { value: 'chroot' });
  k.host.exec.run = (argv) => ({ code: 0, stdout: argv[0] === 'apt-cache' ? 'ansible-core\n' : '', stderr: '', recorded: false });
  await assert.rejects(k.run(ansible, 'ansible:\n  package_name: ansible-core\n'), /user-data line 2 col \d+: ansible: the ansible command is not installed after installing ansible-core/);
});

test('ansible: a run_user whose words need quoting is quoted inside su -c; a run as root in a directory uses env -C', () => {
  assert.deepEqual(runAsArgv(['ansible-playbook', "it's.yml", '--extra-vars=a b'], { user: 'ops' }, '/srv/play books'), [
    'su',
    '-',
    'ops',
    '-c',
    "cd '/srv/play books' && env PATH=$PATH ansible-playbook 'it'\\''s.yml' '--extra-vars=a b'",
  ]);
  assert.deepEqual(runAsArgv(['ansible-playbook', 'x.yml'], { user: null }, '/srv/p'), ['env', '-C', '/srv/p', 'ansible-playbook', 'x.yml']);
});

test('ansible: --diff is refused for ansible older than 2.7, read from ansible-pull --version', () => {
  assert.deepEqual(ansibleVersion('ansible-pull [core 2.14.18]\n  config file = None\n'), [2, 14, 18]);
  assert.deepEqual(ansibleVersion('ansible-pull 2.5.1\n'), [2, 5, 1]);
  assert.equal(ansibleVersion(''), null);
});

test('ansible: a pull without playbook_name, an unknown install_method and an empty setup_controller are errors naming their lines; nothing runs', async () => {
  const k = makeKit();
  await assert.rejects(
    k.run(ansible, 'ansible:\n  install_method: brew\n  pull:\n    url: https://x.example/r.git\n  setup_controller: {}\n'),
    /user-data line 5 col \d+: ansible.setup_controller needs repositories or run_ansible/,
  );
  assert.match(k.errors().join('\n'), /line 2 col \d+: ansible.install_method "brew" is not distro or pip/);
  assert.match(k.errors().join('\n'), /line 3 col \d+: ansible.pull.playbook_name is required/);
  assert.deepEqual(k.argvs(), []);
});

test('ansible: bad input in a boot is an error of the module naming the line; the other modules still run', () => {
  const b = bootExample('#cloud-config\nansible:\n  package_name: "-x"\nruncmd: [[echo, still]]\n', { files: UPSTREAM_FINAL_CFG });
  assert.match(b.errors.join('\n'), /line 3 col \d+: ansible.package_name "-x" is not a package name/);
  assert.ok(b.exists(`${b.inst}/scripts/runcmd`), 'runcmd still wrote its script');
  assert.ok(
    b.argvs.some((a) => a[0]?.endsWith('/scripts/runcmd')),
    'and scripts_user ran it',
  );
});
