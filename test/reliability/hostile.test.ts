// Hostile metadata and user-data: shell metacharacters, newlines, `..`, NUL and overlong
// values in host names, instance ids, keys, paths, owners and modes. Each is refused with a
// clear error or kept as inert data; nothing leaves --root; nothing from metadata reaches
// a shell (every recorded argv is checked); no log line can be forged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STAGES, commandRecord, runStage } from './crash-harness.js';
import { EXAMPLE_DRIVE } from '../helpers/boot.js';

const SHELLY = ['$(touch /tmp/nimbus-pwned)', '`id`', '; reboot', '&& curl x|sh', '\nrm -rf /', "' \" \\", '../../..'];

function hostileRoot(meta: Record<string, unknown>, userData: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-hostile-'));
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
  const seed = path.join(root, 'var/lib/cloud/seed/config_drive');
  fs.cpSync(EXAMPLE_DRIVE, seed, { recursive: true });
  for (const v of fs.readdirSync(path.join(seed, 'openstack'))) {
    fs.writeFileSync(path.join(seed, 'openstack', v, 'meta_data.json'), JSON.stringify(meta));
    fs.writeFileSync(path.join(seed, 'openstack', v, 'user_data'), userData);
  }
  return root;
}

async function bootAll(root: string): Promise<{ codes: (number | null)[]; stderr: string }> {
  const codes: (number | null)[] = [];
  let stderr = '';
  for (const s of STAGES) {
    const r = await runStage(root, s);
    codes.push(r.code);
    stderr += r.stderr;
  }
  return { codes, stderr };
}

/** No recorded command is a shell given a command string (sh -c ...) holding any of `needles`. */
function assertNoShellWith(root: string, needles: string[]): number {
  const recs = commandRecord(root);
  for (const r of recs) {
    const shell = /(^|\/)(ba|da|z|k)?sh$/.test(r.argv[0] ?? '') && r.argv.includes('-c');
    const tainted = needles.some((n) => r.argv.some((a) => a.includes(n)));
    assert.ok(!(shell && tainted), `metadata reached a shell: ${JSON.stringify(r.argv)}`);
  }
  return recs.length;
}

/** Every line of cloud-init.log starts as the logger writes it: no forged lines. */
function assertLogLinesWhole(root: string): void {
  const log = fs.readFileSync(path.join(root, 'var/log/cloud-init.log'), 'utf8');
  for (const line of log.split('\n').filter(Boolean)) assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - [\w-]+(\/[\w-]+)?\[(DEBUG|INFO|WARNING|ERROR)\]: /, `a log line not written by the logger: ${JSON.stringify(line)}`);
}

test('hostile metadata: host name, availability zone, keys, files and meta values are inert data', { timeout: 120_000 }, async () => {
  const evil = SHELLY.join(' ');
  const root = hostileRoot(
    {
      uuid: 'iid-hostile-1',
      hostname: `host${evil}`,
      name: 'x'.repeat(100_000),
      availability_zone: `az\n2026-01-01 00:00:00,000 - init[ERROR]: forged`,
      public_keys: { [`k${evil}`]: `ssh-ed25519 AAAA key\ncommand="${evil}" ssh-rsa BBBB` },
      meta: { [`role${evil}`]: evil, __proto__: { polluted: true } },
    },
    '#cloud-config\nwrite_files:\n  - path: /etc/ok\n    content: ok\n',
  );
  try {
    const { codes, stderr } = await bootAll(root);
    for (const c of codes) assert.ok(c === 0 || c === 1, stderr);
    assert.ok(!/\n\s+at /.test(stderr), stderr);
    assert.ok(fs.existsSync(path.join(root, 'etc/ok')), stderr);
    assert.ok(!fs.existsSync('/tmp/nimbus-pwned') && !fs.existsSync('/tmp/nimbus-escape'), 'nothing outside the root');
    // The values are kept as data (JSON-escaped) where cloud-init keeps them.
    const pub = JSON.parse(fs.readFileSync(path.join(root, 'run/cloud-init/instance-data.json'), 'utf8')) as { v1: Record<string, unknown> };
    assert.equal(pub.v1['local_hostname'], `host${evil}`);
    assert.equal(Object.getPrototypeOf(pub).polluted, undefined);
    assertNoShellWith(root, SHELLY);
    assertLogLinesWhole(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a config drive whose files[].content_path climbs out of it is refused, naming the entry; the boot ends on None', { timeout: 120_000 }, async () => {
  const root = hostileRoot({ uuid: 'iid-hostile-files', files: [{ path: '/../../../../../tmp/nimbus-escape', content_path: '../../../../etc/shadow' }] }, '#cloud-config\n');
  try {
    const { stderr } = await bootAll(root);
    assert.match(stderr, /meta_data\.json: files\[0\] content_path \.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow is not on the drive/);
    assert.ok(!fs.existsSync('/tmp/nimbus-escape') && !fs.existsSync(path.join(root, 'tmp/nimbus-escape')));
    const v1 = (JSON.parse(fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8')) as { v1: { datasource: string; init: { errors: string[] } } }).v1;
    assert.match(v1.datasource, /None/);
    assert.ok(v1.init.errors.some((e) => e.includes('content_path')), 'the refusal is in status.json');
    assertLogLinesWhole(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('hostile instance ids: a newline or "..", refused with the reason; an id with "/" stays one directory', { timeout: 120_000 }, async () => {
  for (const [iid, ok] of [['..', false], ['a\nb', false], ['../../../../tmp/nimbus-iid', true], ['x'.repeat(300), false]] as [string, boolean][]) {
    const root = hostileRoot({ uuid: iid }, '#cloud-config\nruncmd: [[echo, hi]]\n');
    try {
      const { codes, stderr } = await bootAll(root);
      assert.ok(!/\n\s+at /.test(stderr), stderr);
      assert.ok(!fs.existsSync('/tmp/nimbus-iid'));
      const dirs = fs.existsSync(path.join(root, 'var/lib/cloud/instances')) ? fs.readdirSync(path.join(root, 'var/lib/cloud/instances')) : [];
      if (ok) {
        assert.deepEqual(dirs, [iid.replace(/\//g, '_')]);
        for (const c of codes) assert.equal(c, 0, stderr);
      } else {
        assert.ok(codes.some((c) => c === 1), `${JSON.stringify(iid).slice(0, 40)}: refused`);
        assert.match(stderr, /instance-id|name too long|ENAMETOOLONG/, stderr);
        assert.ok(dirs.every((d) => d !== '..' && !d.includes('\n')));
      }
      assertLogLinesWhole(root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
});

test('write_files cannot leave --root: "..", absolute symlinks, relative symlinks, a symlinked parent; bad owners and modes refused', { timeout: 120_000 }, async () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-outside-'));
  const userData = [
    '#cloud-config',
    'write_files:',
    '  - {path: "/../../../../../../escape-dotdot", content: "a"}',
    '  - {path: "/etc/abs-link/escape-abs", content: "b"}',
    '  - {path: "/etc/rel-link/escape-rel", content: "c"}',
    '  - {path: "/etc/file-link", content: "d"}',
    '  - {path: "/etc/bad-owner", content: "e", owner: "root:root; touch /tmp/nimbus-pwned"}',
    '  - {path: "/etc/bad-owner2", content: "e", owner: "../../etc:root"}',
    '  - {path: "/etc/bad-mode", content: "f", permissions: "0644; rm -rf /"}',
    '  - {path: "/etc/nul\\0byte", content: "g"}',
    '  - {path: "relative/path", content: "h"}',
    `  - {path: "/etc/${'n'.repeat(300)}", content: "i"}`,
    '  - {path: "/etc/new\\nline", content: "j"}',
    '',
  ].join('\n');
  const root = hostileRoot({ uuid: 'iid-hostile-wf' }, userData);
  // Links an attacker could have planted in an image: at the host's outside dir, and climbing out.
  fs.symlinkSync(outside, path.join(root, 'etc/abs-link'));
  fs.symlinkSync(path.relative(path.join(root, 'etc'), outside), path.join(root, 'etc/rel-link'));
  fs.symlinkSync(path.join(outside, 'target'), path.join(root, 'etc/file-link'));
  try {
    const { stderr } = await bootAll(root);
    assert.ok(!/\n\s+at /.test(stderr), stderr);
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written outside the root');
    assert.ok(!fs.existsSync('/tmp/nimbus-pwned'));
    // Each lands inside the root, where the root's own view of the path says.
    assert.equal(fs.readFileSync(path.join(root, 'escape-dotdot'), 'utf8'), 'a');
    assert.equal(fs.readFileSync(path.join(root, outside, 'escape-abs'), 'utf8'), 'b');
    assert.equal(fs.readFileSync(path.join(root, outside, 'target'), 'utf8'), 'd');
    for (const f of ['etc/bad-owner', 'etc/bad-owner2', 'etc/bad-mode', 'relative/path']) assert.ok(!fs.existsSync(path.join(root, f)), `${f} refused`);
    assert.match(stderr, /write_files\[4\]: unknown group 'root; touch \/tmp\/nimbus-pwned'/);
    assert.match(stderr, /write_files\[6\]/);
    assert.match(stderr, /write_files\[7\]: .*NUL/);
    assert.match(stderr, /write_files\[8\]: path "relative\/path" must be absolute/);
    assert.match(stderr, /write_files\[9\]/);
    assertLogLinesWhole(root);
    assertNoShellWith(root, ['nimbus-pwned']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
