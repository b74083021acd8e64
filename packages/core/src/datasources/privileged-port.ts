// A GET from a privileged source port (below 1024). Scaleway's metadata service hands
// out user-data and vendor-data only to such a connection, as proof that root asks:
// any user can read the metadata, only root can bind those ports. fetch cannot choose
// its source port, so this is node:http with `localPort`, under the same rules as
// MetadataClient: a timeout per attempt that covers the body, a size cap, no redirect
// followed (another host's answer never becomes the data), retries only on connection
// errors, timeouts, 408/429/5xx, all within the caller's time budget. A port that is
// taken (EADDRINUSE, a connection to the same place still closing) moves on to the next.
import * as http from 'node:http';
import { HttpError, isRetryableStatus } from './http.js';

export interface PrivilegedGetOptions {
  timeoutMs: number;
  /** Further attempts after the first, for retryable failures. */
  retries: number;
  /** Milliseconds left in the datasource's budget, asked before each attempt. */
  remainingMs: () => number;
  maxBytes?: number;
  /** Statuses returned instead of thrown (Scaleway's 404: no user-data). */
  accept?: number[];
  /** The first source port tried; the next attempts take the following ones. Default 1. */
  firstPort?: number;
  debug?: (msg: string) => void;
}

/** Source ports tried when one is taken, at most, before giving up. */
const PORTS_TRIED = 64;

/** Errors of binding the source port: another port may do. */
const BIND_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL']);

function once(url: URL, port: number, timeoutMs: number, maxBytes: number): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const req = http.request({
      host,
      port: url.port === '' ? 80 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      localAddress: host.includes(':') ? '::' : '0.0.0.0',
      localPort: port,
      agent: false,
      headers: { Connection: 'close' },
    });
    const timer = setTimeout(() => {
      req.destroy(new HttpError(url.href, 'timeout', `no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e instanceof HttpError) reject(e);
      else reject(Object.assign(new HttpError(url.href, 'connection', `connection failed from source port ${port}: ${e.code ?? e.message}`), { code: e.code }));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        clearTimeout(timer);
        req.destroy();
        reject(new HttpError(url.href, 'invalid', `HTTP ${status} redirect; refused: this data is read from its own service only`));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        clearTimeout(timer);
        req.destroy();
        reject(new HttpError(url.href, 'too-large', `body of ${declared} bytes is larger than the ${maxBytes} allowed`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > maxBytes) {
          req.destroy(new HttpError(url.href, 'too-large', `body larger than the ${maxBytes} allowed`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, body: new Uint8Array(Buffer.concat(chunks)) });
      });
      res.on('error', () => undefined); // reported through req's error
    });
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * GETs `url` from a source port below 1024, trying the next port when one is taken or
 * the attempt failed in a way another attempt may mend. Returns the status and body for
 * 2xx and `accept`ed statuses; throws HttpError naming the URL otherwise.
 */
export async function privilegedGet(url: string, opts: PrivilegedGetOptions): Promise<{ status: number; body: Uint8Array }> {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new HttpError(url, 'invalid', 'only http:// is read from a privileged source port');
  let port = opts.firstPort ?? 1;
  let attempts = 0;
  let pause = 250;
  let last: HttpError | null = null;
  for (let tried = 0; tried < PORTS_TRIED && port < 1024; tried++, port++) {
    const left = opts.remainingMs();
    if (left <= 0) break;
    try {
      const res = await once(target, port, Math.min(opts.timeoutMs, left), opts.maxBytes ?? 4 * 1024 * 1024);
      if ((res.status >= 200 && res.status < 300) || opts.accept?.includes(res.status)) return res;
      last = new HttpError(url, 'status', `HTTP ${res.status}`, res.status);
      if (!isRetryableStatus(res.status)) throw last;
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      if (e.kind === 'too-large' || e.kind === 'invalid' || (e.kind === 'status' && !isRetryableStatus(e.status ?? 0))) throw e;
      last = e;
      const code = (e as HttpError & { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM') throw new HttpError(url, 'connection', `binding source port ${port} needs root (${code}): the service answers only a privileged port`);
      if (BIND_ERRORS.has((e as HttpError & { code?: string }).code ?? '')) {
        opts.debug?.(`${e.message}; trying the next source port`);
        continue;
      }
    }
    attempts++;
    if (attempts > opts.retries) break;
    opts.debug?.(`${last.message}, retrying from source port ${port + 1}`);
    if (opts.remainingMs() <= pause) break;
    await sleep(pause);
    pause = Math.min(pause * 2, 2000);
  }
  if (last === null) throw new HttpError(url, 'budget', 'not tried: the time budget is used up');
  throw new HttpError(url, last.kind, `${last.reason} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, last.status);
}
