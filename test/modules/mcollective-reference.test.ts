// mcollective against cloud-init's own: server.cfg merged as the reference's ConfigObj
// (the library cloud-init writes it with) merges the same settings.
// test-lane: full (reference chroot)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { editServerCfg } from '../../packages/core/src/modules/mcollective.js';
import { REF_MISSING, REF_PYTHON, referenceBuilt } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

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
