// The vendors' one-shot installer scripts (puppet's AIO install.sh, chef's omnibus
// install.sh), run the way cloud-init runs them: the script is downloaded (tried 1 +
// `retries` times, 1 s apart), written 0700 into a private directory under
// /var/tmp/cloud-init of the tree, run with its arguments, and removed. Unlike
// cloud-init, which waits on a download without limit, each try has a timeout, the
// script a size limit and the run a time budget, so a dead server cannot hold the boot.
import type { ModuleContext } from '../types.js';
import type { ExecResult } from '../../host/exec.js';
import { NIMBUS_VERSION_STRING } from '../../version.js';

export const DOWNLOAD_TIMEOUT_MS = 30_000;
export const SCRIPT_MAX_BYTES = 8 * 1024 * 1024;
export const INSTALLER_BUDGET_MS = 30 * 60_000;
const SECONDS_BETWEEN = 1;

export type Fetched = { ok: true; body: Uint8Array } | { ok: false; why: string };

export interface DownloadDeps {
  fetchOnce(url: string): Promise<Fetched>;
  pause(ms: number): Promise<void>;
}

/** One GET with the timeout and the size limit; its outcome, never a throw. */
export async function fetchOnce(url: string, timeoutMs = DOWNLOAD_TIMEOUT_MS, maxBytes = SCRIPT_MAX_BYTES): Promise<Fetched> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { 'User-Agent': `Cloud-Init/nimbus-${NIMBUS_VERSION_STRING}` }, signal: ctl.signal, redirect: 'follow' });
    if (!res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      return { ok: false, why: `HTTP ${res.status}` };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body !== null) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > maxBytes) {
          ctl.abort();
          return { ok: false, why: `the script is larger than ${maxBytes} bytes` };
        }
        chunks.push(chunk);
      }
    }
    return { ok: true, body: Buffer.concat(chunks) };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, why: ctl.signal.aborted ? `no answer in ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}

const DEFAULT_DEPS: DownloadDeps = { fetchOnce: (u) => fetchOnce(u), pause: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Why a URL cannot be downloaded from, or null (pure). */
export function urlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'it is not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${u.protocol} is not http: or https:`;
  return null;
}

/** Downloads the script, 1 + `retries` tries; the body or every try's reason. */
export async function downloadScript(url: string, retries: number, deps: DownloadDeps = DEFAULT_DEPS): Promise<{ body: Uint8Array | null; tries: string[] }> {
  const tries: string[] = [];
  for (let i = 0; i <= retries; i++) {
    if (i > 0) await deps.pause(SECONDS_BETWEEN * 1000);
    const r = await deps.fetchOnce(url);
    if (r.ok) return { body: r.body, tries };
    tries.push(r.why);
  }
  return { body: null, tries };
}

/**
 * Writes the script 0700 to /var/tmp/cloud-init/<basename>.d/<basename> (a 0700
 * directory) in the tree, runs it with `args` inside the time budget (its output goes to
 * cloud-init-output.log) and removes the directory again.
 */
export function runScript(ctx: ModuleContext, body: Uint8Array, basename: string, args: readonly string[]): ExecResult {
  const dir = `/var/tmp/cloud-init/${basename}.d`;
  const file = `${dir}/${basename}`;
  if (!ctx.host.fs.exists('/var/tmp')) {
    ctx.host.fs.mkdir('/var/tmp', 0o1777);
    ctx.host.fs.chmod('/var/tmp', 0o1777);
  }
  ctx.host.fs.mkdir('/var/tmp/cloud-init', 0o700);
  ctx.host.fs.mkdir(dir, 0o700);
  try {
    ctx.host.fs.write(file, body, { mode: 0o700 });
    return ctx.host.exec.run([file, ...args], { output: 'log', timeoutMs: INSTALLER_BUDGET_MS });
  } finally {
    ctx.host.fs.remove(dir);
  }
}
