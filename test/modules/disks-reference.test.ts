// test-lane: full (the reference chroots: cloud-init's own growpart and resizefs code)
// growpart and resizefs against cloud-init 22.4 and 25.1 on the same tree facts: the
// reference's own handle() reads the tree (its mount table, /proc/cmdline, /dev and
// /sys/class/block, all rooted at the temp tree) with every command recorded instead of
// run, and the partition and filesystem commands it would run must be the ones nimbus
// records. Only the disk tools are compared: cloud-init also asks `growpart --help`
// and `dmsetup deps`, where nimbus looks at the tree's files instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { addDisk, addLvm, addTool, cmdline, mountTable } from './disk-tree.js';
import { growpart } from '../../packages/core/src/modules/growpart.js';
import { resizefs } from '../../packages/core/src/modules/resizefs.js';
import { referenceRoot, type RefSuite } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

// Runs one cloud-init module's handle() with the tree as its machine; prints the argv of
// every command it would run. Patches only the doors to the machine (os, subp, mount
// info, the command line), never the module's own decisions.
const HARNESS = String.raw`
import collections, contextlib, inspect, json, logging, os as _os, stat, sys, tempfile
R, modname, cfg = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
from cloudinit import subp, temp_utils, util, distros, helpers
from cloudinit.distros import debian
import importlib
mod = importlib.import_module('cloudinit.config.cc_' + modname)

def rp(p):
    return R + p if isinstance(p, str) and p.startswith('/') else p

def unroot(p):
    return (p[len(R):] or '/') if p.startswith(R) else p

class RootedPath:
    def __getattr__(self, n):
        return getattr(_os.path, n)
    def realpath(self, p):
        return unroot(_os.path.realpath(rp(p)))
    def exists(self, p):
        return _os.path.exists(rp(p))
    def isfile(self, p):
        return _os.path.isfile(rp(p))
    def isdir(self, p):
        return _os.path.isdir(rp(p))

class RootedOS:
    path = RootedPath()
    def __getattr__(self, n):
        return getattr(_os, n)
    def stat(self, p):
        st = _os.stat(rp(p))
        name = _os.path.basename(_os.path.realpath(rp(p)))
        if p.startswith('/dev/') and _os.path.exists(R + '/sys/class/block/' + name):
            return _os.stat_result((stat.S_IFBLK | 0o660,) + tuple(st)[1:])
        return st
    def open(self, p, *a):
        return _os.open(rp(p), *a)

rooted = RootedOS()
for m in (mod, distros):
    m.os = rooted
for n in ('load_text_file', 'load_file'):
    if hasattr(util, n):
        orig = getattr(util, n)
        setattr(util, n, (lambda o: lambda p, *a, **k: o(rp(p), *a, **k))(orig))

def mount_info(path, log=None, get_mnt_opts=False):
    with open(R + '/proc/self/mountinfo') as f:
        return util.parse_mount_info(path, f.read().splitlines(), get_mnt_opts=get_mnt_opts)
util.get_mount_info = mount_info
util.get_cmdline = lambda: open(R + '/proc/cmdline').read() if _os.path.exists(R + '/proc/cmdline') else ''
util.is_container = lambda: False
util.fork_cb = lambda fn, *a, **k: fn(*a, **k)

Result = collections.namedtuple('Result', ['stdout', 'stderr'])
calls = []
def fake_subp(args, *a, **k):
    argv = [str(x) for x in args]
    calls.append(argv)
    if argv[:2] == ['growpart', '--help']:
        return Result('growpart disk partition\n  -u, --update  R|A|F\n', '')
    if argv[:2] == ['btrfs', '--version']:
        return Result('btrfs-progs v5.4\n', '')
    if argv[0] == 'dmsetup':
        dep = _os.listdir(R + '/sys/class/block/' + _os.path.basename(argv[-1]) + '/slaves')
        return Result('1 dependencies\t: (%s)\n' % dep[0], '')
    return Result('', '')
subp.subp = fake_subp
subp.which = lambda *a, **k: None

@contextlib.contextmanager
def tmpd(*a, **k):
    d = tempfile.mkdtemp()
    try:
        yield d
    finally:
        import shutil
        shutil.rmtree(d, ignore_errors=True)
temp_utils.tempdir = tmpd

d = debian.Distro('debian', {}, helpers.Paths({}))
d.get_tmp_exec_path = lambda: tempfile.gettempdir()
class Cloud:
    distro = d
logging.basicConfig(level=logging.CRITICAL)
params = inspect.signature(mod.handle).parameters
if 'log' in params:
    mod.handle(modname, cfg, Cloud(), logging.getLogger(), [])
else:
    mod.handle(modname, cfg, Cloud(), [])
print(json.dumps(calls))
`;

const DISK_TOOLS = new Set(['growpart', 'resize2fs', 'xfs_growfs', 'btrfs', 'bcachefs']);

function diskCommands(argvs: string[][]): string[][] {
  // nimbus starts a noblock resize through sh -c '"$@" &': compare the command itself.
  // cloud-init joins "/" and "/.snapshots" into "//.snapshots": the same path, written once here.
  const unwrapped = argvs.map((a) => (a[0] === 'sh' && a[1] === '-c' ? a.slice(4) : a).map((x) => x.replace(/^\/\/+/, '/')));
  return unwrapped.filter((a) => DISK_TOOLS.has(a[0] as string) && a[1] !== '--version' && a[1] !== '--help');
}

function reference(suite: RefSuite, k: Kit, modname: string, cfg: Record<string, unknown>): string[][] | null {
  const refRoot = referenceRoot(suite);
  const py = path.join(refRoot, 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, `cloudinit/config/cc_${modname}.py`))) return null;
  const r = spawnSync(PYTHON3, ['-c', HARNESS, k.root, modname, JSON.stringify(cfg)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
  assert.equal(r.status, 0, r.stderr);
  return diskCommands(JSON.parse(r.stdout.trim().split('\n').pop() as string) as string[][]);
}

interface Case {
  name: string;
  tree: (k: Kit) => void;
  cfg: Record<string, unknown>;
  yaml: string;
}

const vda = (fstype: string, opts?: string) => (k: Kit) => {
  addDisk(k.root, { disk: 'vda', parts: [1, 15] });
  mountTable(k.root, [{ source: '/dev/vda1', point: '/', fstype, ...(opts === undefined ? {} : { opts }) }]);
  addTool(k.root, 'growpart');
};

const CASES: Case[] = [
  { name: 'ext4 on /dev/vda1, no configuration', tree: vda('ext4'), cfg: {}, yaml: '{}' },
  { name: 'xfs on vda1', tree: vda('xfs'), cfg: {}, yaml: '{}' },
  { name: 'btrfs on vda1', tree: vda('btrfs'), cfg: {}, yaml: '{}' },
  {
    name: 'read-only btrfs with .snapshots',
    tree: (k) => {
      vda('btrfs', 'ro,relatime')(k);
      fs.mkdirSync(path.join(k.root, '.snapshots'));
    },
    cfg: {},
    yaml: '{}',
  },
  {
    name: '/dev/root with root=UUID on an NVMe disk',
    tree: (k) => {
      addDisk(k.root, { disk: 'nvme0n1', parts: [1, 2] });
      fs.mkdirSync(path.join(k.root, 'dev/disk/by-uuid'), { recursive: true });
      fs.symlinkSync('../../nvme0n1p2', path.join(k.root, 'dev/disk/by-uuid/0a1b2c3d'));
      mountTable(k.root, [{ source: '/dev/root', point: '/', fstype: 'ext4' }]);
      cmdline(k.root, 'root=UUID=0A1B2C3D ro');
      addTool(k.root, 'growpart');
    },
    cfg: {},
    yaml: '{}',
  },
  {
    name: 'a whole-disk xfs root',
    tree: (k) => {
      addDisk(k.root, { disk: 'vdc' });
      mountTable(k.root, [{ source: '/dev/vdc', point: '/', fstype: 'xfs' }]);
      addTool(k.root, 'growpart');
    },
    cfg: {},
    yaml: '{}',
  },
  {
    name: 'an LVM root',
    tree: (k) => {
      addDisk(k.root, { disk: 'vda', parts: [1, 2] });
      addLvm(k.root, 'vg0-root', 'vda2');
      mountTable(k.root, [{ source: '/dev/mapper/vg0-root', point: '/', fstype: 'ext4' }]);
      addTool(k.root, 'growpart');
    },
    cfg: {},
    yaml: '{}',
  },
  {
    name: "the documentation's example 2: / and /dev/vdb1, growroot-disabled ignored",
    tree: (k) => {
      vda('ext4')(k);
      addDisk(k.root, { disk: 'vdb', parts: [1], major: 253 });
      k.write('etc/growroot-disabled', '');
    },
    cfg: { growpart: { mode: 'growpart', devices: ['/', '/dev/vdb1'], ignore_growroot_disabled: true } },
    yaml: 'growpart:\n  mode: growpart\n  devices: ["/", "/dev/vdb1"]\n  ignore_growroot_disabled: true\n',
  },
  { name: 'mode off and resize_rootfs false', tree: vda('ext4'), cfg: { growpart: { mode: 'off' }, resize_rootfs: false }, yaml: "growpart: {mode: 'off'}\nresize_rootfs: false\n" },
  { name: 'resize_rootfs noblock', tree: vda('ext4'), cfg: { resize_rootfs: 'noblock' }, yaml: 'resize_rootfs: noblock\n' },
];

for (const suite of ['bookworm', 'trixie'] as const) {
  test(`growpart and resizefs run the same partition and filesystem commands as cloud-init (${suite === 'bookworm' ? '22.4' : '25.1'}) on the same disks`, async (t) => {
    const refRoot = referenceRoot(suite);
    if (!fs.existsSync(path.join(refRoot, 'usr/bin/cloud-init'))) return t.skip(`reference cloud-init not set up at ${refRoot} (REF_SUITE=${suite} bash scripts/reference/cloud-init-ref.sh setup)`);
    for (const c of CASES) {
      for (const [mod, name] of [
        [growpart, 'growpart'],
        [resizefs, 'resizefs'],
      ] as const) {
        const k = makeKit();
        c.tree(k);
        const ref = reference(suite, k, name, c.cfg);
        if (ref === null) continue;
        await k.run(mod, c.yaml);
        assert.deepEqual(diskCommands(k.argvs()), ref, `${name}, ${c.name}`);
      }
    }
  });
}
