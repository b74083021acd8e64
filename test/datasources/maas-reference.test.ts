// test-lane: full (the reference chroots, 22.4 and 25.1)
// Differential: the MAAS OAuth 1.0 PLAINTEXT Authorization header nimbus signs with is
// the one cloud-init's oauth_headers builds with oauthlib in the Debian 12 and 13
// chroots, for the same URL, credentials (with characters that need escaping),
// timestamp and nonce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { maasOauthHeader } from '../../packages/core/src/datasources/maas.js';
import { referenceRoot } from '../helpers/reference.js';

const PY = `
import json, sys
from cloudinit import url_helper
print(json.dumps(url_helper.oauth_headers(sys.argv[1], "ck y", "tk/y", "ts&c=r!t", "cs*", timestamp=1700000000)))
`;

for (const suite of ['bookworm', 'trixie'] as const) {
  const root = referenceRoot(suite);
  const skip = process.getuid?.() !== 0 ? 'the reference chroot needs root' : fs.existsSync(path.join(root, 'usr/bin/cloud-init')) ? false : `reference cloud-init not set up at ${root}`;
  test(`the OAuth header is the one cloud-init (${suite}) signs with oauthlib, but for the nonce`, { skip }, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        '/usr/sbin/chroot',
        [root, '/usr/bin/python3', '-c', PY, 'http://10.0.0.1/MAAS/metadata/2012-03-01/user-data'],
        { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } },
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    );
    const theirs = (JSON.parse(out) as Record<string, string>)['Authorization'] as string;
    const nonce = /oauth_nonce="([^"]+)"/.exec(theirs)?.[1] as string;
    const ours = maasOauthHeader({ consumerKey: 'ck y', tokenKey: 'tk/y', tokenSecret: 'ts&c=r!t', consumerSecret: 'cs*' }, 1700000000, nonce);
    assert.equal(ours, theirs);
  });
}
