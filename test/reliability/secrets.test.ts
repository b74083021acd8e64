// test-lane: full (whole boots searched file by file for secrets)
// Secrets: a whole boot with marker secrets in user-data, vendor-data, the admin password,
// EC2-style credentials on OpenStack and IAM credentials from an IMDSv2 stand-in (all on
// 127.0.0.1). Every file under the root is searched: a marker may only be in a file no one
// but its owner (root) can read, never in a log, the command record or a stage's stderr
// (the journal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { DIST } from '../helpers/boot.js';
import { LOGS, STAGES, runStage, type StageRun } from './crash-harness.js';
import { cloudRoot, imdsHandler, novaHandler, serve } from './metadata.js';

const M = {
  userdata: 'MARKER-USERDATA-7f3a',
  runcmd: 'MARKER-RUNCMD-91cc',
  vendor: 'MARKER-VENDOR-2b8e',
  adminPass: 'MARKER-ADMINPASS-c0de',
  ec2: 'MARKER-EC2CRED-5d1f',
  iam: 'MARKER-IAMSECRET-e4a9',
  ec2UserData: 'MARKER-EC2USERDATA-aa01',
};

interface Finding {
  file: string;
  marker: string;
  mode: number;
}

/** Every (file, marker) under root; directories walked without following links. */
function findMarkers(root: string, markers: string[]): Finding[] {
  const out: Finding[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = fs.lstatSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) {
        const text = fs.readFileSync(path.join(root, r), 'latin1');
        for (const m of markers) if (text.includes(m)) out.push({ file: r, marker: m, mode: st.mode & 0o7777 });
      }
    }
  };
  walk('');
  return out;
}

function cli(root: string, ...args: string[]): Promise<StageRun & { stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(DIST, 'nimbus.js'), '--root', root, '--exec', 'record', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code, signal) => resolve({ code, signal, ms: performance.now() - t0, stderr, stdout }));
  });
}

function checkNoLeak(root: string, stderr: string, markers: string[], mustFind: string[]): Finding[] {
  const found = findMarkers(root, markers);
  for (const f of found) {
    assert.ok(!LOGS.has(f.file), `${f.marker} is in the log ${f.file}`);
    assert.equal(f.mode & 0o077, 0, `${f.marker} is in ${f.file}, mode 0${f.mode.toString(8)}: readable by others`);
    assert.equal(fs.statSync(path.join(root, f.file)).uid, process.getuid?.() ?? 0, `${f.file} belongs to root`);
  }
  for (const m of markers) assert.ok(!stderr.includes(m), `${m} reached stderr (the journal)`);
  // The test can fail: each marker did reach the machine, in a private file.
  for (const m of mustFind)
    assert.ok(
      found.some((f) => f.marker === m),
      `${m} is nowhere: the boot did not get it`,
    );
  return found;
}

test('OpenStack: user-data, vendor-data, admin_pass and EC2 credentials never leak', { timeout: 120_000 }, async () => {
  const srv = await serve(
    novaHandler({
      meta: { uuid: 'iid-secrets-os', hostname: 'secret-host', admin_pass: M.adminPass, public_keys: { k: 'ssh-ed25519 AAAA k' } },
      userData: `#cloud-config\n# ${M.userdata}\nruncmd:\n  - [echo, ${M.runcmd}]\nwrite_files:\n  - path: /etc/app/token\n    content: ${M.userdata}\n    permissions: '0600'\n`,
      vendorData: { 'cloud-init': `#cloud-config\n# ${M.vendor}\nruncmd: [[echo, ${M.vendor}]]\n` },
      networkData: null,
      ec2Secrets: { AccessKeyId: 'AKIAEXAMPLE', SecretAccessKey: M.ec2 },
    }),
  );
  const root = cloudRoot('openstack', srv.url);
  try {
    let stderr = '';
    for (const s of STAGES) {
      const r = await runStage(root, s, {});
      stderr += r.stderr;
      assert.ok(r.code === 0 || r.code === 1, `${s}: ${r.stderr}`);
    }
    for (const args of [
      ['query', '--all'],
      ['status', '--long'],
      ['status', '--format', 'json'],
    ]) {
      const r = await cli(root, ...args);
      stderr += r.stderr;
      // `query --all` as root prints the sensitive data: that is its job. The others never do.
      if (args[0] !== 'query') for (const m of Object.values(M)) assert.ok(!r.stdout.includes(m), `${args.join(' ')} printed ${m}`);
    }
    // collect-logs (what users attach to bug reports) leaves every secret out.
    const tar = path.join(root, '..', `${path.basename(root)}-logs.tar.gz`);
    const c = await cli(root, 'collect-logs', '--tarfile', tar);
    assert.equal(c.code, 0, c.stderr);
    try {
      const unpacked = gunzipSync(fs.readFileSync(tar)).toString('latin1');
      assert.ok(unpacked.includes('cloud-init.log'), 'the tarball holds the logs');
      for (const m of Object.values(M)) assert.ok(!unpacked.includes(m), `collect-logs packed ${m}: …${unpacked.slice(Math.max(0, unpacked.indexOf(m) - 600), unpacked.indexOf(m) + 100)}`);
    } finally {
      fs.rmSync(tar, { force: true });
    }
    assert.match(fs.readFileSync(path.join(root, 'run/cloud-init/instance-data.json'), 'utf8'), /"instance_id": "iid-secrets-os"/);
    const found = checkNoLeak(root, stderr, Object.values(M), [M.userdata, M.runcmd, M.vendor, M.adminPass, M.ec2]);
    assert.ok(found.some((f) => f.file === 'run/cloud-init/instance-data-sensitive.json' && f.marker === M.adminPass));
    process.stdout.write(`# secrets (OpenStack): ${found.length} marker occurrences, all in 0600 root files\n`);
  } finally {
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('EC2: IAM credentials and user-data from an IMDSv2 stand-in never leak', { timeout: 120_000 }, async () => {
  const srv = await serve(imdsHandler({ userData: `#!/bin/sh\necho ${M.ec2UserData}\n`, secret: M.iam, instanceId: 'i-0secrets' }));
  const root = cloudRoot('aws', srv.url);
  try {
    let stderr = '';
    for (const s of STAGES) {
      const r = await runStage(root, s, {});
      stderr += r.stderr;
      assert.ok(r.code === 0 || r.code === 1, `${s}: ${r.stderr}`);
    }
    assert.match(fs.readFileSync(path.join(root, 'var/lib/cloud/data/instance-id'), 'utf8'), /i-0secrets/);
    const found = checkNoLeak(root, stderr, [M.iam, M.ec2UserData], [M.iam, M.ec2UserData]);
    process.stdout.write(`# secrets (EC2): ${found.length} marker occurrences, all in 0600 root files\n`);
  } finally {
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('bootcmd entries (user data) never reach the command record', { timeout: 120_000 }, async () => {
  const srv = await serve(novaHandler({ meta: { uuid: 'iid-bootcmd' }, userData: `#cloud-config\nbootcmd:\n  - [echo, ${M.userdata}]\n  - echo ${M.runcmd}\n`, vendorData: {}, networkData: null }));
  const root = cloudRoot('openstack', srv.url);
  try {
    let stderr = '';
    for (const s of STAGES) stderr += (await runStage(root, s, {})).stderr;
    checkNoLeak(root, stderr, [M.userdata, M.runcmd], [M.userdata, M.runcmd]);
    // The bootcmd script is made from user-data: collect-logs without -u leaves it out.
    const tar = path.join(root, '..', `${path.basename(root)}-logs.tar.gz`);
    const c = await cli(root, 'collect-logs', '--tarfile', tar);
    assert.equal(c.code, 0, c.stderr);
    try {
      const unpacked = gunzipSync(fs.readFileSync(tar)).toString('latin1');
      for (const m of [M.userdata, M.runcmd]) assert.ok(!unpacked.includes(m), `collect-logs packed ${m}`);
    } finally {
      fs.rmSync(tar, { force: true });
    }
  } finally {
    await srv.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
