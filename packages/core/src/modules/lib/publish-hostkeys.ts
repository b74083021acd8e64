// ssh_publish_hostkeys: the instance's public host keys given back to the platform, so
// the cloud can show them and clients can trust the first connection, as cloud-init's
// ssh module does after generating them. Of nimbus's datasources only GCE takes them
// (guest attributes, namespace `hostkeys`), as in cloud-init 25.x; elsewhere nothing
// is sent. Default on, with no key type held back (25.x).
import * as posix from 'node:path/posix';
import type { RootFs } from '../../host/rootfs.js';
import type { ModuleContext } from '../types.js';
import { isDict } from '../../config/merge.js';
import { MetadataClient } from '../../datasources/http.js';
import { GCE_HEADERS, GCE_METADATA_URL } from '../../datasources/gce.js';

/** The public host keys as [type, key] pairs from /etc/ssh/ssh_host_*_key.pub, less the blacklisted types. */
export function publicHostKeys(fs: RootFs, blacklist: readonly string[]): [string, string][] {
  const skip = new Set(blacklist.map((t) => `ssh_host_${t}_key.pub`));
  const out: [string, string][] = [];
  for (const name of fs.list('/etc/ssh').sort()) {
    if (!/^ssh_host_.+_key\.pub$/.test(name) || skip.has(name)) continue;
    const words = (fs.readText(posix.join('/etc/ssh', name)) ?? '').split(/\s+/).filter(Boolean);
    if (words.length > 1) out.push([words[0] as string, words[1] as string]);
  }
  return out;
}

/** What `ssh_publish_hostkeys` asks for: on unless `enabled: false`; the key types held back. */
export function publishSettings(v: unknown): { enabled: boolean; blacklist: string[]; explicit: boolean } {
  if (!isDict(v)) return { enabled: true, blacklist: [], explicit: false };
  const bl = v.blacklist;
  const blacklist = Array.isArray(bl) ? bl.map(String) : typeof bl === 'string' ? [bl] : [];
  return { enabled: v.enabled !== false, blacklist, explicit: v.enabled === true };
}

/** The guest-attributes URL of a key type on the metadata server the GCE datasource read. */
export function gceHostKeyUrl(cfg: Record<string, unknown>, keyType: string): string {
  const ds = isDict(cfg.datasource) && isDict(cfg.datasource.GCE) ? cfg.datasource.GCE : {};
  const base = typeof ds.metadata_url === 'string' && ds.metadata_url !== '' ? ds.metadata_url : GCE_METADATA_URL;
  return `${base.endsWith('/') ? base : `${base}/`}instance/guest-attributes/hostkeys/${encodeURIComponent(keyType)}`;
}

/** Sends the host keys where the datasource takes them; a failure is a warning, the boot goes on. */
export async function publishHostKeys(ctx: ModuleContext): Promise<void> {
  const s = publishSettings(ctx.cfg.ssh_publish_hostkeys);
  if (!s.enabled) {
    ctx.log.debug('ssh_publish_hostkeys is off: host keys are not given to the datasource');
    return;
  }
  if (ctx.ds.dsname !== 'GCE') {
    const say = s.explicit ? ctx.log.info.bind(ctx.log) : ctx.log.debug.bind(ctx.log);
    say(`ssh_publish_hostkeys: the ${ctx.ds.dsname} datasource takes no host keys back (as in cloud-init, only GCE does); nothing sent`);
    return;
  }
  const keys = publicHostKeys(ctx.host.fs, s.blacklist);
  // A few small PUTs: a short budget, so an unanswering server never holds the boot.
  const client = new MetadataClient(10_000, { timeoutMs: 2000, retries: 1, maxBytes: 64 * 1024 });
  const failed: string[] = [];
  for (const [type, key] of keys) {
    const url = gceHostKeyUrl(ctx.cfg, type);
    try {
      await client.request(url, { method: 'PUT', headers: { ...GCE_HEADERS }, body: key });
      ctx.log.debug(`wrote the ${type} host key to the guest attributes`);
    } catch (e) {
      failed.push(`${type}: ${(e as Error).message}`);
    }
  }
  if (failed.length > 0) ctx.log.warn(`ssh_publish_hostkeys: could not publish ${failed.join('; ')}`);
  else if (keys.length > 0) ctx.log.info(`published ${keys.length} host key(s) to the GCE guest attributes: ${keys.map((k) => k[0]).join(', ')}`);
}
