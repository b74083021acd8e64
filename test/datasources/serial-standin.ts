// A serial-port stand-in for the CloudSigma and SmartOS tests: a pseudo-terminal the
// test creates (Python's os.openpty, the host side on the master). The datasource runs
// in a child (serial-runner.ts) inside a mount namespace of its own where the pty's
// slave is bind-mounted on <root>/dev/ttyS1, so it opens "/dev/ttyS1" under --root and
// talks to the stand-in; the machine's mounts are untouched, and no serial device of
// this machine is ever opened. Needs root (unshare, mount).
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON3 } from '../helpers/python.js';

export const serialSkip: string | false =
  process.getuid?.() !== 0 ? 'the stand-in port needs root (a mount namespace)' : !fs.existsSync('/dev/ptmx') ? 'no pseudo-terminals here' : !fs.existsSync('/usr/bin/unshare') ? 'no unshare' : false;

/**
 * The host side, scripted: for each request (read until `until`, a regex on the text
 * received so far), the answer given by `reply` (bytes as latin1; null: stay silent).
 * Every request seen is reported back.
 */
const PY = `
import os, sys, tty, json, re, base64, time
m, s = os.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
until = re.compile(sys.argv[1].encode('latin1'), re.S)
replies = json.loads(sys.stdin.readline())
for r in replies:
    req = b''
    while not until.search(req):
        d = os.read(m, 65536)
        if not d:
            break
        req += d
    print(json.dumps(req.decode('latin1')), flush=True)
    if r is None:
        time.sleep(3600)
    data = base64.b64decode(r)
    for i in range(0, len(data), 65536):
        os.write(m, data[i:i + 65536])
sys.stdin.read()
`;

export interface SerialStandIn {
  /** The first `n` requests the stand-in received, in order (latin1 text), once it has reported them. */
  requests(n?: number): Promise<string[]>;
  /** Runs datasource `name`'s find on `root` in the child; its result (user-/vendor-data as text) or error, and its log. */
  find(name: string, dsCfg: Record<string, unknown>): Promise<RunnerOutput>;
  stop(): void;
}

export interface RunnerOutput {
  result?: Record<string, unknown> | null;
  error?: string;
  log: string[];
}

const RUNNER = fileURLToPath(new URL('./serial-runner.js', import.meta.url));

/** Starts the stand-in; <root>/dev/ttyS1 is where the runner's namespace mounts it. */
export async function serialStandIn(root: string, until: string, replies: (Uint8Array | string | null)[]): Promise<SerialStandIn> {
  const b64 = replies.map((r) => (r === null ? null : Buffer.from(r as string, typeof r === 'string' ? 'latin1' : undefined).toString('base64')));
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON3, ['-c', PY, until], { stdio: 'pipe' });
  // The replies on standard input: a large one does not fit the argument list.
  child.stdin.write(`${JSON.stringify(b64)}\n`);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
  const first = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
      else setTimeout(check, 5);
    };
    child.once('exit', (code) => reject(new Error(`serial stand-in ended (${code}) before it was ready`)));
    check();
  });
  const pts = first.trim();
  const dev = path.join(root, 'dev/ttyS1');
  fs.mkdirSync(path.dirname(dev), { recursive: true });
  fs.writeFileSync(dev, '');
  return {
    async requests(n = 1) {
      const lines = () => out.split('\n').slice(1, -1);
      for (let i = 0; i < 400 && lines().length < n; i++) await new Promise((r) => setTimeout(r, 5));
      return lines().map((l) => JSON.parse(l) as string);
    },
    find(name, dsCfg) {
      return findOnPort(pts, root, name, dsCfg);
    },
    stop() {
      child.kill();
    },
  };
}

/** Runs datasource `name`'s find on `root` in a child whose mount namespace has the pty `pts` on <root>/dev/ttyS1. */
export function findOnPort(pts: string, root: string, name: string, dsCfg: Record<string, unknown>): Promise<RunnerOutput> {
  const dev = path.join(root, 'dev/ttyS1');
  fs.mkdirSync(path.dirname(dev), { recursive: true });
  if (!fs.existsSync(dev)) fs.writeFileSync(dev, '');
  const script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';
  return new Promise((resolve) => {
    execFile(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', pts, dev, process.execPath, RUNNER, name, root, JSON.stringify(dsCfg)],
      { encoding: 'utf8' },
      (err, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as RunnerOutput);
        } catch {
          resolve({ error: `runner failed (${err?.message ?? ''}): ${stderr}`, log: [] });
        }
      },
    );
  });
}
