// Shared pieces of the datasource tests: a temp root with a Host on it, a logger that
// keeps its lines, and small HTTP servers on 127.0.0.1 (never any other address).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { ensureCommand } from '../helpers/apt.js';
import { tempDir as sharedTempDir } from '../helpers/temp-root.js';
import { createHost, type Host } from '../../packages/core/src/host/index.js';
import type { ExecMode } from '../../packages/core/src/host/exec.js';
import { Logger } from '../../packages/core/src/log/logger.js';
import type { DatasourceContext } from '../../packages/core/src/datasources/types.js';
import type { DetectFacts } from '../../packages/core/src/datasources/facts.js';

export function tempDir(prefix = 'nimbus-ds-'): string {
  return sharedTempDir(prefix);
}

export function put(root: string, rel: string, content: string | Uint8Array): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

export interface TestLog {
  log: Logger;
  lines: string[];
}

export function testLogger(): TestLog {
  const lines: string[] = [];
  const log = new Logger({ file: (t) => lines.push(...t.split('\n').filter((l) => l !== '')), stderr: () => {} }, { stage: 'test', debug: true, quiet: true });
  return { log, lines };
}

export function testHost(root: string, exec: ExecMode = 'record'): Host {
  return createHost({ root, exec });
}

/** A root whose DMI says it is an OpenStack (or other) machine. */
export function rootWithDmi(dmi: Record<string, string> = {}): string {
  const root = tempDir();
  for (const [k, v] of Object.entries(dmi)) put(root, `sys/class/dmi/id/${k}`, v + '\n');
  fs.mkdirSync(path.join(root, 'sys/class/dmi/id'), { recursive: true });
  return root;
}

export function dsContext(host: Host, dsCfg: Record<string, unknown>, log: Logger, stage: 'local' | 'net' = 'net'): DatasourceContext {
  return { host, log, cfg: {}, dsCfg, stage };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface TestServer {
  url: string;
  /** Every request seen: "METHOD /path". */
  seen: string[];
  close(): Promise<void>;
}

export async function serve(handler: Handler): Promise<TestServer> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function refusedUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function send(res: http.ServerResponse, status: number, body: string | object, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(text);
}

/**
 * The value `fn` gives or the error it throws. No time is taken: a budget test asserts
 * what stopped the work (the error's kind and reason), never how long it took.
 */
export async function settle<T>(fn: () => Promise<T>): Promise<{ value: T | undefined; error: Error | undefined }> {
  try {
    return { value: await fn(), error: undefined };
  } catch (e) {
    return { value: undefined, error: e as Error };
  }
}

/** Skip reason for tests that need genisoimage (installed on first use), or false. */
export const isoSkip: string | false = ensureCommand('genisoimage', 'genisoimage') ? false : 'genisoimage is not installed and could not be installed';

/** Makes an ISO image of a directory tree with genisoimage; returns its bytes. */
export function mkiso(dir: string, args: string[]): Buffer {
  const out = path.join(tempDir('nimbus-iso-'), 'image.iso');
  const r = spawnSync('genisoimage', ['-quiet', '-o', out, ...args, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `genisoimage failed: ${r.stderr}`);
  return fs.readFileSync(out);
}

/** An x86 machine whose DMI shows only `dmi`: no labels, no seeds, a bare command line (the detection tables). */
export function machineFacts(dmi: Partial<DetectFacts['dmi']> = {}, over: Partial<DetectFacts> = {}): DetectFacts {
  return {
    x86: true,
    dmiAvailable: true,
    dmi: { sysVendor: null, productName: null, productSerial: null, productUuid: null, chassisAssetTag: null, boardName: null, ...dmi },
    hypervisorUuid: null,
    pid1ProductName: null,
    container: null,
    cmdline: '',
    filesystems: [],
    seeds: { nocloud: false, nocloudNet: false, configDrive: null, ec2: false, azure: false, ovf: false, opennebula: false, cloudInfo: null },
    sockets: { lxd: false },
    wsl: { kernelRelease: null, drives: [] },
    ...over,
  };
}
