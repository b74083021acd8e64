// test-lane: full (reference chroot)
// disk_setup and fs_setup against cloud-init 25.1's own cc_disk_setup on the same disks:
// its handle() runs with the tree as its machine (lsblk, blkid, blockdev, sfdisk -l and
// sgdisk -p answered from the tree's /sys/class/block and /run/udev/data, every other
// command recorded), and the partitioning and mkfs commands it would run, with the
// sfdisk script it sends, must be the ones nimbus records. The cases are ones where
// nimbus's stricter overwrite rules agree with cloud-init (docs/modules.md, disk_setup).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeKit, type Kit } from './kit.js';
import { disk, diskTools } from './disk-udev.js';
import { diskSetup } from '../../packages/core/src/modules/disk-setup.js';
import { mbrScript } from '../../packages/core/src/modules/lib/disk-layout.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const HARNESS = String.raw`
import collections, json, logging, os as _os, pathlib, shlex, stat, sys
R, cfg = sys.argv[1], json.loads(sys.argv[2])
from cloudinit import subp, util
from cloudinit.config import cc_disk_setup as mod

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
class RootedOS:
    path = RootedPath()
    def __getattr__(self, n):
        return getattr(_os, n)
mod.os = RootedOS()
class RootedP:
    def __init__(self, p):
        self.p = p
    def is_block_device(self):
        return _os.path.exists(rp(self.p)) and _os.path.exists(R + '/sys/class/block/' + _os.path.basename(self.p))
mod.Path = RootedP

def sysdir(dev):
    name = _os.path.basename(_os.path.realpath(rp(dev)))
    d = R + '/sys/class/block/' + name
    return name, (_os.path.realpath(d) if _os.path.exists(d) else None)
def udev(d):
    out = {}
    mm = open(d + '/dev').read().strip()
    f = R + '/run/udev/data/b' + mm
    if _os.path.exists(f):
        for line in open(f).read().splitlines():
            if line.startswith('E:') and '=' in line:
                k, v = line[2:].split('=', 1)
                out[k] = v
    return out
def parts(d):
    ps = []
    for n in _os.listdir(d):
        if _os.path.exists(d + '/' + n + '/partition'):
            ps.append((int(open(d + '/' + n + '/partition').read()), n, d + '/' + n))
    return sorted(ps)
GPT = {'0fc63daf-8483-4772-8e79-3d69d8477de4': '8300', '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f': '8200'}

Result = collections.namedtuple('Result', ['stdout', 'stderr'])
calls = []
def fake_subp(args, *a, **k):
    if k.get('shell'):
        argv = ['sh', '-c', args]
    else:
        argv = [str(x) for x in args]
    calls.append({'argv': argv, 'data': k.get('data')})
    if argv[0] == 'lsblk':
        dev = argv[4]
        name, d = sysdir(dev)
        if d is None:
            raise subp.ProcessExecutionError('no device')
        kind = 'part' if _os.path.exists(d + '/partition') else 'disk'
        rows = [(name, kind, udev(d))]
        if '--nodeps' not in argv and kind == 'disk':
            rows += [(n, 'part', udev(p)) for _, n, p in parts(d)]
        return Result(''.join('NAME="%s" TYPE="%s" FSTYPE="%s" LABEL="%s"\n' % (n, t, u.get('ID_FS_TYPE', ''), u.get('ID_FS_LABEL', '')) for n, t, u in rows), '')
    if argv[0] == 'blkid':
        name, d = sysdir(argv[-1])
        u = udev(d) if d else {}
        if 'ID_FS_TYPE' not in u:
            return Result('', '')
        lab = ' LABEL="%s"' % u['ID_FS_LABEL'] if 'ID_FS_LABEL' in u else ''
        return Result('%s:%s TYPE="%s"\n' % (argv[-1], lab, u['ID_FS_TYPE']), '')
    if argv[:2] == ['blockdev', '--getsize64']:
        return Result(str(int(open(sysdir(argv[2])[1] + '/size').read()) * 512), '')
    if argv[:2] == ['blockdev', '--getss']:
        return Result('512', '')
    if argv[:2] == ['sfdisk', '-l']:
        d = sysdir(argv[2])[1]
        return Result(''.join('%s%d 2048 4095 2048 1M %s Linux\n' % (argv[2], n, udev(p).get('ID_PART_ENTRY_TYPE', '0x83')[2:]) for n, _, p in parts(d)), '')
    if argv[:2] == ['sgdisk', '-p']:
        d = sysdir(argv[2])[1]
        return Result('Number  Start (sector)    End (sector)  Size       Code  Name\n' + ''.join('   %d   2048   4095   1.0 MiB   %s  Linux\n' % (n, GPT.get(udev(p).get('ID_PART_ENTRY_TYPE', ''), '8300')) for n, _, p in parts(d)), '')
    return Result('', '')
subp.subp = fake_subp
def which(cmd, *a, **k):
    for d in ('/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'):
        if _os.access(R + d + '/' + cmd, _os.X_OK):
            return d + '/' + cmd
    return None
subp.which = which

class Cloud:
    def device_name_to_device(self, name):
        return None
logging.basicConfig(level=logging.CRITICAL)
mod.handle('disk_setup', cfg, Cloud(), [])
print(json.dumps(calls))
`;

/** The commands that change a disk (the queries and udevadm settle are how each side learns facts). */
function changes(argvs: string[][]): string[][] {
  return argvs.filter((a) => {
    const c = a[0] as string;
    if (c === 'udevadm' || c === 'lsblk' || c === 'blkid' || (c === 'blockdev' && a[1] !== '--rereadpt')) return false;
    if ((c === 'sfdisk' && a[1] === '-l') || (c === 'sgdisk' && a[1] === '-p')) return false;
    return true;
  });
}

interface Case {
  name: string;
  tree: (k: Kit) => void;
  yaml: string;
}

const empty = (k: Kit) => {
  diskTools(k.root);
  disk(k.root, 'sdb', 8);
  disk(k.root, 'sdc', 9);
  disk(k.root, 'sdd', 10);
};
const partitioned = (k: Kit) => {
  diskTools(k.root);
  disk(k.root, 'sdb', 8, { 1: {}, 2: {} }, { ID_PART_TABLE_TYPE: 'gpt' });
  disk(k.root, 'sdc', 9, { 1: { ID_PART_ENTRY_TYPE: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f' } }, { ID_PART_TABLE_TYPE: 'gpt' });
  disk(k.root, 'sdd', 10, { 1: { ID_PART_ENTRY_TYPE: '0x83' } }, { ID_PART_TABLE_TYPE: 'dos' });
};

const CASES: Case[] = [
  { name: "the documentation's example 1 on empty disks", tree: empty, yaml: diskSetup.examples[0] as string },
  { name: "the documentation's example 1 once the partitions exist", tree: partitioned, yaml: diskSetup.examples[0] as string },
  {
    name: 'MBR with swap, overwrite over a used disk, auto reusing and filling partitions',
    tree: (k) => {
      diskTools(k.root);
      disk(k.root, 'vdb', 252, { 1: { ID_FS_TYPE: 'ext4', ID_FS_LABEL: 'keep' } }, { ID_PART_TABLE_TYPE: 'dos' });
      disk(k.root, 'vdc', 253, { 1: { ID_FS_TYPE: 'xfs', ID_FS_LABEL: 'data' }, 2: {}, 3: {} }, { ID_PART_TABLE_TYPE: 'gpt' });
    },
    yaml: '#cloud-config\ndisk_setup:\n  /dev/vdb: {table_type: mbr, layout: [33, [33, 82], 34], overwrite: true}\nfs_setup:\n  - {device: /dev/vdc, partition: auto, filesystem: xfs, label: data}\n  - {device: /dev/vdc, partition: auto, filesystem: ext4, label: logs, extra_opts: ["-E", "lazy_itable_init=1"]}\n  - {device: /dev/vdc, partition: 3, filesystem: ext4, label: scratch, overwrite: true}\n',
  },
];

test('disk_setup and fs_setup run the same partitioning and mkfs commands as cloud-init 25.1 on the same disks', async (t) => {
  const refRoot = referenceRoot('trixie');
  const py = path.join(refRoot, 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(py, 'cloudinit/config/cc_disk_setup.py')))
    return t.skip(`reference cloud-init not set up at ${refRoot} (REF_SUITE=trixie bash scripts/reference/cloud-init-ref.sh setup)`);
  for (const c of CASES) {
    const k = makeKit();
    c.tree(k);
    const cfg = loadYaml(c.yaml, 'user-data').value as Record<string, unknown>;
    const r = spawnSync(PYTHON3, ['-c', HARNESS, k.root, JSON.stringify(cfg)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: py } });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { argv: string[]; data: string | null }[];
    await k.run(diskSetup, c.yaml);
    assert.deepEqual(changes(k.argvs()), changes(ref.map((x) => x.argv)), c.name);
    // The sfdisk script goes on stdin, which the record leaves out: compare it through the same function.
    for (const x of ref.filter((e) => e.argv[0] === 'sfdisk' && e.argv[1] === '--force')) {
      const layout = ((cfg.disk_setup as Record<string, { layout: true | (number | [number, number])[] }>)[x.argv[2] as string]?.layout ?? true) as Parameters<typeof mbrScript>[1];
      assert.equal(x.data, `${mbrScript(20971520, layout)}\n`, `${c.name}: the sfdisk script for ${x.argv[2]}`);
    }
  }
});
