// mcollective against cloud-init's own: server.cfg merged as the reference's ConfigObj
// (the library cloud-init writes it with) merges the same settings, and the documented
// example through the reference's own configure() gives the same files.
// test-lane: full (reference chroot)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { editServerCfg, mcollective } from '../../packages/core/src/modules/mcollective.js';
import { loadYaml } from '../../packages/core/src/yaml/load.js';
import { makeKit } from './kit.js';
import { REF_MISSING, REF_PYTHON, referenceBuilt, referenceRoot } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-root.js';

const IMAGE = '# main\nmain_collective = mcollective\ncollectives = mcollective\nloglevel = info\n\n# plugins\nplugin.stomp.port = 61613\n';

test("mcollective: server.cfg is what cloud-init's ConfigObj writes for the same settings", (t) => {
  if (!referenceBuilt() || !fs.existsSync(path.join(REF_PYTHON, 'configobj'))) return t.skip(REF_MISSING);
  const cases: { text: string; top: [string, string][]; sections: [string, [string, string][]][] }[] = [
    {
      text: IMAGE,
      top: [
        ['loglevel', 'debug'],
        ['plugin.stomp.host', 'dbhost'],
        ['securityprovider', 'ssl'],
        ['x', 'a # b'],
        ['e', ''],
        ['q', 'say "hi"'],
      ],
      sections: [],
    },
    { text: '', top: [['a', 'b']], sections: [['s', [['k', 'v']]]] },
  ];
  const py = spawnSync(
    PYTHON3,
    [
      '-c',
      'import sys, json, io\nfrom configobj import ConfigObj\nout=[]\nfor c in json.load(sys.stdin):\n  o=ConfigObj(io.BytesIO(c["text"].encode()))\n  for k,v in c["top"]: o[k]=v\n  for n,opts in c["sections"]:\n    if n not in o.sections: o[n]={}\n    for k,v in opts: o[n][k]=v\n  b=io.BytesIO(); o.write(b); out.append(b.getvalue().decode())\nprint(json.dumps(out))',
    ],
    { input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, PYTHONPATH: REF_PYTHON } },
  );
  assert.equal(py.status, 0, py.stderr);
  const want = JSON.parse(py.stdout) as string[];
  cases.forEach((c, i) => assert.equal(editServerCfg(c.text, c.top, c.sections), want[i]));
});

const CONFIGURE = `
import json, sys, os
from cloudinit.config import cc_mcollective as m
conf, d = json.loads(sys.argv[1]), sys.argv[2]
m.configure(conf, server_cfg=d + '/etc/mcollective/server.cfg', pubcert_file=d + '/etc/mcollective/ssl/server-public.pem', pricert_file=d + '/etc/mcollective/ssl/server-private.pem')
files = {}
for root, _, names in os.walk(d):
    for f in names:
        p = os.path.join(root, f)
        files[os.path.relpath(p, d)] = open(p).read()
print(json.dumps(files))
`;

test("mcollective: the documented example gives the files cloud-init 25.1's configure gives, on the image's server.cfg", async (t) => {
  const root = referenceRoot('trixie');
  if (!referenceBuilt() || !fs.existsSync(path.join(root, 'usr/lib/python3/dist-packages/cloudinit/config/cc_mcollective.py'))) return t.skip(REF_MISSING);
  const d = tempDir('nimbus-mco-ref-');
  fs.mkdirSync(path.join(d, 'etc/mcollective'), { recursive: true });
  fs.writeFileSync(path.join(d, 'etc/mcollective/server.cfg'), IMAGE);
  const example = mcollective.examples[0] as string;
  const conf = (loadYaml(example, 'example').value as { mcollective: { conf: Record<string, unknown> } }).mcollective.conf;
  const py = spawnSync(PYTHON3, ['-c', CONFIGURE, JSON.stringify(conf), d], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(root, 'usr/lib/python3/dist-packages') } });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as Record<string, string>;
  const k = makeKit();
  k.write('usr/bin/apt-get', '#!/bin/sh\n', 0o755);
  k.write('etc/mcollective/server.cfg', IMAGE);
  await k.run(mcollective, example);
  for (const [f, text] of Object.entries(ref)) assert.equal(fs.readFileSync(path.join(k.root, f), 'utf8'), text.split(d).join(''), f);
  assert.deepEqual(Object.keys(ref).sort(), ['etc/mcollective/server.cfg', 'etc/mcollective/server.cfg.old', 'etc/mcollective/ssl/server-private.pem', 'etc/mcollective/ssl/server-public.pem']);
});
