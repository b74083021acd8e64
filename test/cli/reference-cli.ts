// cloud-init's own CLI handlers, run from a reference chroot's Python package on a temp
// root that a nimbus boot filled: cloud-init's paths (/var/lib/cloud, /run/cloud-init),
// its disable file, /proc/cmdline and the systemd check are pointed into the root, so
// both read the same state. Nothing on this machine is read or changed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON3 } from '../helpers/python.js';
import { referenceRoot, type RefSuite } from '../helpers/reference.js';

const WRAPPER = String.raw`
import os, sys
root, sub, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
from cloudinit import helpers
P = helpers.Paths({'cloud_dir': root + '/var/lib/cloud', 'run_dir': root + '/run/cloud-init'})
import cloudinit.cmd.devel as devel
devel.read_cfg_paths = lambda *a, **k: P
def cmdline():
    try:
        with open(root + '/proc/cmdline') as f:
            return f.read()
    except OSError:
        return ''
def point(m):
    if hasattr(m, 'read_cfg_paths'):
        m.read_cfg_paths = lambda *a, **k: P
if sub == 'status':
    from cloudinit.cmd import status as m
    point(m)
    m.uses_systemd = lambda: os.path.isdir(root + '/run/systemd/system')
    m.get_cmdline = cmdline
    m.CLOUDINIT_DISABLED_FILE = root + '/etc/cloud/cloud-init.disabled'
    if hasattr(m, '_disabled_via_environment'):
        m._disabled_via_environment = lambda wait=False: False
    if hasattr(m, 'systemd_failed'):
        m.systemd_failed = lambda wait=False: False
    sys.exit(m.handle_status_args('status', m.get_parser().parse_args(argv)))
if sub == 'query':
    from cloudinit.cmd import query as m
    point(m)
    os.getuid = lambda: 0
    sys.exit(m.handle_args('query', m.get_parser().parse_args(argv)))
if sub == 'render':
    from cloudinit.cmd.devel import render as m
    point(m)
    os.getuid = lambda: 0
    sys.exit(m.handle_args('render', m.get_parser().parse_args(argv)))
if sub == 'analyze':
    from cloudinit import analyze as m
    a = m.get_parser().parse_args(argv)
    sys.exit(a.action[1](a.action[0], a))
if sub == 'schema':
    # The reference's jsonschema needs its Python 3.13 rpds; Debian's python3-jsonschema
    # of this machine (no rpds) validates with the same schema.
    sys.path.insert(0, '/usr/lib/python3/dist-packages')
    for k in [k for k in sys.modules if k == 'jsonschema' or k.startswith(('jsonschema.', 'rpds', 'referencing'))]:
        del sys.modules[k]
    from cloudinit.config import schema as m
    class Cached:
        # The instance nimbus recorded, as cloud-init's restored datasource gives it.
        def get_instance_id(self):
            with open(root + '/var/lib/cloud/data/instance-id') as f:
                return f.read().strip()
    P.datasource = Cached()
    point(m)
    os.getuid = lambda: 0
    sys.exit(m.handle_schema_args('schema', m.get_parser().parse_args(argv)))
if sub == 'features':
    from cloudinit import version
    sys.stdout.write('\n'.join(sorted(version.FEATURES)) + '\n')
    sys.exit(0)
raise SystemExit('unknown subcommand ' + sub)
`;

export interface RefRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The chroot of a suite when it is built, else null (the test says so and skips). */
export function refOf(suite: RefSuite): string | null {
  const root = referenceRoot(suite);
  return fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? root : null;
}

/** `cloud-init SUB ARGS...` as the reference's Python answers it on the state under `root`. */
export function refCli(ref: string, root: string, sub: string, ...args: string[]): RefRun {
  const r = spawnSync(PYTHON3, ['-c', WRAPPER, root, sub, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(ref, 'usr/lib/python3/dist-packages'), LANG: 'C.UTF-8' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
