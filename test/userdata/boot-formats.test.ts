// Whole boots (the dist/ stage bundles on temp roots, commands recorded) with user-data
// in the formats users write: a MIME message made by Python's email.mime, gzip that the
// cloud delivers after decoding the user's base64, a three-part runcmd merge, includes
// served from 127.0.0.1; and the init stage's schema check, which warns and goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { BootStage } from '../../packages/core/src/stages/stage-names.js';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { boot, cli, command, DIST, driveWith, exists, makeRoot, read, recorded, setUserData, statOf, type Run } from '../helpers/boot.js';
import { tempDir } from '../helpers/temp-root.js';
import { PYTHON3 } from '../helpers/python.js';

const IID = '8c0a2d6e-5b4f-4f0e-9d6a-1f3e2b7c9a10';
const INST = `var/lib/cloud/instances/${IID}`;

function rootWithUserData(userdata: string | Buffer): string {
  return makeRoot({ drive: driveWith((d) => setUserData(d, userdata)) });
}

function python(script: string, ...args: string[]): Buffer {
  const r = spawnSync(PYTHON3, ['-c', script, ...args], { maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

function statusJson(root: string): { errors: string[]; recoverable: string[] } {
  const s = JSON.parse(read(root, 'run/cloud-init/status.json')) as { v1: Record<string, { errors?: string[]; recoverable_errors?: Record<string, string[]> }> };
  const errors: string[] = [];
  const recoverable: string[] = [];
  for (const st of ['init-local', 'init', 'modules-config', 'modules-final']) {
    errors.push(...(s.v1[st]?.errors ?? []));
    for (const list of Object.values(s.v1[st]?.recoverable_errors ?? {})) recoverable.push(...list);
  }
  return { errors, recoverable };
}

const MIME_PY = `
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
msg = MIMEMultipart()
script = MIMEText("#!/bin/sh\\necho 'from the MIME script' > /var/tmp/mime-script\\n", "x-shellscript")
script.add_header("Content-Disposition", "attachment", filename="setup.sh")
msg.attach(script)
cc = MIMEText("#cloud-config\\nwrite_files:\\n  - path: /etc/mime-demo.conf\\n    content: written from a MIME part\\n    permissions: '0640'\\nruncmd:\\n  - echo from runcmd\\n", "cloud-config", "utf-8")
cc.add_header("Content-Disposition", "attachment", filename="config.yaml")
msg.attach(cc)
job = MIMEText("description \\"demo job\\"\\nstart on runlevel [2345]\\nexec /usr/bin/demo\\n", "upstart-job")
job.add_header("Content-Disposition", "attachment", filename="demo-job")
msg.attach(job)
sys.stdout.write(msg.as_string())
`;

test("MIME from Python's email.mime: script, cloud-config (base64) and upstart job split, stored and applied", () => {
  const message = python(MIME_PY);
  assert.match(message.toString(), /Content-Transfer-Encoding: base64/); // the utf-8 part
  const root = rootWithUserData(message);
  const runs = boot(root);
  runs.forEach((r, i) => assert.notEqual(r.code, 1, `stage ${i}: ${r.stderr}`));
  // The script: stored under its MIME filename, 0700, byte for byte; run by scripts_user.
  assert.equal(read(root, `${INST}/scripts/setup.sh`), "#!/bin/sh\necho 'from the MIME script' > /var/tmp/mime-script\n");
  assert.equal(statOf(root, `${INST}/scripts/setup.sh`).mode & 0o777, 0o700);
  // The cloud-config: decoded from base64 and applied.
  assert.equal(read(root, 'etc/mime-demo.conf'), 'written from a MIME part');
  assert.equal(statOf(root, 'etc/mime-demo.conf').mode & 0o777, 0o640);
  assert.equal(read(root, `${INST}/scripts/runcmd`), '#!/bin/sh\necho from runcmd\n');
  // The upstart job, as the classic handler writes it; this root has no upstart: a warning.
  assert.equal(read(root, 'etc/init/demo-job.conf'), 'description "demo job"\nstart on runlevel [2345]\nexec /usr/bin/demo\n');
  assert.ok(statusJson(root).recoverable.some((m) => /upstart job demo-job written to \/etc\/init, but this system has no upstart/.test(m)));
  const ran = recorded(root).map((a) => a[0]);
  assert.ok(ran.includes(`/${INST}/scripts/setup.sh`) && ran.includes(`/${INST}/scripts/runcmd`), JSON.stringify(ran));
  // user-data.txt is what was delivered; .txt.i the parts as processed.
  assert.equal(fs.readFileSync(path.join(root, `${INST}/user-data.txt`)).toString(), message.toString());
  assert.match(read(root, `${INST}/user-data.txt.i`), /text\/upstart-job/);
  assert.equal(statusJson(root).errors.length, 0);
  assert.equal(cli(root, 'status').code, 2); // degraded: the upstart warning
});

const GZ_CC = '#cloud-config\nwrite_files:\n  - path: /etc/from-gzip.txt\n    content: "delivered gzipped\\n"\n';

test('gzip+base64 user data: the cloud decodes the base64 the user gave and serves gzip, which nimbus inflates', () => {
  // What a user passes to `openstack server create --user-data` / EC2 RunInstances: base64 of gzip.
  const userGives = gzipSync(GZ_CC).toString('base64');
  // Nova and EC2 decode it; the config drive's user_data holds the gzip bytes (cloud-init decodes no base64 there).
  const root = rootWithUserData(Buffer.from(userGives, 'base64'));
  boot(root).forEach((r, i) => assert.equal(r.code, 0, `stage ${i}: ${r.stderr}`));
  assert.equal(read(root, 'etc/from-gzip.txt'), 'delivered gzipped\n');
  assert.equal(read(root, `${INST}/cloud-config.txt`), GZ_CC);
  assert.equal(cli(root, 'status').code, 0);
});

test('gzip user-data in a NoCloud seed, and a gzip MIME part in base64 transfer encoding', () => {
  const root = makeRoot({ drive: false });
  const seed = path.join(root, 'var/lib/cloud/seed/nocloud');
  fs.mkdirSync(seed, { recursive: true });
  fs.writeFileSync(path.join(seed, 'meta-data'), 'instance-id: iid-gz\nlocal-hostname: gz\n');
  const mime = python(
    `import sys, gzip
from email.mime.multipart import MIMEMultipart
from email.mime.application import MIMEApplication
m = MIMEMultipart()
m.attach(MIMEApplication(gzip.compress(sys.argv[1].encode()), "x-gzip"))
sys.stdout.write(m.as_string())`,
    '#cloud-config\nwrite_files:\n  - path: /etc/from-gzip-part.txt\n    content: "gzip MIME part\\n"\n',
  );
  assert.match(mime.toString(), /Content-Type: application\/x-gzip[\s\S]*Content-Transfer-Encoding: base64/);
  fs.writeFileSync(path.join(seed, 'user-data'), gzipSync(mime));
  boot(root).forEach((r, i) => assert.equal(r.code, 0, `stage ${i}: ${r.stderr}`));
  assert.equal(read(root, 'etc/from-gzip-part.txt'), 'gzip MIME part\n');
});

test('base64 text as user-data is not decoded (cloud-init does not either): a warning, nothing applied', () => {
  const root = rootWithUserData(Buffer.from(GZ_CC).toString('base64'));
  boot(root);
  assert.ok(!exists(root, 'etc/from-gzip.txt'));
  assert.ok(statusJson(root).recoverable.some((m) => /unhandled user-data/.test(m)));
});

test('three cloud-config parts whose runcmd lists are appended (make-mime, merge_how and a Merge-Type header)', () => {
  const dir = tempDir('nimbus-mm-');
  fs.writeFileSync(path.join(dir, 'a.yaml'), '#cloud-config\nruncmd:\n  - echo one\n');
  fs.writeFileSync(path.join(dir, 'b.yaml'), '#cloud-config\nmerge_how: list(append)+dict(recurse_array)+str()\nruncmd:\n  - echo two\n');
  fs.writeFileSync(path.join(dir, 'c.yaml'), '#cloud-config\nmerge_type: "list(append)+dict(recurse_array)+str()"\nruncmd:\n  - [echo, three]\n');
  const mm = command('devel', 'make-mime', '-a', `${dir}/a.yaml:cloud-config`, '-a', `${dir}/b.yaml:cloud-config`, '-a', `${dir}/c.yaml:cloud-config`);
  assert.equal(mm.code, 0, mm.stderr);
  const root = rootWithUserData(mm.stdout);
  boot(root).forEach((r, i) => assert.equal(r.code, 0, `stage ${i}: ${r.stderr}`));
  assert.equal(read(root, `${INST}/scripts/runcmd`), "#!/bin/sh\necho one\necho two\n'echo' 'three'\n");
  assert.match(read(root, `${INST}/cloud-config.txt`), /^#cloud-config\n# merged from 3 parts/);
  // Without merge_how the last part's list replaces the others (cloud-init's default).
  const plain = python(`
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
m = MIMEMultipart()
for c in ("one", "two", "three"):
    m.attach(MIMEText("#cloud-config\\nruncmd: [echo %s]\\n" % c, "cloud-config"))
sys.stdout.write(m.as_string())`);
  const root2 = rootWithUserData(plain);
  boot(root2);
  assert.equal(read(root2, `${INST}/scripts/runcmd`), '#!/bin/sh\necho three\n');
});

test("an init-stage module sees the parts merged by merge_how: both parts' write_files are written, as cloud-config.txt lists them", () => {
  const dir = tempDir('nimbus-mm-');
  fs.writeFileSync(path.join(dir, 'a.yaml'), '#cloud-config\nwrite_files:\n  - path: /etc/from-part-one.txt\n    content: "one\\n"\n');
  fs.writeFileSync(path.join(dir, 'b.yaml'), '#cloud-config\nmerge_how: list(append)+dict(recurse_array)+str()\nwrite_files:\n  - path: /etc/from-part-two.txt\n    content: "two\\n"\n');
  const mm = command('devel', 'make-mime', '-a', `${dir}/a.yaml:cloud-config`, '-a', `${dir}/b.yaml:cloud-config`);
  fs.rmSync(dir, { recursive: true });
  assert.equal(mm.code, 0, mm.stderr);
  const root = rootWithUserData(mm.stdout);
  const [local, init] = boot(root);
  assert.equal(local?.code, 0, local?.stderr);
  assert.equal(init?.code, 0, init?.stderr);
  // write_files is in cloud_init_modules: it ran in the init stage, on the same merge
  // that the config and final stages read back from cloud-config.txt.
  assert.match(read(root, `${INST}/cloud-config.txt`), /from-part-one[\s\S]*from-part-two/);
  assert.equal(read(root, 'etc/from-part-two.txt'), 'two\n');
  assert.equal(read(root, 'etc/from-part-one.txt'), 'one\n');
  fs.rmSync(root, { recursive: true });
});

/** A stage run without blocking this process, so the test's HTTP server can answer. */
function stageAsync(root: string, name: BootStage): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(DIST, `nimbus-${name}.js`), '--root', root]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function bootAsync(root: string): Promise<Run[]> {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
  const out: Run[] = [];
  for (const s of ['local', 'init', 'config', 'final'] as const) out.push(await stageAsync(root, s));
  return out;
}

test('#include and #include-once served from 127.0.0.1; include-once comes from the cache on the next boot', async () => {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/config') res.end('#cloud-config\nwrite_files:\n  - path: /etc/included.txt\n    content: "from an include\\n"\nruncmd: [echo included]\n');
    else if (req.url === '/script') res.end('#!/bin/sh\necho included script\n');
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const root = rootWithUserData(`#include-once\n${base}/config\n#include\n${base}/script\n`);
  try {
    (await bootAsync(root)).forEach((r, i) => assert.equal(r.code, 0, `stage ${i}: ${r.stderr}`));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.deepEqual(hits, ['/config', '/script']);
  assert.equal(read(root, 'etc/included.txt'), 'from an include\n');
  assert.equal(read(root, `${INST}/scripts/runcmd`), '#!/bin/sh\necho included\n');
  assert.equal(read(root, `${INST}/scripts/part-002`), '#!/bin/sh\necho included script\n');
  const cacheDir = path.join(root, `${INST}/data/urlcache`);
  assert.equal(fs.readdirSync(cacheDir).length, 1); // only the #include-once URL
  assert.equal(statOf(root, `${INST}/data/urlcache/${fs.readdirSync(cacheDir)[0]}`).mode & 0o777, 0o600);

  // Second boot, the server gone: the include-once part still comes (from the cache);
  // the plain include cannot be fetched: an error naming the URL, the boot goes on.
  const runs = await bootAsync(root);
  assert.equal(runs[1]?.code, 1);
  assert.match(read(root, `${INST}/cloud-config.txt`), /from an include/);
  const errors = statusJson(root).errors;
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0] ?? '', new RegExp(`user-data\\.txt line 4: ${base}/script: connection failed`));
  assert.equal(runs[3]?.code, 0);
});

test('init stage: the schema check warns with file:line:col and goes on; status is degraded', () => {
  const root = rootWithUserData('#cloud-config\nruncmnd:\n  - echo typo\nfinal_message: 12\nmanage-resolv-conf: true\nwrite_files:\n  - path: /etc/still-written\n    content: "yes\\n"\n');
  boot(root).forEach((r, i) => assert.notEqual(r.code, 1, `stage ${i}: ${r.stderr}`));
  assert.equal(read(root, 'etc/still-written'), 'yes\n');
  const { errors, recoverable } = statusJson(root);
  const file = `/${INST}/user-data.txt`;
  assert.ok(recoverable.includes(`schema ${file}:2:1: warning: runcmnd: unknown cloud-config key; did you mean runcmd?`), recoverable.join('\n'));
  assert.ok(recoverable.includes(`schema ${file}:4:1: error: final_message: expected a string, got the number 12`), recoverable.join('\n'));
  assert.ok(
    recoverable.some((m) => m.startsWith(`schema ${file}:5:1: deprecated: manage-resolv-conf: deprecated spelling: use manage_resolv_conf`)),
    recoverable.join('\n'),
  );
  assert.ok(!errors.some((e) => e.startsWith('schema ')));
  const st = cli(root, 'status', '--long');
  assert.equal(st.code, 2);
  assert.match(st.stdout, /degraded done/);
  assert.match(read(root, 'var/log/cloud-init.log'), /runcmnd: unknown cloud-config key/);
});

test('nimbus schema on the dist CLI: exit codes, --annotate, --system, -t network-config', () => {
  const dir = tempDir('nimbus-schema-');
  const ok = path.join(dir, 'ok.yaml');
  const bad = path.join(dir, 'bad.yaml');
  const warn = path.join(dir, 'warn.yaml');
  const net = path.join(dir, 'net.yaml');
  fs.writeFileSync(ok, '#cloud-config\nruncmd: [ls]\n');
  fs.writeFileSync(bad, '#cloud-config\nruncmd: 5\nruncmnd: [a]\n');
  fs.writeFileSync(warn, '#cloud-config\nmanage-resolv-conf: true\n');
  fs.writeFileSync(net, 'version: 2\nethernets:\n  eth0: {dhcp4: maybe}\n');
  const run = (...args: string[]) => {
    const c = command(...args);
    return { status: c.code, stdout: c.stdout, stderr: c.stderr };
  };
  let r = run('schema', '--config-file', ok);
  assert.deepEqual([r.status, r.stdout], [0, `Valid cloud-config: ${ok}\n`]);
  r = run('schema', '-c', bad);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `${bad}:2:1: error: runcmd: expected a list, got the number 5\n${bad}:3:1: warning: runcmnd: unknown cloud-config key; did you mean runcmd?\n`);
  assert.equal(r.stderr, `Error: Invalid cloud-config ${bad}: 1 error, 1 warning\n`);
  r = run('schema', '-c', bad, '--annotate');
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^#cloud-config\nruncmd: 5\t\t# E1\nruncmnd: \[a\]\t\t# W1\n\n# Errors: -------------\n# E1: line 2 column 1: runcmd: /);
  r = run('schema', '-c', warn);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /deprecated: manage-resolv-conf[\s\S]*Valid cloud-config: .* \(1 deprecation\)/);
  r = run('devel', 'schema', '-t', 'network-config', '-c', net);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /net\.yaml:3:10: error: ethernets\.eth0\.dhcp4: expected a boolean/);
  assert.equal(run('schema').status, 1);
  assert.equal(run('schema', '-c', path.join(dir, 'missing.yaml')).status, 1);
  assert.equal(run('schema', '-c', ok, '--system').status, 1);
  // --system: the instance's cloud-config.txt, under --root.
  const root = rootWithUserData('#cloud-config\nruncmd: [ls]\nfinal_mesage: x\n');
  assert.equal(cli(root, 'schema', '--system').code, 1); // no instance yet
  boot(root);
  const sys = cli(root, 'schema', '--system');
  assert.equal(sys.code, 0, sys.stderr);
  assert.match(sys.stdout, /cloud-config\.txt:3:1: warning: final_mesage: unknown cloud-config key; did you mean final_message\?/);
});
