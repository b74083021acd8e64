// The pure parts of `nimbus try`: diffs, secret masking, message locations and the
// summaries of a boot (accounts, packages, keys, network, changes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../packages/core/src/try/diff.js';
import { maskArgv, maskSecrets, MASK } from '../../packages/core/src/try/mask.js';
import { locateMessage } from '../../packages/core/src/try/locate.js';
import { accountsOf, changesBetween, ownerText, isStatePath, keysIn, networkOf, packagesOf, worseExit } from '../../packages/core/src/try/plan.js';
import { renderPlanText, quoteArg } from '../../packages/core/src/try/render-text.js';
import type { TreeEntry } from '../../packages/core/src/host/scratch-tree.js';
import type { TryPlan } from '../../packages/core/src/try/plan.js';

test('a changed line shows as - then + with three lines of context, as diff -u prints it', () => {
  const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
  const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
  assert.equal(unifiedDiff(before, after, 'image/x', 'boot/x'), '--- image/x\n+++ boot/x\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
});

test('a new file is diffed against /dev/null and a missing final newline is said', () => {
  assert.equal(unifiedDiff(null, 'hello', 'image/m', 'boot/m'), '--- /dev/null\n+++ boot/m\n@@ -0,0 +1 @@\n+hello\n\\ No newline at end of file\n');
});

test('equal texts give no diff, and two far-apart changes give two hunks', () => {
  assert.equal(unifiedDiff('x\n', 'x\n', 'a', 'b'), '');
  const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
  const changed = [...lines];
  changed[1] = 'one';
  changed[18] = 'eighteen';
  const d = unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, 'a', 'b');
  assert.equal((d.match(/^@@ /gm) ?? []).length, 2);
  assert.match(d, /^@@ -1,5 \+1,5 @@$/m);
  assert.match(d, /^@@ -16,5 \+16,5 @@$/m);
});

test('a diff too large to compute says so instead of hanging', () => {
  const big = (c: string) => Array.from({ length: 3000 }, (_, i) => `${c}${i}`).join('\n');
  assert.match(unifiedDiff(big('a'), big('b'), 'a', 'b', { maxWork: 1000 }), /too large to diff/);
});

test('password hashes in a shadow file are masked, locked and empty markers kept', () => {
  const shadow = 'root:*:19700:0:99999:7:::\nalice:$6$salt$hash:19700:0:99999:7:::\nbob:!$6$s$h:19700::::::\ncarol:!:19700::::::\n';
  assert.equal(maskSecrets(shadow, '/etc/shadow'), `root:*:19700:0:99999:7:::\nalice:${MASK}:19700:0:99999:7:::\nbob:!${MASK}:19700::::::\ncarol:!:19700::::::\n`);
});

test('passwords, tokens and private keys in any file are masked, keeping the key names', () => {
  const text = 'user: bob\npasswd: $6$abc$def\ntoken = abc123\napi_key: "xyz"\n-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----\nplain: yes\n';
  const out = maskSecrets(text);
  assert.equal(out, `user: bob\npasswd: ${MASK}\ntoken = ${MASK}\napi_key: "${MASK}"\n-----BEGIN OPENSSH PRIVATE KEY-----\n${MASK}\n-----END OPENSSH PRIVATE KEY-----\nplain: yes\n`);
  assert.ok(!out.includes('abc123') && !out.includes('AAAA'));
});

test('a hash given to a command, or the value after --password, is masked in the argv', () => {
  assert.deepEqual(maskArgv(['useradd', 'bob', '--password', 'secret', '-m']), ['useradd', 'bob', '--password', MASK, '-m']);
  assert.deepEqual(maskArgv(['usermod', '-p', '$6$a$b', 'bob']), ['usermod', '-p', MASK, 'bob']);
});

test("a message naming the tree's copy of user-data is rewritten to the user's file:line:col", () => {
  const files = new Map([['/var/lib/cloud/instances/iid-1/user-data.txt', 'my.yaml']]);
  assert.deepEqual(locateMessage('write_files: /var/lib/cloud/instances/iid-1/user-data.txt line 9 col 5: bad encoding', files), {
    text: 'write_files: my.yaml:9:5: bad encoding',
    at: { file: 'my.yaml', line: 9, col: 5 },
  });
  assert.deepEqual(locateMessage('schema /var/lib/cloud/instances/iid-1/user-data.txt:18:1: warning: pakages', files), {
    text: 'schema my.yaml:18:1: warning: pakages',
    at: { file: 'my.yaml', line: 18, col: 1 },
  });
  assert.deepEqual(locateMessage('schema /var/lib/cloud/instances/iid-1/user-data.txt part 2 (web.yaml):20:1: warning', files), {
    text: 'schema my.yaml part 2 (web.yaml):20:1: warning',
    at: { file: 'my.yaml part 2 (web.yaml)', line: 20, col: 1 },
  });
  assert.deepEqual(locateMessage('no location here', files), { text: 'no location here' });
});

test('useradd and groupadd commands give the users and groups a boot adds', () => {
  const cmds = [
    ['groupadd', 'audio'],
    ['useradd', 'debian', '--comment', 'Debian', '--groups', 'adm,audio', '--shell', '/bin/bash', '-m'],
    ['useradd', 'alice', '-m'],
    ['passwd', '-l', 'alice'],
  ].map((argv) => ({ argv }));
  assert.deepEqual(accountsOf(cmds), { users: ['debian', 'alice'], groups: ['audio'] });
});

test('the packages are the words after install, for apt-get and dnf alike', () => {
  assert.deepEqual(packagesOf(['apt-get', '--assume-yes', '--quiet', 'install', 'nginx', 'curl']), ['nginx', 'curl']);
  assert.deepEqual(packagesOf(['dnf', '-t', '-y', 'install', 'httpd']), ['httpd']);
  assert.deepEqual(packagesOf(['apt-get', 'update']), []);
  assert.deepEqual(packagesOf(['useradd', 'install']), []);
});

test('authorized keys are listed by type and comment, with their options', () => {
  assert.deepEqual(keysIn('# c\nssh-ed25519 AAAA alice@x\nno-pty ssh-rsa BBBB\n'), ['ssh-ed25519 alice@x', 'ssh-rsa (options: no-pty)']);
});

test('the network summary gives each interface its addresses, gateways and the nameservers', () => {
  const n = networkOf(
    {
      renderer: 'eni',
      source: 'network_data.json',
      state: {
        interfaces: [
          {
            name: 'eth0',
            type: 'physical',
            mac: '52:54:00:12:34:56',
            subnets: [
              { type: 'static', family: 4, address: '192.0.2.10', prefix: 24, gateway: '192.0.2.1', dns: { nameservers: ['192.0.2.53'], search: [] }, routes: [] },
              { type: 'dhcp6', dns: { nameservers: [], search: [] }, routes: [] },
            ],
          },
        ],
        routes: [],
        dns: { nameservers: [], search: [] },
      },
    },
    ['/etc/network/interfaces.d/50-cloud-init'],
  );
  assert.deepEqual(n.interfaces, [{ name: 'eth0', mac: '52:54:00:12:34:56', addresses: ['192.0.2.10/24', 'dhcp6'], gateways: ['192.0.2.1'] }]);
  assert.deepEqual(n.nameservers, ['192.0.2.53']);
});

test('changes between snapshots: created, changed (new inode) and removed, in path order', () => {
  const e = (stamp: string, kind: TreeEntry['kind'] = 'file'): TreeEntry => ({ kind, mode: 0o644, uid: 0, gid: 0, size: 1, stamp });
  const before = new Map([
    ['/etc/a', e('1')],
    ['/etc/b', e('2')],
    ['/etc/c', e('3')],
    ['/etc', e('d', 'dir')],
  ]);
  const after = new Map([
    ['/etc/a', e('1')],
    ['/etc/b', e('2b')],
    ['/etc/d', e('4')],
    ['/etc', e('d', 'dir')],
  ]);
  assert.deepEqual(
    changesBetween(before, after).map((c) => `${c.change} ${c.path}`),
    ['changed /etc/b', 'removed /etc/c', 'created /etc/d'],
  );
});

test("nimbus's own state and logs are told apart from the machine's files", () => {
  assert.ok(isStatePath('/var/lib/cloud/instance/obj.json') && isStatePath('/run/cloud-init/status.json') && isStatePath('/var/log/cloud-init.log'));
  assert.ok(!isStatePath('/etc/motd') && !isStatePath('/var/lib/apt/lists'));
});

test('the exit code of several boots is the worst: error over degraded over done', () => {
  assert.equal([0, 2, 0].reduce(worseExit, 0), 2);
  assert.equal([2, 1].reduce(worseExit, 0), 1);
  assert.equal([0, 0].reduce(worseExit, 0), 0);
});

test('the text plan lists modules, files with diffs, commands quoted and located errors', () => {
  const plan: TryPlan = {
    image: 'Debian GNU/Linux 12 (bookworm)',
    inputs: { 'user-data': 'u.yaml' },
    secretsShown: false,
    status: 'error',
    exitCode: 1,
    boots: [
      {
        boot: 1,
        title: 'first boot of a new instance',
        status: 'error',
        exitCode: 1,
        stages: [
          {
            name: 'init',
            exitCode: 1,
            ms: 12,
            modules: [
              { name: 'write_files', outcome: 'failed', reason: '1 error(s)' },
              { name: 'bootcmd', outcome: 'skipped', reason: 'no bootcmd configuration' },
            ],
          },
        ],
        files: [{ path: '/etc/motd', change: 'created', kind: 'file', mode: '0644', size: 3, diff: '--- /dev/null\n+++ boot/etc/motd\n@@ -0,0 +1 @@\n+hi\n' }],
        state: ['/var/lib/cloud/instance'],
        users: ['alice'],
        groups: [],
        keys: [],
        packages: ['nginx'],
        network: null,
        commands: [{ stage: 'init', argv: ['ssh-keygen', '-N', '', '-f', '/etc/ssh/k'] }],
        messages: [{ stage: 'init', level: 'error', text: 'write_files: u.yaml:9:5: bad', at: { file: 'u.yaml', line: 9, col: 5 } }],
      },
    ],
  };
  const t = renderPlanText(plan);
  assert.match(t, /init \(exit 1, 12 ms\)/);
  assert.match(t, /write_files +FAILED +1 error\(s\)/);
  assert.match(t, /skipped, nothing configured for them: bootcmd/);
  assert.match(t, /created 0644 +\/etc\/motd/);
  assert.match(t, /^ +\+hi$/m);
  assert.match(t, /ssh-keygen -N '' -f \/etc\/ssh\/k/);
  assert.match(t, /error +init: write_files: u\.yaml:9:5: bad/);
  assert.match(t, /users added: alice/);
  assert.match(t, /packages that would be installed: nginx/);
  assert.match(t, /status: error \(exit 1\)\n$/);
  assert.equal(quoteArg("it's"), `'it'\\''s'`);
});

test("owners are named by the tree's passwd and group, numbers when a name is missing", () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n';
  const group = 'root:x:0:\nwww-data:x:33:\n';
  assert.equal(ownerText({ uid: 33, gid: 0 }, passwd, group), 'www-data:root');
  assert.equal(ownerText({ uid: 1001, gid: 1001 }, passwd, group), '1001:1001');
});
