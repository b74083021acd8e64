// Datasources as a booting machine finds them: a config drive and a cidata disk as
// ISO images on /dev/sr0 (read without mounting, as under --root), NoCloud from the
// kernel command line with an http seed on 127.0.0.1, and a machine with none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DIST, EXAMPLE_DRIVE, boot, cli, exists, makeRoot, read, type Run } from '../helpers/boot.js';
import { ensureCommand } from '../helpers/apt.js';
import { tempDir } from '../helpers/temp-root.js';

const haveGenisoimage = ensureCommand('genisoimage', 'genisoimage');

function iso(srcDir: string, label: string, out: string): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync('genisoimage', ['-quiet', '-J', '-R', '-V', label, '-o', out, srcDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('a config-2 ISO on /dev/sr0 is found and read without mounting', { skip: !haveGenisoimage && 'genisoimage could not be installed' }, () => {
  const root = makeRoot({ drive: false });
  iso(EXAMPLE_DRIVE, 'config-2', path.join(root, 'dev/sr0'));
  const runs = boot(root);
  runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
  const status = JSON.parse(read(root, 'run/cloud-init/status.json')) as { v1: { datasource: string } };
  assert.match(status.v1.datasource, /^DataSourceConfigDrive \[net,ver=2\]\[source=\/dev\/sr0/);
  assert.equal(read(root, 'etc/demo/from-binary.txt'), 'nimbus demo: written from !!binary gzip\n');
  const id = JSON.parse(read(root, 'run/cloud-init/instance-data.json')) as { v1: { subplatform: string } };
  assert.equal(id.v1.subplatform, 'config-disk (/dev/sr0)');
  const verdict = JSON.parse(read(root, 'run/cloud-init/ds-identify.json')) as { verdict: { datasources: string[] } };
  assert.deepEqual(verdict.verdict.datasources, ['ConfigDrive', 'None']);
});

test("a cidata ISO is NoCloud's", { skip: !haveGenisoimage && 'genisoimage could not be installed' }, () => {
  const seed = tempDir('nimbus-cidata-');
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-cidata-1\nlocal-hostname: from-cidata\n');
  fs.writeFileSync(path.join(seed, 'user-data'), '#cloud-config\nwrite_files:\n  - path: /etc/cidata-was-here\n    content: yes it was\n');
  const root = makeRoot({ drive: false });
  iso(seed, 'cidata', path.join(root, 'dev/sr1'));
  boot(root).forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(read(root, 'var/lib/cloud/data/instance-id'), 'iid-cidata-1\n');
  assert.equal(read(root, 'etc/cidata-was-here'), 'yes it was');
  assert.equal(cli(root, 'query', 'local_hostname').stdout, 'from-cidata\n');
});

function stageAsync(root: string, name: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(DIST, `nimbus-${name}.js`), '--root', root], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('ds=nocloud-net;s=http://127.0.0.1/... on the kernel command line: read in the init stage', async () => {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const files: Record<string, string> = {
      '/seed/meta-data': 'instance-id: iid-http-1\n',
      '/seed/user-data': '#cloud-config\nwrite_files:\n  - path: /etc/from-http-seed\n    content: fetched\n',
    };
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200);
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const root = makeRoot({ drive: false });
    fs.mkdirSync(path.join(root, 'proc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'proc/cmdline'), `BOOT_IMAGE=/vmlinuz ro ds=nocloud-net;s=http://127.0.0.1:${port}/seed/;h=web-7 quiet\n`);
    const local = await stageAsync(root, 'local');
    assert.equal(local.code, 0, local.stderr);
    assert.equal(hits.length, 0, 'the local stage waits for no network');
    for (const s of ['init', 'config', 'final']) {
      const r = await stageAsync(root, s);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(read(root, 'etc/from-http-seed'), 'fetched');
    assert.equal(read(root, 'var/lib/cloud/data/instance-id'), 'iid-http-1\n');
    assert.ok(hits.includes('/seed/meta-data') && hits.includes('/seed/user-data'));
    const pub = JSON.parse(read(root, 'run/cloud-init/instance-data.json')) as { v1: { local_hostname: string; subplatform: string } };
    assert.equal(pub.v1.local_hostname, 'web-7', 'h= on the command line names the host');
    assert.equal(pub.v1.subplatform, `seed-url (http://127.0.0.1:${port}/seed/)`);
  } finally {
    server.close();
  }
});

test('no datasource: the probe says None before any wait, and every stage finishes', () => {
  const root = makeRoot({ drive: false });
  const runs = boot(root);
  runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
  const rec = JSON.parse(read(root, 'run/cloud-init/ds-identify.json')) as { verdict: { datasources: string[]; summary: string } };
  assert.deepEqual(rec.verdict.datasources, ['None']);
  assert.match(read(root, 'run/cloud-init/cloud.cfg'), /^datasource_list: \[ None \]$/m);
  const log = read(root, 'var/log/cloud-init.log');
  assert.doesNotMatch(log, /OpenStack metadata|IMDS|169\.254/, 'no metadata service was asked');
  assert.ok(exists(root, 'var/lib/cloud/instances/iid-datasource-none/boot-finished'));
});
