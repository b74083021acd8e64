// The demo: a scratch machine tree holding the example config drive, booted twice by
// the stage bundles with --root (commands recorded, nothing run on this machine).
// What it prints comes from what the stages left behind: their log's start/finish
// events, the files that changed in the tree, and the command record.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-demo-'));
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
fs.cpSync(path.join(repo, 'examples/config-drive'), path.join(root, 'var/lib/cloud/seed/config_drive'), { recursive: true });
// The machine: one virtio NIC with the MAC the drive's network_data.json names, and
// ifupdown (its files only: commands are recorded, never run).
const nic = path.join(root, 'sys/class/net/eth0');
const dev = path.join(root, 'sys/devices/pci0000:00/0000:00:03.0/virtio0');
fs.mkdirSync(nic, { recursive: true });
fs.mkdirSync(path.join(dev, 'driver'), { recursive: true });
for (const [k, v] of Object.entries({ address: '52:54:00:12:34:56', type: '1', operstate: 'up', carrier: '1', mtu: '1500' })) fs.writeFileSync(path.join(nic, k), `${v}\n`);
fs.symlinkSync(dev, path.join(nic, 'device'));
fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
fs.writeFileSync(path.join(root, 'etc/network/interfaces'), 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n');
fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
for (const tool of ['ifup', 'ifdown']) fs.writeFileSync(path.join(root, 'usr/sbin', tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });

function snapshot() {
  const out = new Map();
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) walk(p);
      else out.set('/' + path.relative(root, p), `${st.size}:${st.mtimeMs}:${st.mode}`);
    }
  };
  walk(root);
  return out;
}

function describe(p) {
  const st = fs.lstatSync(path.join(root, p));
  if (st.isSymbolicLink()) return `link        -> ${fs.readlinkSync(path.join(root, p))}`;
  const owner = st.uid === 0 && st.gid === 0 ? 'root:root' : `${st.uid}:${st.gid}`;
  return `${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${owner.padEnd(9)} ${String(st.size).padStart(5)} B`;
}

const EVENT = /- [^[]+\[DEBUG\]: finish: ([^/]+)\/config-(\S+): (SUCCESS|FAIL|SKIP): (.*) \((\d+) ms\)$/;
const WORD = { SUCCESS: 'ran', FAIL: 'FAILED', SKIP: 'skipped' };

function bootOnce(n, title) {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true }); // a reboot empties /run
  const logFile = path.join(root, 'var/log/cloud-init.log');
  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const cmdFile = path.join(root, 'var/log/nimbus-commands.log');
  const cmdStart = fs.existsSync(cmdFile) ? fs.statSync(cmdFile).size : 0;
  const before = snapshot();
  console.log(bold(`\nboot ${n}: ${title}`));
  for (const [stage, label] of [
    ['local', 'init-local'],
    ['init', 'init'],
    ['config', 'modules-config'],
    ['final', 'modules-final'],
  ]) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(repo, 'dist', `nimbus-${stage}.js`), '--root', root], { encoding: 'utf8' });
    const ms = Math.round(performance.now() - t0);
    console.log(`  ${bold(label.padEnd(15))} ${String(ms).padStart(4)} ms  exit ${r.status}`);
    for (const line of r.stderr.split('\n').filter((l) => /^<[0-4]>/.test(l))) console.log(`    ${line.replace(/^<\d>/, '! ')}`);
  }
  const log = fs.readFileSync(logFile, 'utf8').slice(logStart).split('\n');
  const absent = [];
  const unconfigured = [];
  let stageShown = '';
  for (const line of log) {
    const m = EVENT.exec(line);
    if (!m) continue;
    const [, stage, mod, status, full, ms] = m;
    const reason = full.replace(/^config-\S+ /, '');
    if (status === 'SKIP' && /not supported, nothing configured/.test(reason)) {
      absent.push(mod);
      continue;
    }
    if (status === 'SKIP' && /^no .* configuration/.test(reason)) {
      unconfigured.push(mod);
      continue;
    }
    if (stage !== stageShown) {
      console.log(`  ${dim(stage)}`);
      stageShown = stage;
    }
    console.log(`    ${mod.padEnd(22)} ${WORD[status].padEnd(8)} ${ms.padStart(4)} ms  ${dim(reason)}`);
  }
  if (unconfigured.length > 0) console.log(dim(`    skipped, nothing configured for them: ${unconfigured.join(', ')}`));
  if (absent.length > 0) console.log(dim(`    ${absent.length} more in the stock lists are not in nimbus yet (nothing was configured for them, so nothing was lost)`));
  const after = snapshot();
  const changed = [...after.keys()].filter((p) => before.get(p) !== after.get(p) && p !== '/var/log/cloud-init.log').sort();
  const machine = changed.filter((p) => !p.startsWith('/var/lib/cloud/') && !p.startsWith('/run/') && !p.startsWith('/var/log/'));
  const state = changed.filter((p) => !machine.includes(p));
  console.log(`  files written on the machine (${machine.length}):`);
  for (const p of machine) console.log(`    ${describe(p)}  ${p}`);
  console.log(`  nimbus state written (${state.length}): ${dim(state.map((p) => p.replace(/^\/var\/lib\/cloud\/instances\/[^/]+/, '<instance>')).join(', ') || 'none')}`);
  const cmds = fs.existsSync(cmdFile) ? fs.readFileSync(cmdFile, 'utf8').slice(cmdStart).trim().split('\n').filter(Boolean) : [];
  console.log(`  commands recorded, not run (${cmds.length}):`);
  for (const c of cmds) console.log(`    ${JSON.parse(c).argv.join(' ')}`);
  const st = spawnSync(process.execPath, [path.join(repo, 'dist', 'nimbus.js'), '--root', root, 'status', '--long'], { encoding: 'utf8' });
  console.log(`  ${bold('nimbus status')} (exit ${st.status}):`);
  for (const l of st.stdout.trim().split('\n')) console.log(`    ${l}`);
  return st.status;
}

console.log(bold('nimbus demo') + ` — the example config drive (examples/config-drive) booted on a scratch root:\n  ${root}`);
console.log(dim('  Every stage runs as the boot would run it, with --root and commands recorded instead of run.'));
const first = bootOnce(1, 'a new instance');
const second = bootOnce(2, 'the same instance again: per-instance modules are skipped');
console.log(`\nLook around: ls -R ${root}   (cloud-init.log is in var/log)`);
process.exitCode = first === 0 && second === 0 ? 0 : 1;
