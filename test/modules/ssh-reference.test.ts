// test-lane: full (the reference chroots: cloud-init's own fingerprint table code)
// ssh_authkey_fingerprints against cloud-init 22.4 and 25.1: the same authorized_keys
// lines, through the reference's own line parser and table printer, give the text
// nimbus prints. Lines whose reading changed between the two (ssh-dss, which 25.x no
// longer reads) are compared with 25.1 only, as nimbus follows 25.x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintReport } from '../../packages/core/src/modules/ssh-authkey-fingerprints.js';
import { referenceRoot, type RefSuite } from '../helpers/reference.js';
import { PYTHON3 } from '../helpers/python.js';

const HARNESS = String.raw`
import json, sys
from cloudinit import ssh_util
from cloudinit.config import cc_ssh_authkey_fingerprints as m
out = []
# 25.x prints through cloudinit.log.log_util, 22.4 through cloudinit.util.
capture = lambda text, **kw: out.append(text)
if hasattr(m, 'log_util'):
    m.log_util.multi_log = capture
else:
    m.util.multi_log = capture
user, fn, lines, hash_meth = json.loads(sys.argv[1])
p = ssh_util.AuthKeyLineParser()
m._pprint_key_entries(user, fn, [p.parse(l) for l in lines], hash_meth)
sys.stdout.write(''.join(out))
`;

const COMMON = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetaKeyMetaKeyMetaKeyMetaKeyMetaKeyMetaKey0 ops@bastion',
  'no-port-forwarding,command="echo hi there" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC5 deploy key with  two blanks',
  'from="10.0.0.0/8" ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBId9MsfLghE+QB+z28w6TxrbUJyLXGETMC1hypbghk73QIIRNFZqAWkL0Wn57xRIMHJ/E6/fY02+NjySTLGXJ6A=',
  '# a comment',
  '',
  'ssh-rsa AAA= broken-base64',
  'not a key at all',
];

function reference(suite: RefSuite, lines: readonly string[], hash: string): string | null {
  const root = referenceRoot(suite);
  const pkgs = path.join(root, 'usr/lib/python3/dist-packages');
  if (!fs.existsSync(path.join(pkgs, 'cloudinit/config/cc_ssh_authkey_fingerprints.py'))) return null;
  const r = spawnSync(PYTHON3, ['-c', HARNESS, JSON.stringify(['demo', '/home/demo/.ssh/authorized_keys', lines, hash])], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pkgs } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

for (const suite of ['bookworm', 'trixie'] as const) {
  test(`ssh_authkey_fingerprints prints the table cloud-init ${suite === 'trixie' ? '25.1' : '22.4'} prints for the same keys, in sha256, md5, sha512 and an unknown hash`, (t) => {
    const lines = suite === 'trixie' ? [...COMMON, 'ssh-dss AAAAB3NzaC1kc3M old'] : COMMON;
    for (const hash of ['sha256', 'md5', 'sha512', 'rot13']) {
      const want = reference(suite, lines, hash);
      if (want === null) {
        t.skip(`the ${suite} reference is not set up (REF_SUITE=${suite} bash scripts/reference/cloud-init-ref.sh setup)`);
        return;
      }
      assert.equal(fingerprintReport('demo', '/home/demo/.ssh/authorized_keys', lines, hash), want, hash);
    }
    assert.equal(fingerprintReport('demo', '/f', [], 'sha256'), reference(suite, [], 'sha256')?.replace('/home/demo/.ssh/authorized_keys', '/f'));
  });
}
