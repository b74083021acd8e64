// test-lane: full (hostile-input campaign: many whole boots)
// Hostile metadata and user-data: shell metacharacters, newlines, `..`, NUL and overlong
// values in host names, instance ids, keys, paths, owners and modes. Each is refused with a
// clear error or kept as inert data; nothing leaves --root; nothing from metadata reaches
// a shell (every recorded argv is checked); no log line can be forged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { STAGES, commandRecord, debianTree, runStage } from './crash-harness.js';
import { EXAMPLE_DRIVE } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';

const SHELLY = ['$(touch /tmp/nimbus-pwned)', '`id`', '; reboot', '&& curl x|sh', '\nrm -rf /', '\' " \\', '../../..'];

function hostileRoot(meta: Record<string, unknown>, userData: string, networkData?: unknown): string {
  const root = debianTree('nimbus-hostile-');
  const seed = path.join(root, 'var/lib/cloud/seed/config_drive');
  fs.cpSync(EXAMPLE_DRIVE, seed, { recursive: true });
  for (const v of fs.readdirSync(path.join(seed, 'openstack'))) {
    fs.writeFileSync(path.join(seed, 'openstack', v, 'meta_data.json'), JSON.stringify(meta));
    fs.writeFileSync(path.join(seed, 'openstack', v, 'user_data'), userData);
    if (networkData !== undefined) fs.writeFileSync(path.join(seed, 'openstack', v, 'network_data.json'), JSON.stringify(networkData));
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
  for (const line of log.split('\n').filter(Boolean))
    assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - [\w-]+(\/[\w-]+)?\[(DEBUG|INFO|WARNING|ERROR)\]: /, `a log line not written by the logger: ${JSON.stringify(line)}`);
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
    // local_hostname is the first label of the name, as cloud-init gives it.
    assert.equal(pub.v1['local_hostname'], `host${evil}`.split('.')[0]);
    assert.equal((pub as unknown as { ds: { meta_data: Record<string, unknown> } }).ds.meta_data['hostname'], `host${evil}`);
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
    assert.ok(
      v1.init.errors.some((e) => e.includes('content_path')),
      'the refusal is in status.json',
    );
    assertLogLinesWhole(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('hostile instance ids: a newline or "..", refused with the reason; an id with "/" stays one directory', { timeout: 120_000 }, async () => {
  for (const [iid, ok] of [
    ['..', false],
    ['a\nb', false],
    ['../../../../tmp/nimbus-iid', true],
    ['x'.repeat(300), false],
  ] as [string, boolean][]) {
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
        assert.ok(
          codes.some((c) => c === 1),
          `${JSON.stringify(iid).slice(0, 40)}: refused`,
        );
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
  const outside = tempDir('nimbus-outside-');
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

const GOOD_NET = JSON.parse(fs.readFileSync(path.join(EXAMPLE_DRIVE, 'openstack/latest/network_data.json'), 'utf8')) as {
  links: Record<string, unknown>[];
  networks: Record<string, unknown>[];
  services: Record<string, unknown>[];
};

test('hostile network_data.json: names, addresses, DNS servers and routes with shell text are refused; fallback networking, the error in status', { timeout: 300_000 }, async () => {
  const evil = 'x$(touch /tmp/PWNED);`id`\nup touch /tmp/PWNED';
  const edits: [string, (n: typeof GOOD_NET) => void][] = [
    ['link name', (n) => void ((n.links[0] as Record<string, unknown>)['name'] = `eth0${evil}`)],
    [
      'link id',
      (n) => {
        (n.links[0] as Record<string, unknown>)['id'] = evil;
        (n.networks[0] as Record<string, unknown>)['link'] = evil;
      },
    ],
    ['mac', (n) => void ((n.links[0] as Record<string, unknown>)['ethernet_mac_address'] = `52:54:00:12:34:56${evil}`)],
    ['mtu', (n) => void ((n.links[0] as Record<string, unknown>)['mtu'] = `1500${evil}`)],
    ['address', (n) => void ((n.networks[0] as Record<string, unknown>)['ip_address'] = `192.0.2.10${evil}`)],
    ['netmask', (n) => void ((n.networks[0] as Record<string, unknown>)['netmask'] = `255.255.255.0 ${evil}`)],
    ['dns', (n) => void ((n.services[0] as Record<string, unknown>)['address'] = `192.0.2.53${evil}`)],
    ['route', (n) => void ((n.networks[0] as Record<string, unknown>)['routes'] = [{ network: `10.0.0.0${evil}`, netmask: '255.0.0.0', gateway: '192.0.2.1' }])],
    ['route gateway', (n) => void ((n.networks[0] as Record<string, unknown>)['routes'] = [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: `../../${evil}` }])],
    ['overlong', (n) => void ((n.links[0] as Record<string, unknown>)['name'] = 'e'.repeat(5000))],
  ];
  const outcomes: string[] = [];
  await Promise.all(
    edits.map(async ([what, edit]) => {
      const net = JSON.parse(JSON.stringify(GOOD_NET)) as typeof GOOD_NET;
      edit(net);
      const root = hostileRoot({ uuid: `iid-net-${what.replace(/ /g, '-')}` }, '#cloud-config\n', net);
      try {
        const { codes, stderr } = await bootAll(root);
        for (const c of codes) assert.ok(c === 0 || c === 1, `${what}: ${stderr}`);
        assert.ok(!/\n\s+at /.test(stderr), stderr);
        assert.ok(!fs.existsSync('/tmp/PWNED'));
        // Every file under etc/ (the rendered network config, udev rules) is free of the value.
        const walk = (rel: string): string[] =>
          fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(`${rel}/${d.name}`) : d.isFile() ? [`${rel}/${d.name}`] : []));
        for (const f of walk('etc')) {
          const text = fs.readFileSync(path.join(root, f), 'utf8');
          assert.ok(!text.includes('PWNED') && !text.includes('$('), `${what}: ${f} holds the hostile value:\n${text}`);
        }
        const eni = path.join(root, 'etc/network/interfaces.d/50-cloud-init');
        assert.ok(fs.existsSync(eni), `${what}: networking was written (fallback): ${stderr}`);
        assert.match(fs.readFileSync(eni, 'utf8'), /iface eth0 inet/);
        // Either refused (named in status.json, DHCP fallback) or an inert identifier (the static config stands).
        const status = fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8');
        const refused = /network_data\.json/.test(status);
        if (refused) assert.match(fs.readFileSync(eni, 'utf8'), /iface eth0 inet dhcp/, `${what}: fallback`);
        else assert.match(fs.readFileSync(eni, 'utf8'), /address 192\.0\.2\.10/, `${what}: neither refused nor the static config: ${status}`);
        outcomes.push(`${what}: ${refused ? 'refused' : 'inert'}`);
        assertNoShellWith(root, ['PWNED']);
        assertLogLinesWhole(root);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }),
  );
  process.stdout.write(`# hostile network_data.json: ${outcomes.sort().join(', ')}\n`);
  assert.ok(outcomes.filter((o) => o.endsWith('refused')).length >= 8, outcomes.join(', '));
});

test('a gzip bomb and oversized user-data end to end: refused with the limit named, the boot finishes', { timeout: 300_000 }, async () => {
  const cases: [string, Buffer, RegExp][] = [
    ['gzip bomb', gzipSync(Buffer.alloc(80 * 1024 * 1024)), /gzip data decompresses to more than 67108864 bytes \(the limit\); refused/],
    ['oversized', Buffer.from('#cloud-config\n# ' + 'x'.repeat(17 * 1024 * 1024) + '\n'), /bytes is more than the 16777216-byte limit; refused/],
  ];
  for (const [what, data, says] of cases) {
    const root = hostileRoot({ uuid: `iid-${what.replace(/ /g, '-')}` }, '');
    const seed = path.join(root, 'var/lib/cloud/seed/config_drive/openstack');
    for (const v of fs.readdirSync(seed)) fs.writeFileSync(path.join(seed, v, 'user_data'), data);
    try {
      const { codes, stderr } = await bootAll(root);
      assert.ok(!/\n\s+at /.test(stderr), stderr);
      assert.equal(codes[1], 1, `${what}: the init stage reports the refusal`);
      assert.match(stderr, says);
      const status = fs.readFileSync(path.join(root, 'var/lib/cloud/data/status.json'), 'utf8');
      assert.match(status, says, `${what}: in status.json`);
      assert.ok(fs.existsSync(path.join(root, 'var/lib/cloud/data/result.json')), `${what}: the boot finished`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
});
