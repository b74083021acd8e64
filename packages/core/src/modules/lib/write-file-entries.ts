// Writing the entries of `write_files`, shared by write_files (init stage) and
// write_files_deferred (final stage, entries with defer: true). Each entry that
// cannot be written is reported with its file and line, and the others still are.
import { gunzipBounded } from '../../userdata/gzip.js';
import { pyB64Decode } from '../../userdata/py-base64.js';
import { resolveOwner } from '../../host/passwd.js';
import { isDict } from '../../config/merge.js';
import type { ModuleContext, Z } from '../types.js';
import { MetadataClient } from '../../datasources/http.js';

/** Limits of `source:` fetches: one file, all files of one run, and the time for all of them. */
export const SOURCE_MAX_BYTES = 16 * 1024 * 1024;
export const SOURCE_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
export const SOURCE_BUDGET_MS = 60_000;

/** Where a `source.uri` may be read from: a file in the tree (file://) or an http(s) server. */
export function sourceTarget(uri: string): { kind: 'file'; path: string } | { kind: 'http'; url: string } | { bad: string } {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return { bad: `${JSON.stringify(uri)} is not a URI` };
  }
  if (u.protocol === 'file:') {
    if (u.host !== '' && u.host !== 'localhost') return { bad: `file URI ${JSON.stringify(uri)} names a host` };
    return { kind: 'file', path: decodeURIComponent(u.pathname) };
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return { kind: 'http', url: u.href };
  return { bad: `${u.protocol.replace(/:$/, '')} URIs are not supported (file, http and https are)` };
}

type Fetcher = (uri: string, headers: Record<string, string> | undefined) => Promise<Uint8Array>;

/** Reads `source.uri`: file:// under the tree's root, http(s) with the metadata client's limits. */
function makeFetcher(ctx: ModuleContext): Fetcher {
  let client: MetadataClient | null = null;
  return async (uri, headers) => {
    const t = sourceTarget(uri);
    if ('bad' in t) throw new Error(t.bad);
    if (t.kind === 'file') {
      const st = ctx.host.fs.stat(t.path);
      if (st === null || !st.isFile) throw new Error(`${t.path} is not a file`);
      if (st.size > SOURCE_MAX_BYTES) throw new Error(`${t.path} is larger than the ${SOURCE_MAX_BYTES} bytes allowed`);
      return new Uint8Array(ctx.host.fs.read(t.path) ?? new Uint8Array());
    }
    // cloud-init tries 4 times, 3 s apart; one client bounds every fetch of this run together.
    client ??= new MetadataClient(SOURCE_BUDGET_MS, { timeoutMs: 10_000, retries: 3, backoffMs: 1000, maxBytes: SOURCE_MAX_BYTES, maxTotalBytes: SOURCE_MAX_TOTAL_BYTES, redirects: 'any' });
    return (await client.request(t.url, { headers: headers ?? {} })).body;
  };
}

export const writeFilesSchema = (z: Z) => {
  const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'binary content');
  return z.object({
    write_files: z
      .array(
        z.object({
          path: z.string(),
          content: z.union([z.string(), bytes]).optional(),
          source: z.object({ uri: z.string(), headers: z.record(z.string(), z.string()).optional() }).optional(),
          owner: z.string().optional(),
          permissions: z.union([z.string(), z.number()]).optional(),
          encoding: z.enum(['gz', 'gzip', 'gz+base64', 'gzip+base64', 'gz+b64', 'gzip+b64', 'b64', 'base64', 'text/plain']).optional(),
          append: z.boolean().optional(),
          defer: z.boolean().optional(),
        }),
      )
      .optional(),
  });
};

export const ENCODINGS = ['b64', 'base64', 'gz', 'gzip', 'gz+b64', 'gz+base64', 'gzip+b64', 'gzip+base64', 'text/plain'];

function asBytes(content: unknown): Uint8Array {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return new Uint8Array(Buffer.from(content, 'utf8'));
  if (content === undefined || content === null) return new Uint8Array();
  // cloud-init writes str() of other scalars; numbers and booleans are common by mistake.
  return new Uint8Array(Buffer.from(String(content), 'utf8'));
}

function fromBase64(content: unknown, what: string): Uint8Array {
  // As Python's base64.b64decode: what cloud-init writes, nimbus writes.
  try {
    return pyB64Decode(content instanceof Uint8Array ? content : String(content ?? ''));
  } catch (e) {
    throw new Error(`${what}: content is not valid base64 (${(e as Error).message})`);
  }
}

/** Decodes content by its `encoding`; throws naming the expected encodings for an unknown one. */
export function decodeContent(content: unknown, encoding: unknown, what: string): Uint8Array {
  const enc = encoding === undefined || encoding === null ? 'text/plain' : String(encoding).toLowerCase().trim();
  switch (enc) {
    case 'text/plain':
      return asBytes(content);
    case 'b64':
    case 'base64':
      return fromBase64(content, what);
    case 'gz':
    case 'gzip':
      return gunzipBounded(asBytes(content), what);
    case 'gz+b64':
    case 'gz+base64':
    case 'gzip+b64':
    case 'gzip+base64':
      return gunzipBounded(fromBase64(content, what), what);
    default:
      throw new Error(`unknown encoding ${JSON.stringify(encoding)}; expected one of ${ENCODINGS.join(', ')}`);
  }
}

/** Mode from an int (as YAML 0644 gives) or an octal string ("0644", "644", "0o644"). */
export function decodePermissions(v: unknown, ctx: ModuleContext, where: string): number {
  if (v === undefined || v === null) return 0o644;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0o7777) throw new Error(`permissions ${v} is not a file mode (0 to 07777)`);
    // An unquoted 644 is the decimal number 644, which cloud-init also takes as is.
    if (v >= 100 && /^[0-7]{3,4}$/.test(String(v))) {
      ctx.log.warn(`${where}permissions ${v} is the decimal number ${v} (mode 0${v.toString(8)}); write '0${v}' to mean mode 0${v}`);
    }
    return v;
  }
  const s = String(v).trim().replace(/^0o/i, '');
  if (!/^[0-7]{1,5}$/.test(s) || Number.parseInt(s, 8) > 0o7777) throw new Error(`permissions ${JSON.stringify(v)} is not an octal file mode such as '0644'`);
  return Number.parseInt(s, 8);
}

export async function writeFileEntries(ctx: ModuleContext, deferred: boolean): Promise<void> {
  const list = ctx.cfg.write_files;
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    ctx.log.error(`${ctx.source.where(['write_files'])}write_files must be a list of files, got ${typeof list}`);
    return;
  }
  let written = 0;
  const fetchSource = makeFetcher(ctx);
  for (const [i, entry] of (list as unknown[]).entries()) {
    const at = (key?: string) => ctx.source.where(key === undefined ? ['write_files', i] : ['write_files', i, key]);
    if (!isDict(entry)) {
      ctx.log.error(`${at()}write_files[${i}]: expected a mapping with path and content`);
      continue;
    }
    if (Boolean(entry.defer) !== deferred) continue;
    try {
      const path = entry.path;
      if (typeof path !== 'string' || path === '') throw Object.assign(new Error('path is missing'), { key: 'path' });
      if (!path.startsWith('/')) throw Object.assign(new Error(`path ${JSON.stringify(path)} must be absolute`), { key: 'path' });
      // As cloud-init: a source's body is written as fetched (no decoding); when it cannot
      // be fetched, the content (decoded) is used, and with no content the file is skipped.
      let content: Uint8Array | null = null;
      const src = isDict(entry.source) ? entry.source : null;
      if (entry.source !== undefined && entry.source !== null && src === null) throw Object.assign(new Error('source must be a mapping with uri'), { key: 'source' });
      const uri = src?.uri;
      if (src !== null && uri !== undefined && uri !== null && typeof uri !== 'string') throw Object.assign(new Error('source.uri must be a string'), { key: 'source' });
      if (typeof uri === 'string' && uri !== '') {
        const headers = isDict(src?.headers) ? Object.fromEntries(Object.entries(src.headers).map(([k, v]) => [k, String(v)])) : undefined;
        try {
          content = await fetchSource(uri, headers);
          ctx.log.debug(`write_files[${i}]: ${content.length} bytes from ${uri}`);
        } catch (e) {
          if (entry.content === undefined || entry.content === null)
            throw Object.assign(new Error(`source ${uri} could not be read (${(e as Error).message}) and there is no content to fall back to`), { key: 'source' });
          ctx.log.warn(`${at('source')}write_files[${i}]: source ${uri} could not be read (${(e as Error).message}); writing its content instead`);
        }
      }
      if (content === null) {
        try {
          content = decodeContent(entry.content, entry.encoding, `write_files[${i}] (${path})`);
        } catch (e) {
          throw Object.assign(e as Error, { key: 'encoding' });
        }
      }
      let mode: number;
      try {
        mode = decodePermissions(entry.permissions, ctx, at('permissions'));
      } catch (e) {
        throw Object.assign(e as Error, { key: 'permissions' });
      }
      const ownerSpec = typeof entry.owner === 'string' ? entry.owner : 'root:root';
      let owner: ReturnType<typeof resolveOwner>;
      try {
        owner = resolveOwner(ctx.host.fs, ownerSpec);
      } catch (e) {
        throw Object.assign(e as Error, { key: 'owner' });
      }
      // Appending to a file that is there keeps its mode and owner unless the entry sets
      // them: a line added to /etc/shadow or a 0600 secret must not make it 0644 root:root.
      const existing = entry.append === true ? ctx.host.fs.stat(path) : null;
      let shownOwner = ownerSpec;
      if (existing?.isFile) {
        if (entry.permissions === undefined || entry.permissions === null) mode = existing.mode;
        if (typeof entry.owner !== 'string') {
          owner = { uid: existing.uid, gid: existing.gid };
          shownOwner = `${existing.uid}:${existing.gid} (kept)`;
        }
      }
      ctx.host.fs.write(path, content, { mode, owner, append: entry.append === true });
      written++;
      ctx.log.info(`wrote ${path} (${content.length} bytes, mode 0${mode.toString(8)}, owner ${shownOwner}${entry.append === true ? ', appended' : ''})`);
    } catch (e) {
      const key = (e as { key?: string }).key;
      ctx.log.error(`${at(key)}write_files[${i}]: ${(e as Error).message}; this file was not written`);
    }
  }
  ctx.log.debug(`${written} file(s) written`);
}
