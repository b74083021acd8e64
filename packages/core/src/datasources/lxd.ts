// LXD: the instance's meta-data and its `cloud-init.*` / `user.*` configuration keys
// from the dev-lxd API, HTTP over the Unix socket /dev/lxd/sock that LXD puts into
// every container (and lxd-agent into every VM). Found by the socket, or on a VM
// before the agent made it by the DMI board name `LXD`.
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { DatasourceError } from './types.js';
import { HttpError, bodyText, metadataSettings, parseJsonBody } from './http.js';
import { UnixHttpClient, type UnixResponse } from './unix-http.js';
import { networkConfigOf, yamlOf } from './network-config.js';
import { isDict, type Dict } from '../config/merge.js';

export const LXD_SOCKET = '/dev/lxd/sock';
const API = '/1.0';
/** Largest single answer; an LXD config value is at most a few hundred KiB in practice. */
const LXD_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Config keys that become user-data, vendor-data and network config. The `cloud-init.*`
 * spelling wins over the older `user.*` one (they are read in sorted order, first wins).
 */
const ALIASES: Readonly<Record<string, 'user-data' | 'vendor-data' | 'network-config'>> = {
  'cloud-init.user-data': 'user-data',
  'cloud-init.vendor-data': 'vendor-data',
  'cloud-init.network-config': 'network-config',
  'user.user-data': 'user-data',
  'user.vendor-data': 'vendor-data',
  'user.network-config': 'network-config',
};

export interface LxdData {
  metadata: Dict;
  /** Every config key read, by its name (`user.foo`, `cloud-init.user-data`). */
  config: Record<string, string>;
  userdata: string | null;
  vendordata: string | null;
  networkConfig: { text: string; source: string } | null;
}

function client(ctx: DatasourceContext): UnixHttpClient {
  const s = metadataSettings(ctx.dsCfg, { urls: [], timeout: 5, retries: 0, maxWait: 10 });
  for (const p of s.problems) ctx.log.warn(`datasource LXD: ${p}`);
  return new UnixHttpClient({
    socketPath: ctx.host.fs.real(LXD_SOCKET),
    label: LXD_SOCKET,
    timeoutMs: s.timeoutMs,
    budgetMs: s.budgetMs,
    maxBytes: LXD_MAX_BYTES,
    now: () => ctx.host.clock.monotonicMs(),
  });
}

/** Whether the socket is there: null when it is, else why not (for the log). */
function socketMissing(ctx: DatasourceContext): string | null {
  const st = ctx.host.fs.stat(LXD_SOCKET, false);
  if (st === null) return `${LXD_SOCKET} is not there (security.devlxd off, or lxd-agent not started yet)`;
  if (st.isFile || st.isDir || st.isSymlink) return `${LXD_SOCKET} is not a socket`;
  return null;
}

async function request(c: UnixHttpClient, path: string): Promise<UnixResponse> {
  try {
    return await c.get(path);
  } catch (e) {
    throw e instanceof HttpError ? new DatasourceError(e.message) : e;
  }
}

function metaDataOf(text: string, source: string): Dict {
  const md = yamlOf(text, source);
  if (md === null || md === undefined) return {};
  if (!isDict(md)) throw new DatasourceError(`${source}: expected a YAML mapping (instance-id: ..., local-hostname: ...)`);
  return md;
}

/** The meta-data alone: what the local stage checks a cached instance against. */
async function readMetaData(c: UnixHttpClient): Promise<Dict> {
  const path = `${API}/meta-data`;
  const r = await request(c, path);
  if (r.status < 200 || r.status > 299) throw new DatasourceError(`${c.urlOf(path)}: HTTP ${r.status}: ${bodyText(r.body).slice(0, 200).trim()}`);
  return metaDataOf(bodyText(r.body), c.urlOf(path));
}

/** Reads meta-data and every config key over the socket. */
export async function readLxd(c: UnixHttpClient, log: DatasourceContext['log']): Promise<LxdData> {
  const metadata = await readMetaData(c);
  const out: LxdData = { metadata, config: {}, userdata: null, vendordata: null, networkConfig: null };
  const listPath = `${API}/config`;
  const list = await request(c, listPath);
  if (list.status < 200 || list.status > 299) {
    log.debug(`datasource LXD: ${c.urlOf(listPath)}: HTTP ${list.status}; no config keys`);
    return out;
  }
  let routes: unknown;
  try {
    routes = parseJsonBody(c.urlOf(listPath), list.body);
  } catch (e) {
    throw e instanceof HttpError ? new DatasourceError(e.message) : e;
  }
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === 'string')) throw new DatasourceError(`${c.urlOf(listPath)}: expected a JSON list of config paths`);
  const seen = new Map<string, string>();
  for (const route of [...(routes as string[])].sort()) {
    // Only the config keys themselves: the list must not send the reader elsewhere.
    if (!route.startsWith(`${API}/config/`) || route.includes('..') || route.includes('?')) {
      log.warn(`datasource LXD: ${c.urlOf(listPath)}: ignored ${JSON.stringify(route)}, not a config key path`);
      continue;
    }
    const r = await request(c, route);
    if (r.status < 200 || r.status > 299) {
      log.debug(`datasource LXD: ${c.urlOf(route)}: HTTP ${r.status}; skipped`);
      continue;
    }
    const key = decodeURIComponent(route.slice(route.lastIndexOf('/') + 1));
    const text = bodyText(r.body);
    out.config[key] = text;
    const alias = ALIASES[key];
    if (alias === undefined) continue;
    const first = seen.get(alias);
    if (first !== undefined) {
      log.warn(`datasource LXD: ignored config ${key} in favour of ${first}`);
      continue;
    }
    seen.set(alias, key);
    if (alias === 'user-data') out.userdata = text;
    else if (alias === 'vendor-data') out.vendordata = text;
    else out.networkConfig = { text, source: c.urlOf(route) };
  }
  const userMd = out.config['user.meta-data'];
  if (userMd !== undefined && userMd.trim() !== '') Object.assign(out.metadata, metaDataOf(userMd, c.urlOf(`${API}/config/user.meta-data`)));
  return out;
}

function resultOf(d: LxdData, source: string): DatasourceResult {
  const md = d.metadata;
  const iid = md['instance-id'];
  if (typeof iid !== 'string' && typeof iid !== 'number') throw new DatasourceError(`${source}: key "instance-id" is missing or not a string`);
  const host = md['local-hostname'];
  const result: DatasourceResult = {
    dsname: 'LXD',
    description: 'DataSourceLXD',
    cloudName: 'lxd',
    platform: 'lxd',
    subplatform: `LXD socket API v. 1.0 (${LXD_SOCKET})`,
    dsmode: 'net',
    instanceId: String(iid),
    publicKeys: [],
    metadata: md,
    userdata: d.userdata === null ? null : new Uint8Array(Buffer.from(d.userdata, 'utf8')),
    vendordata: d.vendordata === null ? null : new Uint8Array(Buffer.from(d.vendordata, 'utf8')),
    networkConfig: d.networkConfig === null ? null : networkConfigOf(d.networkConfig.text, d.networkConfig.source),
  };
  if (typeof host === 'string' && host !== '') result.localHostname = host;
  // The config values hold user-data: instance-data.json shows them only to root.
  if (Object.keys(d.config).length > 0) result.sensitive = { config: d.config };
  return result;
}

export const lxdDatasource: Datasource = {
  name: 'LXD',
  aliases: ['DataSourceLXD'],
  needs: 'local',
  order: 3,
  detectedBy: '`/dev/lxd/sock` is a socket, or DMI board_name `LXD` (a VM before lxd-agent starts)',
  detect(f) {
    if (f.sockets.lxd) return { verdict: 'found', reason: `${LXD_SOCKET} is a socket` };
    if (f.dmi.boardName === 'LXD') return { verdict: 'found', reason: 'DMI board_name is LXD' };
    return { verdict: 'not-found', reason: `no ${LXD_SOCKET} and DMI board_name is not LXD` };
  },
  network: {
    formats: ['v1', 'v2'],
    from: '`cloud-init.network-config` (or `user.network-config`) from the dev-lxd API; else fallback DHCP on the first NIC',
  },
  options: [
    { key: 'timeout', meaning: 'seconds per request on the socket', default: '5' },
    { key: 'max_wait', meaning: 'total seconds for every request together (HTTP 500 answers are retried within it)', default: '10' },
  ],
  async find(ctx) {
    const missing = socketMissing(ctx);
    if (missing !== null) {
      ctx.log.debug(`datasource LXD: ${missing}`);
      return null;
    }
    return resultOf(await readLxd(client(ctx), ctx.log), `http://lxd${API}/meta-data (${LXD_SOCKET})`);
  },
  async currentInstanceId(ctx) {
    if (socketMissing(ctx) !== null) return null;
    const md = await readMetaData(client(ctx));
    const iid = md['instance-id'];
    return typeof iid === 'string' || typeof iid === 'number' ? String(iid) : null;
  },
};
