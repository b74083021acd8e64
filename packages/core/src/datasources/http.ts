// The metadata HTTP client. A boot must never hang on a metadata service, so every
// request has its own timeout (covering the body too: a response that never ends is
// cut off), retries happen only where a retry can help (408, 429, 5xx, connection
// errors) with a growing pause, everything shares one total time budget, and bodies
// are size-capped, each and all together (one total budget per datasource read, so many
// small answers cannot add up to gigabytes). Redirects are followed only within the
// origin asked (scheme, host and port): another host's answer never becomes the
// metadata, and headers such as the IMDSv2 token are never sent to it. Failures are
// HttpErrors that name the URL and what went wrong.

import { jsonDepthProblem, jsonErrorAt } from '../util/json.js';
import { monotonicMs } from '../host/clock.js';
import type { DatasourceOption } from './types.js';

export type HttpErrorKind = 'status' | 'timeout' | 'connection' | 'too-large' | 'budget' | 'invalid';

export class HttpError extends Error {
  constructor(
    readonly url: string,
    readonly kind: HttpErrorKind,
    message: string,
    /** The HTTP status for kind "status". */
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
    this.reason = message;
  }
  /** The message without the URL. */
  readonly reason: string;
}

export interface HttpResponse {
  url: string;
  status: number;
  body: Uint8Array;
  headers: Headers;
}

export interface HttpOptions {
  /** Per attempt, including reading the body. Default 5000. */
  timeoutMs?: number;
  /** Further attempts after the first, for retryable failures only. Default 3. */
  retries?: number;
  /** Largest body accepted. Default 4 MiB. */
  maxBytes?: number;
  /** First pause between attempts; doubles each time, capped at 2 s. Default 250. */
  backoffMs?: number;
  /** All bodies this client reads, together. Default MAX_TOTAL_METADATA_BYTES. */
  maxTotalBytes?: number;
  /**
   * Redirects: 'same-origin' (default, for metadata services) refuses one to another
   * origin; 'any' follows them as a browser does (#include URLs, which carry no secret).
   */
  redirects?: 'same-origin' | 'any';
}

/** What one datasource read may take in bodies, all requests together: 32 MiB. */
export const MAX_TOTAL_METADATA_BYTES = 32 * 1024 * 1024;

/** Redirects followed for one request. */
const MAX_REDIRECTS = 5;

export interface RequestOptions {
  method?: 'GET' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  /** A request body (the Azure wireserver's health report). */
  body?: string;
  /** Statuses returned as a response instead of thrown (e.g. [404] for optional files). */
  accept?: number[];
  /** Overrides the client's retries for this request (0 for a quick probe). */
  retries?: number;
}

/** Whether a status is worth another attempt: the server may answer differently later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function describeFetchError(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  if (cause?.message) return cause.message;
  return err.message ?? String(e);
}

/**
 * A client with one time budget: created when a datasource starts looking, so all its
 * requests together end within `budgetMs`.
 */
export class MetadataClient {
  private readonly deadline: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxBytes: number;
  private readonly backoffMs: number;
  private readonly maxTotalBytes: number;
  private readonly sameOrigin: boolean;
  /** Body bytes read so far by every request of this client. */
  private received = 0;

  constructor(
    readonly budgetMs: number,
    opts: HttpOptions = {},
    private readonly now: () => number = () => monotonicMs(),
    private readonly debug: (msg: string) => void = () => {},
  ) {
    this.deadline = now() + budgetMs;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.retries = opts.retries ?? 3;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.backoffMs = opts.backoffMs ?? 250;
    this.maxTotalBytes = opts.maxTotalBytes ?? MAX_TOTAL_METADATA_BYTES;
    this.sameOrigin = (opts.redirects ?? 'same-origin') === 'same-origin';
  }

  /** Body bytes read so far, all requests together. */
  receivedBytes(): number {
    return this.received;
  }

  /** Milliseconds left in the budget. */
  remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /**
   * One request with retries. Returns the response for 2xx and the `accept`ed statuses;
   * throws HttpError otherwise.
   */
  async request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const retries = opts.retries ?? this.retries;
    let pause = this.backoffMs;
    let last: HttpError | null = null;
    let attempts = 0;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        // Never sleep past the budget: a pause that would end it is the end.
        if (this.remainingMs() <= pause) break;
        await sleep(pause);
        pause = Math.min(pause * 2, 2000);
      }
      if (this.remainingMs() <= 0) break;
      attempts++;
      try {
        const res = await this.once(url, opts);
        if ((res.status >= 200 && res.status < 300) || opts.accept?.includes(res.status)) return res;
        last = new HttpError(url, 'status', `HTTP ${res.status}`, res.status);
        if (!isRetryableStatus(res.status)) throw last;
        const retryAfter = Number(res.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) pause = Math.max(pause, retryAfter * 1000);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        // Too large, a refused redirect or a bad answer will not change on another attempt.
        if (e.kind === 'too-large' || e.kind === 'invalid' || (e.kind === 'status' && !isRetryableStatus(e.status ?? 0))) throw e;
        last = e;
      }
      this.debug(`${last.message}${attempt < retries ? ', retrying' : ''}`);
    }
    if (!last) throw new HttpError(url, 'budget', `not tried: the ${this.budgetMs} ms time budget is used up`);
    const why = attempts > retries ? `${attempts} attempts` : `${attempts} attempt${attempts === 1 ? '' : 's'} in the ${this.budgetMs} ms budget`;
    throw new HttpError(url, last.kind, `${last.reason} (gave up after ${why})`, last.status);
  }

  /** GET returning the body, or null for 404 (an optional file that is not there). */
  async getOptional(url: string, headers?: Record<string, string>): Promise<Uint8Array | null> {
    const res = await this.request(url, { headers, accept: [404] });
    return res.status === 404 ? null : res.body;
  }

  async get(url: string, headers?: Record<string, string>): Promise<Uint8Array> {
    return (await this.request(url, { headers })).body;
  }

  private async once(url: string, opts: RequestOptions): Promise<HttpResponse> {
    const limit = Math.max(0, Math.round(Math.min(this.timeoutMs, this.remainingMs())));
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, limit);
    try {
      let res: Response;
      let at = url;
      let method = opts.method ?? 'GET';
      let sent = opts.body;
      for (let hops = 0; ; hops++) {
        try {
          res = await fetch(at, { method, headers: opts.headers, body: sent, signal: ctl.signal, redirect: this.sameOrigin ? 'manual' : 'follow' });
        } catch (e) {
          if (timedOut) throw new HttpError(url, 'timeout', `no response within ${limit} ms`);
          throw new HttpError(url, 'connection', `connection failed: ${describeFetchError(e)}`);
        }
        const location = res.headers.get('location');
        if (!this.sameOrigin || res.status < 300 || res.status > 399 || res.status === 304 || location === null) break;
        await res.body?.cancel().catch(() => undefined);
        let next: URL;
        try {
          next = new URL(location, at);
        } catch {
          throw new HttpError(url, 'invalid', `HTTP ${res.status} redirect to a location that is not a URL; refused`);
        }
        if (next.origin !== new URL(url).origin) {
          throw new HttpError(url, 'invalid', `HTTP ${res.status} redirect to another origin (${next.origin}); refused: metadata is read from its own service only`);
        }
        if (hops >= MAX_REDIRECTS) throw new HttpError(url, 'invalid', `more than ${MAX_REDIRECTS} redirects; refused`);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method !== 'GET')) {
          method = 'GET';
          sent = undefined;
        }
        at = next.href;
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > this.maxBytes) {
        ctl.abort();
        throw new HttpError(url, 'too-large', `body of ${declared} bytes is larger than the ${this.maxBytes} allowed`);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      try {
        if (res.body) {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            total += value.length;
            if (total > this.maxBytes) {
              ctl.abort();
              throw new HttpError(url, 'too-large', `body larger than the ${this.maxBytes} allowed`);
            }
            if (this.received + total > this.maxTotalBytes) {
              ctl.abort();
              throw new HttpError(url, 'too-large', `the metadata read so far is larger than the ${this.maxTotalBytes} bytes one datasource may read in total; refused`);
            }
            chunks.push(value);
          }
        }
      } catch (e) {
        if (e instanceof HttpError) throw e;
        if (timedOut) throw new HttpError(url, 'timeout', `body not complete within ${limit} ms (${total} bytes read)`);
        throw new HttpError(url, 'connection', `connection lost while reading the body: ${describeFetchError(e)}`);
      }
      this.received += total;
      const body = new Uint8Array(total);
      let offset = 0;
      for (const c of chunks) {
        body.set(c, offset);
        offset += c.length;
      }
      return { url, status: res.status, body, headers: res.headers };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Decodes a body as UTF-8 text. */
export function bodyText(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/** Parses a JSON body; the error names the URL and says it is not complete or not JSON. */
export function parseJsonBody(url: string, body: Uint8Array): unknown {
  const text = bodyText(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The reason and place from our own scan: V8's message quotes the body, which may hold secrets.
    const { offset, reason } = jsonErrorAt(text);
    const before = text.slice(0, offset);
    throw new HttpError(url, 'invalid', `not valid JSON (${body.length} bytes) at line ${before.split('\n').length} col ${offset - before.lastIndexOf('\n')}: ${reason}`);
  }
  const deep = jsonDepthProblem(text);
  if (deep !== null) throw new HttpError(url, 'invalid', `JSON (${body.length} bytes) at line ${deep.line} col ${deep.col}: ${deep.reason}`);
  return value;
}

export interface MetadataSettings {
  /** Base URLs without a trailing "/". */
  urls: string[];
  timeoutMs: number;
  retries: number;
  /** Total time budget for the whole datasource. */
  budgetMs: number;
}

/** nimbus's budget for a metadata service: about ten seconds, where cloud-init's defaults wait minutes. */
export const METADATA_DEFAULTS = { timeout: 5, retries: 3, maxWait: 10 } as const;

/** The keys metadataSettings reads, as a datasource record states them. */
export const METADATA_SERVICE_OPTIONS: readonly DatasourceOption[] = [
  { key: 'metadata_urls', meaning: 'base URLs tried in order', default: '[http://169.254.169.254]' },
  { key: 'timeout', meaning: 'seconds per request', default: String(METADATA_DEFAULTS.timeout) },
  { key: 'retries', meaning: 'further attempts after the first', default: String(METADATA_DEFAULTS.retries) },
  { key: 'max_wait', meaning: 'total seconds for the datasource; `<= 0` means `(retries+1) × timeout`', default: String(METADATA_DEFAULTS.maxWait) },
];

/**
 * Reads cloud-init's datasource keys `metadata_urls`, `timeout` (s), `retries` and
 * `max_wait` (s, the total budget) from dsCfg. Bad values fall back to the defaults and
 * are reported in `problems`. A max_wait of 0 or less means one round of attempts:
 * (retries + 1) x timeout.
 */
export function metadataSettings(dsCfg: Record<string, unknown>, defaults: { urls: string[]; timeout: number; retries: number; maxWait: number }): MetadataSettings & { problems: string[] } {
  const problems: string[] = [];
  const num = (key: string, def: number, min: number): number => {
    const v = dsCfg[key];
    if (v === undefined || v === null) return def;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min) {
      problems.push(`${key}: ${JSON.stringify(v)} is not a number >= ${min}, using ${def}`);
      return def;
    }
    return n;
  };
  let urls = defaults.urls;
  const raw = dsCfg['metadata_urls'];
  if (raw !== undefined && raw !== null) {
    const list = Array.isArray(raw) ? raw : [raw];
    const good = list.filter((u): u is string => typeof u === 'string' && /^https?:\/\/[^/\s]+/.test(u)).map((u) => u.replace(/\/+$/, ''));
    if (good.length !== list.length)
      problems.push(`metadata_urls: ignoring entries that are not http(s) URLs: ${JSON.stringify(list.filter((u) => !(typeof u === 'string' && /^https?:\/\/[^/\s]+/.test(u))))}`);
    if (good.length > 0) urls = good;
  }
  const timeout = num('timeout', defaults.timeout, 0.001);
  const retries = Math.floor(num('retries', defaults.retries, 0));
  const maxWait = num('max_wait', defaults.maxWait, -Infinity);
  const timeoutMs = Math.round(timeout * 1000);
  const budgetMs = maxWait > 0 ? Math.round(maxWait * 1000) : timeoutMs * (retries + 1);
  return { urls, timeoutMs, retries, budgetMs, problems };
}
