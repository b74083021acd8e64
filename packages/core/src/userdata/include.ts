// #include and #include-once: user-data that lists URLs, one a line, whose contents
// are user-data in turn (any format, nested includes too). Each URL is fetched with a
// timeout, a size limit and a total time budget; #include-once content is kept in
// instances/<iid>/data/urlcache/<md5 of the URL> (0600) and read from there on later
// boots of the same instance, as cloud-init does. Archives are opened here too, so
// every part that reaches the handlers is a leaf.
import { crypto } from '../util/builtin.js';
import type { Logger } from '../log/logger.js';
import type { Host } from '../host/host.js';
import type { Paths } from '../state/paths.js';
import { MetadataClient } from '../datasources/http.js';
import { MAX_USERDATA_BYTES, UserdataBudget } from './limits.js';
import { explodeArchive } from './archive.js';
import { filterLaunchIndex } from './launch-index.js';
import { partName, splitUserdata, type UserPart } from './parts.js';

export interface IncludeSource {
  /** The body of a URL; throws an Error naming the URL and the reason. */
  fetch(url: string): Promise<Uint8Array>;
  /** #include-once cache, or null where there is none (no instance yet). */
  cache: { read(url: string): Uint8Array | null; write(url: string, body: Uint8Array): void } | null;
}

export interface ExpandContext {
  log: Logger;
  source: IncludeSource;
  /** Names a part in messages. */
  label: (p: UserPart) => string;
  /** The whole user-data's size budget, shared with the split that made the parts. */
  budget?: UserdataBudget;
  /** This instance's launch index: parts naming another are left out (null: none filtered). */
  launchIndex?: number | null;
}

export interface IncludeLine {
  url: string;
  once: boolean;
  line: number;
}

const MAX_DEPTH = 10;
const MAX_URLS = 100;

/** The URLs of an include part: the marker may carry one; `#include-once` turns caching on for what follows. */
export function includeUrls(text: string): IncludeLine[] {
  const out: IncludeLine[] = [];
  let once = false;
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    let line = raw;
    const lc = line.toLowerCase();
    if (lc.startsWith('#include-once')) {
      line = line.slice('#include-once'.length).trimStart();
      once = true;
    } else if (lc.startsWith('#include')) {
      line = line.slice('#include'.length).trimStart();
      once = false;
    }
    if (line.startsWith('#')) return;
    const url = line.trim();
    if (url !== '') out.push({ url, once, line: i + 1 });
  });
  return out;
}

/** The name of a URL's #include-once cache file (cloud-init's md5 of the URL). */
export function includeOnceName(url: string): string {
  return crypto().createHash('md5').update(url, 'utf8').digest('hex');
}

const INCLUDE_TYPES = new Set(['text/x-include-url', 'text/x-include-once-url']);

/**
 * Replaces include and archive parts by the parts they stand for, in place and in
 * order; then numbers the parts again (part-001, ...) as cloud-init does. A URL that
 * cannot be fetched, an include loop or too deep nesting is an error for that URL
 * only; every other part is still used.
 */
export async function expandParts(parts: UserPart[], ctx: ExpandContext): Promise<UserPart[]> {
  const state = { urls: 0 };
  const all = await expand(parts, { ...ctx, budget: ctx.budget ?? new UserdataBudget() }, [], state);
  const { parts: out, discarded } = filterLaunchIndex(all, ctx.launchIndex ?? null);
  if (discarded > 0) ctx.log.info(`${discarded} part(s) left out: they are for another launch index than this instance's ${ctx.launchIndex}`);
  return out.map((p, i) => ({ ...p, index: i + 1, filename: /^part-\d{3}$/.test(p.filename) ? partName(i + 1) : p.filename }));
}

async function expand(parts: UserPart[], ctx: ExpandContext, chain: string[], state: { urls: number }): Promise<UserPart[]> {
  const out: UserPart[] = [];
  for (const p of parts) {
    const where = ctx.label(p);
    if (p.contentType === 'text/cloud-config-archive') {
      const r = explodeArchive(p.body, where);
      for (const m of r.problems) ctx.log.error(m);
      for (const m of r.warnings) ctx.log.warn(m);
      out.push(...(await expand(r.parts, { ...ctx, label: (q) => `${where} item ${q.index} (${q.filename})` }, chain, state)));
      continue;
    }
    if (!INCLUDE_TYPES.has(p.contentType)) {
      out.push(p);
      continue;
    }
    const text = Buffer.from(p.body).toString('utf8');
    // A MIME include part without a marker is still a list of URLs; the type says once or not.
    const lines = includeUrls(p.contentType === 'text/x-include-once-url' && !/^#include/i.test(text) ? `#include-once\n${text}` : text);
    for (const inc of lines) {
      const at = `${where} line ${inc.line}`;
      if (chain.includes(inc.url)) {
        ctx.log.error(`${at}: ${inc.url} includes itself (through ${chain.join(' -> ')}); not fetched again`);
        continue;
      }
      if (chain.length >= MAX_DEPTH) {
        ctx.log.error(`${at}: ${inc.url}: includes nested more than ${MAX_DEPTH} deep; not fetched`);
        continue;
      }
      if (++state.urls > MAX_URLS) {
        ctx.log.error(`${at}: ${inc.url}: more than ${MAX_URLS} URLs included in all; not fetched`);
        continue;
      }
      const body = await fetchOne(inc, at, ctx);
      if (body === null) continue;
      let sub: UserPart[];
      try {
        sub = splitUserdata(body, inc.url, ctx.budget);
      } catch (e) {
        ctx.log.error(`${at}: ${(e as Error).message}; this include was not applied`);
        continue;
      }
      const label = (q: UserPart) => (sub.length === 1 ? `${inc.url} (included from ${where})` : `${inc.url} part ${q.index} (${q.filename})`);
      out.push(...(await expand(sub, { ...ctx, label }, [...chain, inc.url], state)));
    }
  }
  return out;
}

async function fetchOne(inc: IncludeLine, at: string, ctx: ExpandContext): Promise<Uint8Array | null> {
  const cache = inc.once ? ctx.source.cache : null;
  const cached = cache?.read(inc.url) ?? null;
  if (cached !== null) {
    ctx.log.info(`${at}: #include-once ${inc.url}: read from the cache (fetched on an earlier boot of this instance)`);
    return cached;
  }
  try {
    const body = await ctx.source.fetch(inc.url);
    ctx.log.info(`${at}: included ${inc.url} (${body.length} bytes)`);
    if (cache) cache.write(inc.url, body);
    return body;
  } catch (e) {
    ctx.log.error(`${at}: ${(e as Error).message}; this include was not applied`);
    return null;
  }
}

export interface IncludeFetchOptions {
  /** Per attempt (cloud-init uses 5 s). */
  timeoutMs?: number;
  retries?: number;
  /** For all includes of one boot together. */
  budgetMs?: number;
}

/**
 * Includes as the init stage fetches them: http(s) through the metadata client (timeout,
 * retries only where they can help, a total budget, the user-data size limit); file://
 * read inside the root; the #include-once cache under the instance directory.
 */
export function hostIncludeSource(host: Host, paths: Paths, opts: IncludeFetchOptions = {}): IncludeSource {
  let client: MetadataClient | null = null;
  const cacheFile = (url: string) => paths.instance(`data/urlcache/${includeOnceName(url)}`);
  return {
    async fetch(url) {
      if (/^https?:\/\//i.test(url)) {
        // Includes may be redirected anywhere, as cloud-init follows them: no secret goes with them.
        client ??= new MetadataClient(opts.budgetMs ?? 60_000, { timeoutMs: opts.timeoutMs ?? 5000, retries: opts.retries ?? 3, maxBytes: MAX_USERDATA_BYTES, redirects: 'any' });
        return (await client.request(url)).body;
      }
      if (/^file:\/\//i.test(url)) {
        const path = decodeURIComponent(url.replace(/^file:\/\/(localhost)?/i, ''));
        const body = host.fs.read(path);
        if (body === null) throw new Error(`${url}: no such file`);
        return new Uint8Array(body);
      }
      throw new Error(`${url}: not supported: URL scheme (only http://, https:// and file:// can be included)`);
    },
    cache: {
      read: (url) => {
        const b = host.fs.read(cacheFile(url));
        return b === null ? null : new Uint8Array(b);
      },
      write: (url, body) => host.fs.write(cacheFile(url), body, { mode: 0o600 }),
    },
  };
}
