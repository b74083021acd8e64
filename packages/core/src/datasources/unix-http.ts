// HTTP over a Unix socket (LXD's /dev/lxd/sock): GET requests with the same guards as
// the metadata client (http.ts): a timeout per request that covers the body, one time
// budget for every request together, capped bodies, and retries only where the
// platform says a retry helps. The socket lives under the root; connecting to it runs
// nothing from the tree.
// node:http is loaded on first use (util/builtin.ts): only LXD guests need it.
import { http as nodeHttp } from '../util/builtin.js';
import { HttpError } from './http.js';

export interface UnixResponse {
  status: number;
  body: Uint8Array;
}

export interface UnixClientOptions {
  /** The socket's real path on this machine. */
  socketPath: string;
  /** How the socket is named in messages ("/dev/lxd/sock"). */
  label: string;
  timeoutMs: number;
  budgetMs: number;
  /** Largest body accepted; all bodies together may be 8 times that. */
  maxBytes: number;
  now: () => number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A client with one time budget and one size budget, for one datasource read. */
export class UnixHttpClient {
  private readonly deadline: number;
  private received = 0;

  constructor(private readonly o: UnixClientOptions) {
    this.deadline = o.now() + o.budgetMs;
  }

  /** How a path is named in messages: "http://lxd/1.0/meta-data (/dev/lxd/sock)". */
  urlOf(path: string): string {
    return `http://lxd${path} (${this.o.label})`;
  }

  /**
   * GET `path`. A 500 is retried (LXD answers 500 while it is still starting), with a
   * short pause, as long as the budget lasts; other statuses are returned as they are.
   */
  async get(path: string): Promise<UnixResponse> {
    for (;;) {
      const r = await this.once(path);
      if (r.status !== 500) return r;
      if (this.o.now() + 100 >= this.deadline) throw new HttpError(this.urlOf(path), 'budget', `HTTP 500 until the ${this.o.budgetMs} ms time budget was used up`);
      await sleep(100);
    }
  }

  private once(path: string): Promise<UnixResponse> {
    const url = this.urlOf(path);
    const left = Math.round(Math.min(this.o.timeoutMs, this.deadline - this.o.now()));
    if (left <= 0) return Promise.reject(new HttpError(url, 'budget', `not tried: the ${this.o.budgetMs} ms time budget is used up`));
    return new Promise<UnixResponse>((resolve, reject) => {
      let settled = false;
      const finish = (e: HttpError | null, r?: UnixResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        if (e) reject(e);
        else resolve(r as UnixResponse);
      };
      const req = nodeHttp().request({ socketPath: this.o.socketPath, path, method: 'GET', headers: { host: 'lxd' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          this.received += c.length;
          if (size > this.o.maxBytes) return finish(new HttpError(url, 'too-large', `answer larger than ${this.o.maxBytes} bytes; refused`));
          if (this.received > this.o.maxBytes * 8) return finish(new HttpError(url, 'too-large', `answers together larger than ${this.o.maxBytes * 8} bytes; refused`));
          chunks.push(c);
        });
        res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', (e) => finish(new HttpError(url, 'connection', e.message)));
        res.on('aborted', () => finish(new HttpError(url, 'connection', `answer cut off after ${size} bytes`)));
      });
      const timer = setTimeout(() => finish(new HttpError(url, 'timeout', `no complete answer within ${left} ms`)), left);
      req.on('error', (e: NodeJS.ErrnoException) => finish(new HttpError(url, 'connection', e.code ?? e.message)));
      req.end();
    });
  }
}
