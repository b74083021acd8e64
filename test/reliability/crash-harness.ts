// The crash-consistency harness: the stage bundles from dist/ run on temp roots with
// --exec record, SIGKILLed at random points — after a random number of write steps
// (NIMBUS_TEST_KILL_AFTER_WRITES, host/rootfs.ts) or after a random delay within the
// stage's runtime — and the machine "reboots" (/run emptied, all four stages again).
// Every file is then compared with a clean boot's, and the command record is counted.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIST, EXAMPLE_DRIVE, addNic } from '../helpers/boot.js';
import { BOOT_STAGES, type BootStage } from '../../packages/core/src/stages/stage-names.js';
import { tempDir } from '../helpers/temp-root.js';

export const STAGES = BOOT_STAGES;
export type Stage = BootStage;

export interface StageRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stderr: string;
}

/** Runs one stage bundle; kills it with SIGKILL after `killAfterMs` when given. */
export function runStage(root: string, stage: Stage, opts: { killAfterWrites?: number; killAfterMs?: number } = {}): Promise<StageRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NIMBUS_TEST_KILL_AFTER_WRITES'];
  if (opts.killAfterWrites !== undefined) env['NIMBUS_TEST_KILL_AFTER_WRITES'] = String(opts.killAfterWrites);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(DIST, `nimbus-${stage}.js`), '--root', root, '--exec', 'record'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = opts.killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, ms: performance.now() - t0, stderr });
    });
  });
}

/** A reboot: /run is a tmpfs. */
export function emptyRun(root: string): void {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
}

export async function boot(root: string): Promise<StageRun[]> {
  emptyRun(root);
  const out: StageRun[] = [];
  for (const s of STAGES) out.push(await runStage(root, s));
  return out;
}

export const IID = 'crash-0001';
const BIG = 'x'.repeat(256 * 1024) + '\n';

/** User-data touching every per-instance path: files (one large), runcmd, scripts of each frequency, a boothook. */
export function crashUserData(): string {
  const cc = [
    '#cloud-config',
    'write_files:',
    ...Array.from({ length: 6 }, (_, i) => [`  - path: /etc/crash/file-${i}.conf`, `    content: "file ${i} complete\\n"`, `    permissions: '0640'`]).flat(),
    '  - path: /etc/crash/big.txt',
    `    content: ${BIG.length} bytes`,
    '  - path: /etc/crash/deferred.txt',
    '    content: "deferred complete\\n"',
    '    defer: true',
    // users_groups and ssh run again after a crash (they are safe to): their sudo rule
    // and login keys must be there after every recovery.
    'users:',
    '  - default',
    '  - name: crashuser',
    '    sudo: "ALL=(ALL) NOPASSWD:ALL"',
    '    ssh_authorized_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICrashKeyCrashKeyCrashKey crash@example"]',
    'runcmd:',
    '  - [touch, /var/tmp/runcmd-marker]',
    '  - echo runcmd-line',
    '',
  ]
    .join('\n')
    .replace(`${BIG.length} bytes`, JSON.stringify(BIG));
  const part = (type: string, name: string, body: string) => `--XX\nContent-Type: ${type}; charset="us-ascii"\nContent-Disposition: attachment; filename="${name}"\n\n${body}\n`;
  return [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XX"',
    '',
    part('text/cloud-config', 'config.yaml', cc),
    part('text/x-shellscript', 'user-script.sh', '#!/bin/sh\necho user script\n'),
    part('text/x-shellscript-per-instance', 'per-instance.sh', '#!/bin/sh\necho per instance\n'),
    part('text/x-shellscript-per-once', 'per-once.sh', '#!/bin/sh\necho per once\n'),
    part('text/x-shellscript-per-boot', 'per-boot.sh', '#!/bin/sh\necho per boot\n'),
    part('text/cloud-boothook', 'hook.sh', '#!/bin/sh\necho boothook\n'),
    '--XX--',
    '',
  ].join('\n');
}

/** A small Debian tree: os-release, passwd, group, ifupdown (files only) and one NIC, eth0. */
export function debianTree(prefix: string): string {
  const root = tempDir(prefix);
  fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
  fs.writeFileSync(path.join(root, 'etc/network/interfaces'), 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n');
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  for (const tool of ['ifup', 'ifdown']) fs.writeFileSync(path.join(root, 'usr/sbin', tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  addNic(root, 'eth0', '52:54:00:12:34:56');
  return root;
}

export function makeCrashRoot(): string {
  const root = debianTree('nimbus-crash-');
  const seed = path.join(root, 'var/lib/cloud/seed/config_drive');
  fs.cpSync(EXAMPLE_DRIVE, seed, { recursive: true });
  for (const v of fs.readdirSync(path.join(seed, 'openstack'))) {
    const dir = path.join(seed, 'openstack', v);
    fs.writeFileSync(path.join(dir, 'user_data'), crashUserData());
    const md = JSON.parse(fs.readFileSync(path.join(dir, 'meta_data.json'), 'utf8')) as Record<string, unknown>;
    md['uuid'] = IID;
    fs.writeFileSync(path.join(dir, 'meta_data.json'), JSON.stringify(md));
  }
  return root;
}

/** Every entry under root: path -> 'dir' | 'link:<target>' | file content (Buffer). */
export function tree(root: string): Map<string, Buffer | string> {
  const out = new Map<string, Buffer | string>();
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = fs.lstatSync(path.join(root, r));
      if (st.isSymbolicLink()) out.set(r, `link:${fs.readlinkSync(path.join(root, r))}`);
      else if (st.isDirectory()) {
        out.set(r, 'dir');
        walk(r);
      } else out.set(r, fs.readFileSync(path.join(root, r)));
    }
  };
  walk('');
  return out;
}

// The temp-dir journal is append-only like a log: its lines come in the order processes
// first wrote in each directory, which a crash and its recovery may change.
export const LOGS = new Set(['var/log/cloud-init.log', 'var/log/cloud-init-output.log', 'var/log/nimbus-commands.log', 'var/lib/cloud/data/nimbus-temp-dirs']);
export const TEMP_FILE = /(^|\/)\.[^/]+\.nimbus-\d+-[a-z0-9]{1,8}$/;

/** File content with what differs between any two clean boots (times, pids) masked. */
export function normalize(rel: string, content: Buffer): string {
  let t = content.toString('utf8');
  if (/\/sem\/config_[^/]+$/.test(rel) || /^var\/lib\/cloud\/sem\//.test(rel)) t = t.replace(/^\d+: [\d.]+\n$/, 'PID: TIME\n');
  if (rel.endsWith('/boot-finished')) t = t.replace(/^[\d.]+ - [^\n]+ - v\. /, 'UPTIME - DATE - v. ');
  t = t.replace(/\b1[6-9]\d{8}(\.\d+)?\b/g, 'TIME');
  // RFC 2822 dates in file headers ("Created by nimbus ... on Sun, 22 Nov 2026 03:17:33 +0000").
  t = t.replace(/\b[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\b/g, 'DATE');
  t = t.replace(/"(start|finished)": ?null/g, '"$1": TIME');
  return t;
}

export interface Record_ {
  argv: string[];
}

/** The command record; throws on a line that is not complete JSON (a torn append). */
export function commandRecord(root: string): Record_[] {
  const p = path.join(root, 'var/log/nimbus-commands.log');
  if (!fs.existsSync(p)) return [];
  const text = fs.readFileSync(p, 'utf8');
  if (text !== '' && !text.endsWith('\n')) throw new Error('the command record ends in a torn line');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record_);
}
