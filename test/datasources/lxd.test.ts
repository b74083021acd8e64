// The LXD datasource against a stand-in of the dev-lxd API: an HTTP server on a Unix
// socket the test makes at <temp root>/dev/lxd/sock (never the machine's own), answering
// as LXD documents it, and also with 500s, slowly, truncated, oversized and malformed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { lxdDatasource } from '../../packages/core/src/datasources/lxd.js';
import { decideDatasources } from '../../packages/core/src/datasources/detect.js';
import { gatherFacts } from '../../packages/core/src/datasources/facts.js';
import { DatasourceError } from '../../packages/core/src/datasources/types.js';
import { dsContext, machineFacts, put, settle, tempDir, testHost, testLogger } from './helpers.js';

const MD = '#cloud-config\ninstance-id: c1\nlocal-hostname: c1\n';
const UD = '#cloud-config\npackages: [htop]\n';
const VD = '#cloud-config\nruncmd: [echo vendor]\n';
const NET = 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n';

type Routes = Record<string, string | ((res: http.ServerResponse) => void)>;

function standard(over: Routes = {}): Routes {
  return {
    '/1.0/meta-data': MD,
    '/1.0/config': JSON.stringify(['/1.0/config/user.user-data', '/1.0/config/cloud-init.user-data', '/1.0/config/cloud-init.vendor-data', '/1.0/config/user.network-config', '/1.0/config/user.foo']),
    '/1.0/config/cloud-init.user-data': UD,
    '/1.0/config/user.user-data': '#cloud-config\npackages: [old]\n',
    '/1.0/config/cloud-init.vendor-data': VD,
    '/1.0/config/user.network-config': NET,
    '/1.0/config/user.foo': 'bar',
    ...over,
  };
}

/** A root whose /dev/lxd/sock is a stand-in dev-lxd server answering `routes`. */
async function lxdRoot(routes: Routes): Promise<{ root: string; seen: string[]; close: () => Promise<void> }> {
  const root = tempDir('nimbus-lxd-');
  fs.mkdirSync(path.join(root, 'dev/lxd'), { recursive: true });
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (r === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
    } else if (typeof r === 'string') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(r);
    } else r(res);
  });
  await new Promise<void>((resolve) => server.listen(path.join(root, 'dev/lxd/sock'), resolve));
  return {
    root,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function find(routes: Routes, dsCfg: Record<string, unknown> = { timeout: 10, max_wait: 30 }) {
  const s = await lxdRoot(routes);
  const { log, lines } = testLogger();
  try {
    const r = await settle(() => lxdDatasource.find(dsContext(testHost(s.root), dsCfg, log, 'local')));
    return { ...r, lines, seen: s.seen, root: s.root };
  } finally {
    await s.close();
  }
}

test('detection table: LXD by its socket or the LXD board name, nowhere else', () => {
  const rows: [string, ReturnType<typeof machineFacts>, string][] = [
    ['a container with /dev/lxd/sock', machineFacts({}, { dmiAvailable: false, container: 'lxc', sockets: { lxd: true } }), 'found'],
    ['an LXD VM before lxd-agent', machineFacts({ sysVendor: 'QEMU', boardName: 'LXD' }), 'found'],
    ['a plain KVM machine', machineFacts({ sysVendor: 'QEMU', boardName: 'Standard PC' }), 'not-found'],
    ['a container without the socket (security.devlxd off)', machineFacts({}, { dmiAvailable: false, container: 'lxc' }), 'not-found'],
  ];
  for (const [what, f, v] of rows) assert.equal(lxdDatasource.detect(f).verdict, v, what);
  assert.deepEqual(decideDatasources(rows[0]![1], ['NoCloud', 'LXD', 'Ec2', 'None']).datasources, ['LXD', 'None']);
  assert.deepEqual(decideDatasources(rows[2]![1], ['NoCloud', 'LXD', 'Ec2', 'None']).datasources, ['None']);
});

test('the facts see a socket at /dev/lxd/sock, and not a plain file there', async () => {
  const s = await lxdRoot(standard());
  try {
    assert.equal(gatherFacts(testHost(s.root)).sockets.lxd, true);
  } finally {
    await s.close();
  }
  const plain = tempDir();
  put(plain, 'dev/lxd/sock', 'not a socket');
  put(plain, 'sys/class/dmi/id/board_name', 'LXD\n');
  const f = gatherFacts(testHost(plain));
  assert.equal(f.sockets.lxd, false);
  assert.equal(f.dmi.boardName, 'LXD');
});

test('LXD as documented: instance-id and hostname from meta-data, cloud-init.* user- and vendor-data, network config, all config keys kept sensitive', async () => {
  const { value: r, error, lines } = await find(standard());
  assert.equal(error, undefined);
  assert.ok(r);
  assert.equal(r.dsname, 'LXD');
  assert.equal(r.cloudName, 'lxd');
  assert.equal(r.platform, 'lxd');
  assert.equal(r.subplatform, 'LXD socket API v. 1.0 (/dev/lxd/sock)');
  assert.equal(r.instanceId, 'c1');
  assert.equal(r.localHostname, 'c1');
  assert.equal(Buffer.from(r.userdata ?? []).toString(), UD, 'cloud-init.user-data wins over user.user-data');
  assert.equal(Buffer.from(r.vendordata ?? []).toString(), VD);
  assert.deepEqual(r.networkConfig, { format: 'v2', config: { version: 2, ethernets: { eth0: { dhcp4: true } } }, source: 'http://lxd/1.0/config/user.network-config (/dev/lxd/sock)' });
  assert.deepEqual(Object.keys((r.sensitive?.config ?? {}) as object).sort(), ['cloud-init.user-data', 'cloud-init.vendor-data', 'user.foo', 'user.network-config', 'user.user-data']);
  assert.ok(lines.some((l) => /ignored config user\.user-data in favour of cloud-init\.user-data/.test(l)));
});

test('LXD user.meta-data is merged over the meta-data; no network config means fallback networking', async () => {
  const { value: r } = await find({ '/1.0/meta-data': MD, '/1.0/config': '["/1.0/config/user.meta-data"]', '/1.0/config/user.meta-data': 'local-hostname: web1\nregion: lab\n' });
  assert.equal(r?.localHostname, 'web1');
  assert.equal(r?.metadata.region, 'lab');
  assert.equal(r?.networkConfig, null);
  assert.equal(r?.userdata, null);
});

test('LXD without the socket is not here, and the local stage does not wait for it', async () => {
  const { log } = testLogger();
  assert.equal(await lxdDatasource.find(dsContext(testHost(tempDir()), {}, log, 'local')), null);
});

test('LXD retries while the API answers 500 and reads the data once it answers', async () => {
  let n = 0;
  const { value: r, seen } = await find(
    standard({
      '/1.0/meta-data': (res) => {
        n++;
        res.writeHead(n < 3 ? 500 : 200);
        res.end(n < 3 ? 'starting' : MD);
      },
    }),
  );
  assert.equal(r?.instanceId, 'c1');
  assert.equal(seen.filter((u) => u === '/1.0/meta-data').length, 3);
});

test('LXD broken answers are refused with the socket URL named', async () => {
  const cases: [string, Routes, RegExp][] = [
    ['meta-data 404', { '/1.0/meta-data': (res) => res.writeHead(404).end('no') }, /http:\/\/lxd\/1\.0\/meta-data \(\/dev\/lxd\/sock\): HTTP 404/],
    ['meta-data not YAML', standard({ '/1.0/meta-data': 'instance-id: [c1\n' }), /http:\/\/lxd\/1\.0\/meta-data \(\/dev\/lxd\/sock\):\d+:\d+: /],
    ['meta-data a list', standard({ '/1.0/meta-data': '- a\n' }), /meta-data \(\/dev\/lxd\/sock\): expected a YAML mapping/],
    ['no instance-id', standard({ '/1.0/meta-data': 'local-hostname: x\n' }), /key "instance-id" is missing/],
    ['config list not JSON', standard({ '/1.0/config': '["/1.0/config/a"' }), /http:\/\/lxd\/1\.0\/config \(\/dev\/lxd\/sock\): not valid JSON .* line 1 col \d+/],
    ['config list an object', standard({ '/1.0/config': '{"a":1}' }), /expected a JSON list of config paths/],
    ['network config without a version', standard({ '/1.0/config/user.network-config': 'ethernets: {}\n' }), /user\.network-config \(\/dev\/lxd\/sock\): key "version" must be 1 or 2/],
    ['network config bad YAML', standard({ '/1.0/config/user.network-config': 'version: 2\n  x: [\n' }), /user\.network-config \(\/dev\/lxd\/sock\):\d+:\d+: /],
    ['oversized meta-data', standard({ '/1.0/meta-data': `instance-id: c1\nx: "${'a'.repeat(5 * 1024 * 1024)}"\n` }), /answer larger than 4194304 bytes; refused/],
    [
      'truncated meta-data',
      standard({
        '/1.0/meta-data': (res) => {
          res.writeHead(200, { 'content-length': '1000' });
          res.write('instance-id: c1\n');
          setTimeout(() => res.destroy(), 20);
        },
      }),
      /meta-data \(\/dev\/lxd\/sock\): (answer cut off|ECONNRESET|aborted)/,
    ],
  ];
  for (const [what, routes, re] of cases) {
    const { error } = await find(routes);
    assert.ok(error instanceof DatasourceError, `${what}: ${error}`);
    assert.match(error.message, re, what);
  }
});

test('LXD pointing the reader outside the config keys is ignored with a warning', async () => {
  const { value: r, seen, lines } = await find(standard({ '/1.0/config': '["/1.0/config/user.foo", "/1.0/../secret", "/other"]' }));
  assert.equal(r?.instanceId, 'c1');
  assert.ok(!seen.includes('/other') && !seen.some((u) => u.includes('secret')));
  assert.equal(lines.filter((l) => /not a config key path/.test(l)).length, 2);
});

test('LXD hanging or answering 500 for ever ends on its budget', async () => {
  const hang = await find(standard({ '/1.0/meta-data': () => {} }), { timeout: 0.2, max_wait: 0.5 });
  assert.match(hang.error?.message ?? '', /meta-data \(\/dev\/lxd\/sock\): no complete answer within \d+ ms/);
  // A budget a loaded machine cannot spend before the first try of meta-data.
  const busy = await find(standard({ '/1.0/meta-data': (res) => res.writeHead(500).end('x') }), { timeout: 0.2, max_wait: 1.5 });
  assert.match(busy.error?.message ?? '', /HTTP 500 until the 1500 ms time budget was used up/);
});

test('LXD currentInstanceId reads only the meta-data', async () => {
  const s = await lxdRoot(standard());
  const { log } = testLogger();
  try {
    assert.equal(await lxdDatasource.currentInstanceId?.(dsContext(testHost(s.root), {}, log, 'local')), 'c1');
    assert.deepEqual(s.seen, ['/1.0/meta-data']);
  } finally {
    await s.close();
  }
});
