// Whole boots on temp roots: a fake machine tree (os-release, passwd, a seed), the
// four stage bundles from dist/ run with --root (commands recorded), and the CLI.
import { spawnSync } from 'node:child_process';
import { MessageChannel, receiveMessageOnPort, SHARE_ENV, Worker, type MessagePort } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOOT_STAGES, type BootStage } from '../../packages/core/src/stages/stage-names.js';
import { tempDir } from './temp-root.js';
import type { BootAnswer, StageRun, WorkerRequest } from './boot-worker.js';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const DIST = path.join(REPO, 'dist');
export const EXAMPLE_DRIVE = path.join(REPO, 'examples/config-drive');

/** A program's run: its exit code and what it wrote. */
export type Run = StageRun;

/** Runs one of the programs in dist/ (NAME.js) in a process of its own. */
function runDist(program: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [path.join(DIST, program), ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fake physical NIC under <root>/sys/class/net, as the kernel shows one (virtio, up, carrier). */
export function addNic(root: string, name: string, mac: string): void {
  const dir = path.join(root, 'sys/class/net', name);
  const dev = path.join(root, 'sys/devices/pci0000:00/0000:00:03.0/virtio0');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dev, 'driver'), { recursive: true });
  for (const [k, v] of Object.entries({ address: mac, type: '1', operstate: 'up', carrier: '1', mtu: '1500', uevent: `INTERFACE=${name}\n` })) fs.writeFileSync(path.join(dir, k), `${v}\n`);
  if (!fs.existsSync(path.join(dir, 'device'))) fs.symlinkSync(dev, path.join(dir, 'device'));
}

export function makeRoot(opts: { drive?: string | false; osRelease?: string; nics?: [string, string][] } = {}): string {
  const root = tempDir('nimbus-it-');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), opts.osRelease ?? 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\ndemo:x:1001:1002:Demo:/home/demo:/bin/bash\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nadm:x:4:\ndemo:x:1002:\n');
  // A Debian image has ifupdown: /etc/network/interfaces sourcing interfaces.d, and ifup
  // (a file only: under --exec record nothing in the tree is ever run).
  fs.mkdirSync(path.join(root, 'etc/network/interfaces.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/network/interfaces'), 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n');
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  for (const tool of ['ifup', 'ifdown']) fs.writeFileSync(path.join(root, 'usr/sbin', tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  // A suse-family image has wicked and /etc/sysconfig/network: its renderers leave out
  // eni (docs/compat.md), so the ifupdown files above are not what it uses.
  if (/^(ID|ID_LIKE)=.*(suse|sles|sle-micro)/im.test(opts.osRelease ?? '')) {
    fs.mkdirSync(path.join(root, 'etc/sysconfig/network'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/sbin/wicked'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  // The example drive's network_data.json is for this NIC.
  for (const [name, mac] of opts.nics ?? [['eth0', '52:54:00:12:34:56']]) addNic(root, name, mac);
  if (opts.drive !== false) {
    const seed = path.join(root, 'var/lib/cloud/seed/config_drive');
    fs.mkdirSync(seed, { recursive: true });
    fs.cpSync(opts.drive ?? EXAMPLE_DRIVE, seed, { recursive: true });
  }
  return root;
}

/** One stage by its daemon itself: the bundle in dist/ started as a process. */
export function stage(root: string, name: BootStage, ...extra: string[]): Run {
  return runDist(`nimbus-${name}.js`, ['--root', root, ...extra]);
}

/**
 * `nimbus --root ROOT ARGS`: the CLI's commands run in this process's worker
 * (boot-worker.ts), as dist/nimbus.js runs them, with the output collected. The bundle
 * itself is started where a test needs the program (test/boot/lazy-zod, test/cli,
 * test/try, test/userdata/boot-formats).
 */
export function cli(root: string, ...args: string[]): Run {
  return command('--root', root, ...args);
}

/** `nimbus ARGS` with no root of its own (help, generated pages), in the boot worker as cli() runs it. */
export function command(...args: string[]): Run {
  return askWorker({ kind: 'cli', args })[0] as Run;
}

/** A boot by the four daemons themselves, each its own process from its bundle in dist/. */
export function bootDaemons(root: string): Run[] {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
  return BOOT_STAGES.map((s) => stage(root, s));
}

/** The worker the boots of this test process run in, started on the first boot. */
let worker: { thread: Worker; port: MessagePort; signal: Int32Array } | null = null;

function bootWorker(): NonNullable<typeof worker> {
  if (worker === null) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    // SHARE_ENV: a test's NIMBUS_MODULES_DIR reaches the stages as it reaches a child.
    const thread = new Worker(new URL('./boot-worker.js', import.meta.url), { env: SHARE_ENV, workerData: { port: port2, signal }, transferList: [port2] });
    // Between boots the worker waits for work; it must not keep the test process alive.
    thread.unref();
    port1.unref();
    worker = { thread, port: port1, signal };
  }
  return worker;
}

/**
 * A boot: /run is emptied first, as a reboot empties the tmpfs. Returns each stage's run.
 * The four stages run one after another in this process's boot worker (boot-worker.ts),
 * as the daemons would; a test of the daemons themselves (their arguments, their
 * bundles, their code caches) boots with bootDaemons() or stage().
 */
export function boot(root: string): Run[] {
  fs.rmSync(path.join(root, 'run'), { recursive: true, force: true });
  return askWorker({ kind: 'boot', root });
}

/** Hands `req` to the worker and waits for its answer (the worker runs while this thread blocks). */
function askWorker(req: WorkerRequest): Run[] {
  const w = bootWorker();
  Atomics.store(w.signal, 0, 0);
  w.thread.postMessage(req);
  Atomics.wait(w.signal, 0, 0);
  const got = receiveMessageOnPort(w.port)?.message as BootAnswer | undefined;
  if (got === undefined || 'error' in got) throw new Error(`${req.kind === 'boot' ? `boot of ${req.root}` : `nimbus ${req.args.join(' ')}`} failed in the test worker: ${got?.error ?? 'no answer'}`);
  return got.runs;
}

export function read(root: string, p: string): string {
  return fs.readFileSync(path.join(root, p), 'utf8');
}

export function exists(root: string, p: string): boolean {
  return fs.existsSync(path.join(root, p));
}

export function statOf(root: string, p: string): fs.Stats {
  return fs.statSync(path.join(root, p));
}

/** The argv of every command recorded under --exec record. */
export function recorded(root: string): string[][] {
  const p = path.join(root, 'var/log/nimbus-commands.log');
  if (!fs.existsSync(p)) return [];
  return fs
    .readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { argv: string[] }).argv);
}

/** The instance directory (the `instance` link is absolute inside the root). */
export function instanceDir(root: string): string {
  const link = fs.readlinkSync(path.join(root, 'var/lib/cloud/instance'));
  return link;
}

/** A copy of the example drive with its files edited. */
export function driveWith(edit: (dir: string) => void): string {
  const dir = tempDir('nimbus-drive-');
  fs.cpSync(EXAMPLE_DRIVE, dir, { recursive: true });
  edit(dir);
  return dir;
}

export function setUserData(driveDir: string, text: string | Buffer): void {
  for (const v of fs.readdirSync(path.join(driveDir, 'openstack'))) fs.writeFileSync(path.join(driveDir, 'openstack', v, 'user_data'), text);
}

export function noStackTrace(text: string): boolean {
  return !/\n\s+at .+\(.*:\d+:\d+\)/.test(text) && !/^\s+at /m.test(text);
}
