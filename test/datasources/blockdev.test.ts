// Block devices: labels from blkid's export format and from ISO images in a root's /dev;
// reading a device's tree directly as ISO9660 and, where loop mounts work, mounted
// read-only and always unmounted again, also when the reader fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseBlkidExport, listFilesystems, findDevicesByLabel, withDeviceTree, cdromDevices, MOUNT_BASE } from '../../packages/core/src/datasources/blockdev.js';
import { dirTreeReader } from '../../packages/core/src/datasources/tree.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { isoSkip as skip, mkiso, put, tempDir, testHost, testLogger } from './helpers.js';

function drive(): Buffer {
  const d = tempDir('nimbus-cd-');
  put(d, 'openstack/latest/meta_data.json', '{"uuid": "iid-1"}');
  put(d, 'openstack/latest/user_data', '#cloud-config\n');
  return mkiso(d, ['-V', 'config-2', '-J', '-r']);
}

test('blkid -o export parsing', () => {
  const out = 'DEVNAME=/dev/sr0\nLABEL=config-2\nTYPE=iso9660\n\nDEVNAME=/dev/vda1\nLABEL=cloudimg\\ rootfs\nUUID=1234\nTYPE=ext4\n\nDEVNAME=/dev/vdb\nTYPE=swap\n';
  assert.deepEqual(parseBlkidExport(out), [
    { device: '/dev/sr0', label: 'config-2', type: 'iso9660', uuid: null },
    { device: '/dev/vda1', label: 'cloudimg rootfs', type: 'ext4', uuid: '1234' },
    { device: '/dev/vdb', label: null, type: 'swap', uuid: null },
  ]);
  assert.deepEqual(parseBlkidExport(''), []);
});

test('under a root, the optical drives in its /dev are probed for ISO labels', { skip }, () => {
  const root = tempDir();
  put(root, 'dev/sr1', drive());
  put(root, 'dev/sr0', Buffer.alloc(4096));
  put(root, 'dev/sr10', 'not an image');
  const host = testHost(root);
  assert.deepEqual(cdromDevices(host), ['/dev/sr0', '/dev/sr1', '/dev/sr10']);
  assert.deepEqual(
    listFilesystems(host).map(({ device, label, type }) => ({ device, label, type })),
    [{ device: '/dev/sr1', label: 'config-2', type: 'iso9660' }],
  );
  assert.deepEqual(
    findDevicesByLabel(host, ['config-2', 'CONFIG-2']).map((f) => f.device),
    ['/dev/sr1'],
  );
  assert.deepEqual(findDevicesByLabel(host, ['cidata']), []);
});

test('read directly as ISO9660 when commands are only recorded; errors name the device', { skip }, async () => {
  const root = tempDir();
  put(root, 'dev/sr0', drive());
  put(root, 'dev/sr1', 'garbage');
  const host = testHost(root, 'record');
  const { log } = testLogger();
  const got = await withDeviceTree({ host, log }, '/dev/sr0', (r) => ({
    source: r.label,
    list: r.list('openstack/latest'),
    md: Buffer.from(r.readFile('openstack/latest/meta_data.json')!).toString(),
    none: r.readFile('openstack/latest/nope'),
    up: r.readFile('../etc/passwd'),
  }));
  assert.deepEqual(got, { source: '/dev/sr0 (ISO9660, read directly)', list: ['meta_data.json', 'user_data'], md: '{"uuid": "iid-1"}', none: null, up: null });
  assert.ok(!fs.existsSync(path.join(root, 'var/log/nimbus-commands.log')), 'no mount was even recorded');
  await assert.rejects(
    withDeviceTree({ host, log }, '/dev/sr1', () => 1),
    (e: Error) => e instanceof DatasourceError && /^\/dev\/sr1: cannot read \(mounting not attempted; .*not an ISO9660 image/.test(e.message),
  );
  await assert.rejects(
    withDeviceTree({ host, log }, '/dev/sr0', () => {
      throw new Error('reader failed');
    }),
    /reader failed/,
  );
});

test('a mounted tree refuses symlinks and ".."', () => {
  const root = tempDir();
  put(root, 'mnt/cd/openstack/latest/meta_data.json', '{}');
  put(root, 'secret', 'x');
  fs.symlinkSync('/secret', path.join(root, 'mnt/cd/link'));
  fs.symlinkSync('/', path.join(root, 'mnt/cd/dirlink'));
  const r = dirTreeReader(testHost(root), '/mnt/cd');
  assert.equal(Buffer.from(r.readFile('openstack/latest/meta_data.json')!).toString(), '{}');
  assert.equal(r.readFile('link'), null);
  assert.equal(r.readFile('dirlink/secret'), null);
  assert.equal(r.readFile('../../secret'), null);
  assert.deepEqual(r.list('openstack'), ['latest']);
  assert.deepEqual(r.list('dirlink'), []);
});

// The mount tests mount for real, so they run only in a child process with a private
// mount namespace (unshare -m): this machine's own mount table is never changed.
const IN_PRIVATE_NS = process.env.NIMBUS_PRIVATE_MOUNT_NS === '1';
const MOUNT_TESTS = /loop mount|where loop mounts work/;

test('the mount tests, in a private mount namespace', { skip: IN_PRIVATE_NS }, (t) => {
  // NODE_TEST_CONTEXT would make the inner runner talk to ours in its binary protocol.
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, '--test', '--test-reporter=tap', '--test-name-pattern', MOUNT_TESTS.source, new URL(import.meta.url).pathname], {
    encoding: 'utf8',
    env: { ...env, NIMBUS_PRIVATE_MOUNT_NS: '1' },
  });
  if (r.error || /unshare failed|Operation not permitted/.test(r.stderr)) {
    t.skip(`no private mount namespace here (${r.error?.message ?? r.stderr.trim()}): the mount path is not tested`);
    return;
  }
  assert.equal(r.status, 0, `the mount tests failed in their namespace:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /# pass [1-9]/, r.stdout);
});

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(dir));
}

test('mounted read-only on a private directory and always unmounted (where loop mounts work)', { skip: skip || (!IN_PRIVATE_NS && 'runs in a private mount namespace') }, async (t) => {
  const root = tempDir();
  put(root, 'dev/sr0', drive());
  const host = testHost(root, 'host');
  const { log, lines } = testLogger();
  let insideMounts: string[] = [];
  const source = await withDeviceTree(
    { host, log },
    '/dev/sr0',
    (r) => {
      insideMounts = mountsUnder(root);
      assert.equal(Buffer.from(r.readFile('openstack/latest/meta_data.json')!).toString(), '{"uuid": "iid-1"}');
      return r.label;
    },
    { fsType: 'iso9660' },
  );
  if (source !== '/dev/sr0 (mounted)') {
    const why = lines.find((l) => l.includes('mount failed')) ?? 'unknown';
    t.skip(`iso9660 loop mounts do not work on this machine (the direct read was used instead): ${why.replace(/^.*mount failed: /, '')}`);
    return;
  }
  assert.equal(insideMounts.length, 1, 'mounted while reading');
  assert.match(insideMounts[0] as string, / iso9660 ro,nosuid,nodev,noexec/);
  assert.deepEqual(mountsUnder(root), [], 'unmounted after');
  assert.deepEqual(fs.readdirSync(path.join(root, MOUNT_BASE)), [], 'mount directory removed');
  assert.equal(fs.statSync(path.join(root, MOUNT_BASE)).mode & 0o777, 0o700);
  // The reader fails: still unmounted.
  await assert.rejects(
    withDeviceTree({ host, log }, '/dev/sr0', async () => {
      assert.equal(mountsUnder(root).length, 1);
      throw new Error('boom while mounted');
    }),
    /boom while mounted/,
  );
  assert.deepEqual(mountsUnder(root), [], 'unmounted after an error');
  assert.deepEqual(fs.readdirSync(path.join(root, MOUNT_BASE)), []);
});

/** An ext4 image labelled config-2 made from a directory (mke2fs -d), or null without mke2fs. */
function ext4Drive(): Buffer | null {
  const d = tempDir('nimbus-cd-');
  put(d, 'openstack/latest/meta_data.json', '{"uuid": "iid-ext4"}');
  const img = path.join(tempDir('nimbus-img-'), 'drive.img');
  const r = spawnSync('mke2fs', ['-q', '-t', 'ext4', '-L', 'config-2', '-d', d, img, '4M'], { encoding: 'utf8' });
  return r.status === 0 ? fs.readFileSync(img) : null;
}

test('the mount path with a real loop mount of an ext4 drive: unmounted after success and after failure', { skip: !IN_PRIVATE_NS && 'runs in a private mount namespace' }, async (t) => {
  const image = ext4Drive();
  if (!image) {
    t.skip('mke2fs is not available to make a test filesystem');
    return;
  }
  const root = tempDir();
  put(root, 'dev/vdb', image);
  const host = testHost(root, 'host');
  const { log } = testLogger();
  let inside: string[] = [];
  const source = await withDeviceTree(
    { host, log },
    '/dev/vdb',
    (r) => {
      inside = mountsUnder(root);
      assert.equal(Buffer.from(r.readFile('openstack/latest/meta_data.json')!).toString(), '{"uuid": "iid-ext4"}');
      assert.deepEqual(r.list('openstack'), ['latest']);
      return r.label;
    },
    { fsType: 'ext4' },
  );
  if (source !== '/dev/vdb (mounted)') {
    // Not an ISO, so the direct read cannot have worked: we only get here if mount failed and the error was swallowed.
    assert.fail(`unexpected source ${source}`);
  }
  assert.equal(inside.length, 1);
  assert.match(inside[0] as string, / ext4 ro,nosuid,nodev,noexec/);
  assert.deepEqual(mountsUnder(root), []);
  await assert.rejects(
    withDeviceTree(
      { host, log },
      '/dev/vdb',
      () => {
        assert.equal(mountsUnder(root).length, 1);
        throw new Error('boom while mounted');
      },
      { fsType: 'ext4' },
    ),
    /boom while mounted/,
  );
  assert.deepEqual(mountsUnder(root), [], 'unmounted after an error');
  assert.deepEqual(fs.readdirSync(path.join(root, MOUNT_BASE)), [], 'no mount directory left');
  assert.equal(fs.statSync(path.join(root, MOUNT_BASE)).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(root, '/run/cloud-init')).mode & 0o777, 0o755);
});
