// Which host name the instance gets, and how it is written: shared by set_hostname,
// update_hostname, update_etc_hosts and the early hostname of the local stage.
// cloud-init's precedence: `fqdn`, then a dotted `hostname`, then the metadata's
// local-hostname; `hostname` alone overrides the short name.
import type { Host } from '../../host/host.js';
import type { Logger } from '../../log/logger.js';
import type { ConfigSource } from '../../config/source.js';
import type { DatasourceResult } from '../../datasources/types.js';
import type { Distro } from '../../distro/types.js';
import { distroFacts } from '../../distro/facts.js';
import { hostnameProblem, MAX_KERNEL_HOSTNAME } from './validators.js';
import { treeIsRunning } from './tree-exec.js';

export const HOSTNAME_KEYS = ['preserve_hostname', 'hostname', 'fqdn', 'prefer_fqdn_over_hostname'] as const;

/** data/set-hostname: what set_hostname applied (cloud-init's file, same JSON keys). */
export const SET_HOSTNAME_FILE = '/var/lib/cloud/data/set-hostname';
/** data/previous-hostname: the name nimbus last wrote, to notice a name changed by hand since. */
export const PREVIOUS_HOSTNAME_FILE = '/var/lib/cloud/data/previous-hostname';

export interface HostnameCtx {
  host: Host;
  log: Logger;
  cfg: Record<string, unknown>;
  source: ConfigSource;
  ds: DatasourceResult;
  distro: Distro;
}

export interface WantedName {
  hostname: string;
  fqdn: string;
  /** The name set as the system host name (fqdn or short, per prefer_fqdn_over_hostname). */
  name: string;
}

/** The host name and FQDN wanted, or a message naming the source of an invalid value; null when nothing names the host. */
export function wantedName(ctx: HostnameCtx): WantedName | { error: string } | null {
  const { cfg, ds } = ctx;
  const meta = ds.localHostname;
  const check = (v: unknown, where: string, what: string): string | null => {
    const p = hostnameProblem(v);
    return p === null ? null : `${where}${what} ${JSON.stringify(v)} is not a valid host name: ${p}; the host name was not changed`;
  };
  for (const key of ['fqdn', 'hostname'] as const) {
    if (cfg[key] === undefined || cfg[key] === null) continue;
    const e = check(cfg[key], ctx.source.where([key]), key);
    if (e !== null) return { error: e };
  }
  let hostname: string | undefined;
  let fqdn: string | undefined;
  const cfgHost = typeof cfg.hostname === 'string' ? cfg.hostname.replace(/\.$/, '') : undefined;
  if (typeof cfg.fqdn === 'string') {
    fqdn = cfg.fqdn.replace(/\.$/, '');
    hostname = cfgHost ?? (fqdn.split('.')[0] as string);
  } else if (cfgHost?.includes('.')) {
    fqdn = cfgHost;
    hostname = cfgHost.split('.')[0] as string;
  } else {
    if (meta !== undefined && meta !== '') {
      const e = check(meta, `metadata of ${ds.dsname}: `, 'local-hostname');
      if (e !== null) return { error: e };
    }
    const m = meta === undefined || meta === '' ? undefined : meta.replace(/\.$/, '');
    fqdn = m;
    hostname = cfgHost ?? m?.split('.')[0];
    if (fqdn === undefined) fqdn = hostname;
  }
  if (hostname === undefined || fqdn === undefined) return null;
  const prefer = typeof cfg.prefer_fqdn_over_hostname === 'boolean' ? cfg.prefer_fqdn_over_hostname : distroFacts(ctx.distro).preferFqdn;
  let name = prefer ? fqdn : hostname;
  if (name.length > MAX_KERNEL_HOSTNAME) {
    ctx.log.warn(`the FQDN ${name} is longer than the kernel's ${MAX_KERNEL_HOSTNAME} characters; using the short name ${hostname}`);
    name = hostname;
  }
  return { hostname, fqdn, name };
}

/** The static host name the tree holds now (its hostname file), or null. */
export function currentStaticName(host: Host, distro: Distro): string | null {
  const file = distroFacts(distro).hostnameFile;
  const text = host.fs.readText(file);
  if (text === null) return null;
  if (file === '/etc/hostname') {
    const line = text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('#'));
    return line ?? null;
  }
  const m = /^HOSTNAME=["']?([^"'\s]*)["']?\s*$/m.exec(text);
  return m ? (m[1] as string) : null;
}

/** /etc/sysconfig/network with HOSTNAME= set, its other lines kept (pure). */
export function sysconfigNetworkWithHostname(text: string | null, name: string): string {
  const lines = (text ?? 'NETWORKING=yes\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let found = false;
  const out = lines.map((l) => {
    if (/^\s*HOSTNAME=/.test(l)) {
      found = true;
      return `HOSTNAME=${name}`;
    }
    return l;
  });
  if (!found) out.push(`HOSTNAME=${name}`);
  return out.join('\n') + '\n';
}

/** Writes the static name and sets the running one (`hostname NAME`: argv, the name validated before). */
export function applyHostname(ctx: HostnameCtx, name: string): void {
  const file = distroFacts(ctx.distro).hostnameFile;
  if (file === '/etc/hostname') {
    if (ctx.cfg.create_hostname_file === false && !ctx.host.fs.exists(file)) {
      ctx.log.info('create_hostname_file is false and /etc/hostname does not exist: only the running host name is set');
    } else {
      ctx.host.fs.write(file, `${name}\n`, { mode: 0o644 });
    }
  } else {
    ctx.host.fs.write(file, sysconfigNetworkWithHostname(ctx.host.fs.readText(file), name), { mode: 0o644 });
  }
  if (treeIsRunning(ctx)) {
    const r = ctx.host.exec.run(['hostname', name]);
    if (!r.recorded && (r.error !== undefined || r.code !== 0)) ctx.log.warn(`wrote ${file} but could not set the running host name: ${r.error ?? (r.stderr.trim() || `exit ${r.code}`)}`);
  } else ctx.log.info(`${ctx.host.root} is not the running system: its ${file} is written, this machine's host name is left alone`);
  ctx.host.fs.write(PREVIOUS_HOSTNAME_FILE, `${name}\n`, { mode: 0o644 });
  ctx.log.info(`host name set to ${name} (${file})`);
}

export function readSetHostname(host: Host): { hostname: string; fqdn: string } | null {
  const text = host.fs.readText(SET_HOSTNAME_FILE);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as { hostname?: unknown; fqdn?: unknown };
    return typeof v.hostname === 'string' && typeof v.fqdn === 'string' ? { hostname: v.hostname, fqdn: v.fqdn } : null;
  } catch {
    return null;
  }
}

export function writeSetHostname(host: Host, w: WantedName): void {
  host.fs.write(SET_HOSTNAME_FILE, JSON.stringify({ hostname: w.hostname, fqdn: w.fqdn }) + '\n', { mode: 0o644 });
}

/** set_hostname's work: the wanted name applied unless preserved, invalid or already set. */
export function setHostname(ctx: HostnameCtx): void {
  if (ctx.cfg.preserve_hostname === true) {
    ctx.log.info('preserve_hostname is set: the host name is left as it is');
    return;
  }
  const w = wantedName(ctx);
  if (w === null) {
    ctx.log.info('neither the configuration nor the metadata names this host: the host name is left as it is');
    return;
  }
  if ('error' in w) {
    ctx.log.error(w.error);
    return;
  }
  const prev = readSetHostname(ctx.host);
  if (prev !== null && prev.hostname === w.hostname && prev.fqdn === w.fqdn && currentStaticName(ctx.host, ctx.distro) === w.name) {
    ctx.log.info(`host name already ${w.name}`);
    return;
  }
  applyHostname(ctx, w.name);
  writeSetHostname(ctx.host, w);
}
