// test-lane: full (runs cloud-init's own Python from the reference chroots)
// The system-basics modules against cloud-init itself: its templates and tables,
// imported from the reference chroots (22.4 and 25.1) and run by this machine's
// Python on the same inputs nimbus gets. Differences are written in docs/compat.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON3 } from '../helpers/python.js';
import { referenceRoot, type RefSuite } from '../helpers/reference.js';
import { clientsFor, defaultPools, renderNtpConfig, type NtpClientName } from '../../packages/core/src/modules/lib/ntp-clients.js';
import { distroFromOsRelease } from '../../packages/core/src/distro/detect.js';
import { caPathsFor, deselectAll } from '../../packages/core/src/modules/ca-certs.js';
import { renderDefaultKeyboard } from '../../packages/core/src/modules/keyboard.js';
import { rsyslog } from '../../packages/core/src/modules/rsyslog.js';
import { makeKit } from './kit.js';

// 25.1, what distros ship today: 22.4's templates have no peer/allow lines and its table
// gives Rocky and AlmaLinux chrony's Debian service name (docs/compat.md).
const SUITES: RefSuite[] = ['trixie'];

function refOf(suite: RefSuite): string | null {
  const root = referenceRoot(suite);
  return fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? root : null;
}

/** Runs `script` with cloud-init's package of `root` importable; JSON in, JSON out. */
function py(root: string, script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON3, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') },
  });
  if (r.status !== 0) throw new Error(`python: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

const osr = (id: string, version: string, like = '') => distroFromOsRelease({ ID: id, VERSION_ID: version, ID_LIKE: like });
const DISTROS = [osr('debian', '12'), osr('ubuntu', '24.04'), osr('rhel', '9.3'), osr('rocky', '9.3'), osr('almalinux', '9.3'), osr('centos', '7')];

/** The lines that configure something: no comments, no blank lines, no trailing blanks. */
const directives = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trimEnd())
    .filter((l) => l !== '' && !l.startsWith('#'));

test("ntp: each client's file, service, package and check executable are cloud-init's for Debian, Ubuntu and the rhel family", (t) => {
  for (const suite of SUITES) {
    const root = refOf(suite);
    if (root === null) {
      t.diagnostic(`${suite}: reference not built`);
      continue;
    }
    const script = `
import json, sys
from cloudinit.config import cc_ntp
out = {}
for d in json.load(sys.stdin):
    cfg = cc_ntp.distro_ntp_client_configs(d)
    out[d] = {c: {k: cfg[c][k] for k in ('check_exe', 'confpath', 'packages', 'service_name', 'template_name')} for c in cfg}
print(json.dumps(out))`;
    const ref = py(
      root,
      script,
      DISTROS.map((d) => d.id),
    ) as Record<string, Record<string, { check_exe: string; confpath: string; packages: string[]; service_name: string; template_name: string }>>;
    for (const d of DISTROS) {
      const mine = clientsFor(d);
      for (const c of Object.keys(mine) as NtpClientName[]) {
        const r = ref[d.id]?.[c];
        assert.ok(r !== undefined, `${suite} ${d.id} ${c}`);
        assert.deepEqual(
          { check_exe: mine[c].checkExe, confpath: mine[c].confpath, packages: mine[c].packages, service_name: mine[c].serviceName, template_name: mine[c].templateName },
          r,
          `${suite} ${d.id} ${c}`,
        );
      }
    }
  }
});

test("ntp: nimbus's files carry the same directives as cloud-init's stock templates render, for every client and distro", () => {
  const inputs = [
    { servers: ['ntp.example.org', '192.0.2.1'], pools: ['0.int.pool.ntp.org'], peers: ['km001'], allow: ['192.0.2.0/24'] },
    { servers: [], pools: [], peers: [], allow: [] },
    { servers: ['2001:db8::123'], pools: [], peers: [], allow: ['all'] },
  ];
  for (const suite of SUITES) {
    const root = refOf(suite);
    if (root === null) continue;
    const templates = path.join(root, 'etc/cloud/templates');
    for (const d of DISTROS) {
      const flavour = d.family === 'debian' ? 'debian' : 'rhel';
      for (const [client, tpl] of [
        ['chrony', `chrony.conf.${d.id}.tmpl`],
        ['ntp', `ntp.conf.${d.id}.tmpl`],
        ['systemd-timesyncd', 'timesyncd.conf.tmpl'],
        ['openntpd', 'ntpd.conf.openbsd.tmpl'],
      ] as const) {
        const file = path.join(templates, tpl);
        if (!fs.existsSync(file)) continue;
        for (const input of inputs) {
          const lists = { ...input, pools: input.servers.length + input.pools.length === 0 ? defaultPools(d.id) : input.pools };
          const script = `
import json, sys
from cloudinit import templater
a = json.load(sys.stdin)
print(json.dumps(templater.render_string(open(a['file']).read(), a['params'])))`;
          const theirs = py(root, script, { file, params: lists }) as string;
          const ours = renderNtpConfig(client, flavour, lists);
          assert.deepEqual(directives(ours), directives(theirs), `${suite} ${tpl} ${JSON.stringify(input)}`);
        }
      }
    }
  }
});

test("ca_certs: the paths, update command and deselected /etc/ca-certificates.conf are cloud-init's", (t) => {
  for (const suite of SUITES) {
    const root = refOf(suite);
    if (root === null) {
      t.diagnostic(`${suite}: reference not built`);
      continue;
    }
    const conf = '# Automatically generated\nmozilla/A.crt\n!mozilla/B.crt\n\nmozilla/C.crt\n# Modified by cloud-init to deselect certs due to user-data\nmozilla/D.crt\n';
    const script = `
import json, sys, tempfile, os
from cloudinit.config import cc_ca_certs
a = json.load(sys.stdin)
out = {}
for d in ('debian', 'rhel'):
    c = dict(cc_ca_certs._distro_ca_certs_configs(d))
    out[d] = {'local': c['ca_cert_full_path'].format(cert_index=1), 'path': c['ca_cert_path'], 'config': c['ca_cert_config'], 'update': c['ca_cert_update_cmd']}
fd, fn = tempfile.mkstemp()
os.write(fd, a['conf'].encode()); os.close(fd)
cc_ca_certs.disable_system_ca_certs({'ca_cert_config': fn})
out['deselected'] = open(fn).read()
os.unlink(fn)
print(json.dumps(out))`;
    const ref = py(root, script, { conf }) as Record<string, unknown>;
    for (const fam of ['debian', 'rhel'] as const) {
      const p = caPathsFor(fam);
      assert.deepEqual({ local: `${p.localPath}/${p.fileName(1)}`, path: p.certPath === null ? null : `${p.certPath}/`, config: p.config, update: p.update }, ref[fam], `${suite} ${fam}`);
    }
    assert.equal(deselectAll(conf), ref.deselected);
  }
});

test("keyboard: /etc/default/keyboard and the commands are cloud-init's on Debian and the rhel family", (t) => {
  for (const suite of SUITES) {
    const root = refOf(suite);
    if (root === null) {
      t.diagnostic(`${suite}: reference not built`);
      continue;
    }
    const script = `
import json, sys
from cloudinit import util, subp, distros
from cloudinit.distros import debian, rhel
files, cmds = {}, []
util.write_file = lambda filename, content, **kw: files.__setitem__(filename, content)
subp.subp = lambda args, **kw: cmds.append(list(args))
distros.Distro.uses_systemd = staticmethod(lambda: True)
a = json.load(sys.stdin)
for cls, name in ((debian.Distro, 'debian'), (rhel.Distro, 'rhel')):
    d = cls(name, {}, None)
    d.set_keymap(a['layout'], a['model'], a['variant'], a['options'])
print(json.dumps({'files': files, 'cmds': cmds}))`;
    const k = { layout: 'de', model: 'pc105', variant: 'nodeadkeys', options: 'compose:rwin' };
    const ref = py(root, script, k) as { files: Record<string, string>; cmds: string[][] };
    assert.deepEqual(ref.files, { '/etc/default/keyboard': renderDefaultKeyboard(k) });
    assert.deepEqual(ref.cmds, [
      ['systemctl', 'restart', 'console-setup'],
      ['localectl', 'set-x11-keymap', 'de', 'pc105', 'nodeadkeys', 'compose:rwin'],
    ]);
  }
});

test("rsyslog: the files written for configs and remotes are cloud-init's", async (t) => {
  for (const suite of SUITES) {
    const root = refOf(suite);
    if (root === null) {
      t.diagnostic(`${suite}: reference not built`);
      continue;
    }
    const remotes = { maas: '192.168.1.1', juju: '@@10.0.4.1:514', v6: 'kern.* @[2001:db8::1]', c: '*.* 10.0.0.9 # commented' };
    const configs = ['*.* @@192.158.1.1', { content: '*.*   @@192.0.2.1:10514', filename: '01-example.conf' }, { content: '*.*   @@syslogd.example.com\n' }];
    const script = `
import json, sys, tempfile, os
from cloudinit.config import cc_rsyslog
a = json.load(sys.stdin)
d = tempfile.mkdtemp()
configs = list(a['configs'])
configs.append(cc_rsyslog.remotes_to_rsyslog_cfg(a['remotes'], header='# begin remotes', footer='# end remotes'))
cc_rsyslog.apply_rsyslog_changes(configs, '99-late-cloud-config.conf', d)
out = {n: open(os.path.join(d, n)).read() for n in sorted(os.listdir(d))}
print(json.dumps(out))`;
    const ref = py(root, script, { remotes, configs }) as Record<string, string>;
    const k = makeKit();
    const yaml = `rsyslog:\n  config_dir: /out\n  config_filename: 99-late-cloud-config.conf\n  configs: ${JSON.stringify(configs)}\n  remotes: ${JSON.stringify(remotes)}\n  service_reload_command: [/bin/true]\n`;
    await k.run(rsyslog, yaml);
    const ours = Object.fromEntries(
      fs
        .readdirSync(path.join(k.root, 'out'))
        .sort()
        .map((n) => [n, fs.readFileSync(path.join(k.root, 'out', n), 'utf8')]),
    );
    assert.deepEqual(ours, ref, suite);
  }
});
