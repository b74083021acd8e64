// test-lane: full (reference chroot)
// query, devel render and features against cloud-init's own handlers (25.1, and 22.4
// where it has the same output), on the /run/cloud-init and /var/lib/cloud state a nimbus
// boot of the example drive left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boot, cli, makeRoot } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { refCli, refOf } from './reference-cli.js';

const REF = refOf('trixie');
const skip = REF === null && 'reference cloud-init 25.1 not built';
const REF22 = refOf('bookworm');

const booted = (() => {
  let root: string | null = null;
  return () => {
    if (root === null) {
      root = makeRoot();
      boot(root);
    }
    return root;
  };
})();

test('features prints what cloud-init 25.1 and 22.4 print', { skip }, () => {
  const root = tempDir('nimbus-feat-');
  assert.equal(cli(root, 'features').stdout, refCli(REF!, root, 'features').stdout);
  if (REF22 !== null) assert.equal(cli(root, 'features').stdout, refCli(REF22, root, 'features').stdout);
});

test('query KEY, --list-keys and --format give what cloud-init 25.1 gives on the same instance data', { skip }, () => {
  const root = booted();
  // user-data and vendor-data named explicitly: the instance link is absolute inside the root.
  const link = fs.readlinkSync(path.join(root, 'var/lib/cloud/instance'));
  const files = ['-u', path.join(root, link, 'user-data.txt'), '-v', path.join(root, link, 'vendor-data.txt')];
  const cases = [
    ['v1.instance_id'],
    ['instance_id'],
    ['v1.cloud_name'],
    ['ds.meta_data.name'],
    ['--list-keys'],
    ['--list-keys', 'v1'],
    ['--format', '{{ v1.cloud_name }} {{ v1.local_hostname }} {{ ds.meta_data.uuid }}'],
    ['--format', '{% if v1.platform %}platform={{ v1.platform }}{% endif %}'],
    ['userdata'],
  ];
  for (const args of cases) {
    const ours = cli(root, 'query', ...files, ...args);
    const theirs = refCli(REF!, root, 'query', ...files, ...args);
    assert.equal(ours.code, theirs.code, `${args.join(' ')}: ${theirs.stderr}`);
    assert.equal(ours.stdout, theirs.stdout, args.join(' '));
  }
  // 22.4 has no combined_cloud_config key (docs/compat.md follows 25.x); the rest is the same.
  if (REF22 !== null) {
    for (const args of cases.filter((a) => a[0] !== '--list-keys' || a.length > 1)) {
      const ours = cli(root, 'query', ...files, ...args);
      const theirs = refCli(REF22, root, 'query', ...files, ...args);
      assert.equal(ours.code, theirs.code, `22.4 ${args.join(' ')}: ${theirs.stderr}`);
      assert.equal(ours.stdout, theirs.stdout, `22.4 ${args.join(' ')}`);
    }
  }
  for (const args of [['v1.no_such_key'], ['--list-keys', 'v1.instance_id']]) {
    assert.equal(cli(root, 'query', ...files, ...args).code, refCli(REF!, root, 'query', ...files, ...args).code, args.join(' '));
  }
});

test('devel render renders a jinja user-data file as cloud-init 25.1 does', { skip }, () => {
  const root = booted();
  const dir = tempDir('nimbus-render-ref-');
  const data = path.join(root, 'run/cloud-init/instance-data-sensitive.json');
  const tpl = path.join(dir, 'ud');
  fs.writeFileSync(
    tpl,
    '## template: jinja\n#cloud-config\nhostname: {{ ds.meta_data.name }}\n{% for k in v1.public_ssh_keys %}# key {{ loop.index }}\n{% endfor %}runcmd: [[echo, "{{ v1.region }}"]]\n',
  );
  const ours = cli(root, 'devel', 'render', tpl, '-i', data);
  const theirs = refCli(REF!, root, 'render', tpl, '-i', data);
  assert.equal(ours.code, theirs.code, theirs.stderr);
  assert.equal(ours.stdout, theirs.stdout);
  if (REF22 !== null) assert.equal(ours.stdout, refCli(REF22, root, 'render', tpl, '-i', data).stdout, '22.4');
});

test("analyze show and blame print what cloud-init 25.1's analyze prints for cloud-init's own log", { skip }, () => {
  const root = tempDir('nimbus-analyze-ref-');
  fs.mkdirSync(path.join(root, 'var/log'), { recursive: true });
  const log = path.join(root, 'var/log/cloud-init.log');
  fs.writeFileSync(
    log,
    [
      "2026-11-22 01:26:02,700 - util.py[DEBUG]: Cloud-init v. 25.1.4 running 'init-local'",
      '2026-11-22 01:26:02,701 - handlers.py[DEBUG]: start: init-local: searching for local datasources',
      '2026-11-22 01:26:02,702 - handlers.py[DEBUG]: start: init-local/check-cache: attempting to read from cache [check]',
      '2026-11-22 01:26:02,704 - handlers.py[DEBUG]: finish: init-local/check-cache: SUCCESS: no cache found',
      '2026-11-22 01:26:02,860 - handlers.py[DEBUG]: finish: init-local: SUCCESS: searching for local datasources',
      '2026-11-22 01:26:03,513 - handlers.py[DEBUG]: start: init-network: searching for network datasources',
      '2026-11-22 01:26:03,600 - handlers.py[DEBUG]: start: init-network/config-write_files: running config-write_files with frequency once-per-instance',
      '2026-11-22 01:26:03,650 - handlers.py[DEBUG]: finish: init-network/config-write_files: SUCCESS: config-write_files ran successfully',
      '2026-11-22 01:26:03,968 - handlers.py[DEBUG]: finish: init-network: SUCCESS: searching for network datasources',
      '',
    ].join('\n'),
  );
  for (const sub of ['show', 'blame']) {
    const ours = cli(root, 'analyze', sub, '-i', '/var/log/cloud-init.log');
    // cloud-init prints "Skipping invalid entry" for each log line that is not an event.
    const theirs = refCli(REF!, root, 'analyze', sub, '-i', log);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout.replace(/^Skipping invalid entry\n/gm, ''), sub);
  }
});
