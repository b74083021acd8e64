// WSL (Windows Subsystem for Linux): user-data and meta-data from the Windows user's
// profile, `%USERPROFILE%\.cloud-init\`, seen through the drvfs mounts of the Windows
// drives. The profile directory is asked of Windows (`/init <drive>/Windows/System32/
// cmd.exe /C "echo %USERPROFILE%"`) and translated with `wslpath`, as cloud-init does;
// those are the running instance's own commands, so WSL is read only on the live
// instance (root "/"), never for a tree under --root.
import type { Datasource, DatasourceContext, DatasourceResult } from './types.js';
import { DatasourceError } from './types.js';
import { yamlOf } from './network-config.js';
import { parseOsRelease } from '../distro/os-release.js';
import { isDict } from '../config/merge.js';
import { drvfsMounts, isWslKernel } from './facts.js';

const WSLPATH = '/usr/bin/wslpath';
const WHO = 'datasource WSL';
export const WSL_DEFAULT_IID = 'iid-datasource-wsl';
const MAX_BYTES = 16 * 1024 * 1024;

/** The user-data file names looked for, by precedence (cloud-init's order). */
export function userDataCandidates(instance: string, osRelease: Record<string, string>): string[] {
  const id = osRelease.ID || 'linux';
  const version = osRelease.VERSION_ID || osRelease.VERSION_CODENAME || '';
  return [`${instance}.user-data`, `${id}-${version}.user-data`, `${id}-all.user-data`, 'default.user-data'];
}

function run(ctx: DatasourceContext, argv: string[]): string {
  const r = ctx.host.exec.run(argv, { timeoutMs: 20_000 });
  if (r.code !== 0 || r.error) throw new DatasourceError(`${argv.join(' ')}: ${r.error ?? `exit ${r.code}`}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`);
  return r.stdout.replace(/[\s\0]+$/, '');
}

/** The Windows user's profile directory as a Linux path, or null when no drive has cmd.exe. */
function profileDir(ctx: DatasourceContext): string | null {
  for (const mnt of drvfsMounts(ctx.host.fs.readText('/proc/mounts') ?? '')) {
    const cmd = `${mnt}/Windows/System32/cmd.exe`;
    const st = ctx.host.fs.stat(cmd);
    if (!st?.isFile || (st.mode & 0o111) === 0) continue;
    const win = run(ctx, ['/init', cmd, '/C', 'echo %USERPROFILE%']);
    if (win === '') throw new DatasourceError(`${cmd} /C "echo %USERPROFILE%": no output`);
    return run(ctx, [WSLPATH, '-au', win]);
  }
  return null;
}

function readText(ctx: DatasourceContext, path: string): string {
  const st = ctx.host.fs.stat(path);
  if (st !== null && st.size > MAX_BYTES) throw new DatasourceError(`${path}: ${st.size} bytes, more than the ${MAX_BYTES} allowed`);
  return ctx.host.fs.readText(path) ?? '';
}

export async function readWsl(ctx: DatasourceContext): Promise<DatasourceResult | null> {
  const root = ctx.host.fs.readText('/proc/mounts');
  if (root === null || drvfsMounts(root).length === 0) {
    ctx.log.debug(`${WHO}: no Windows drive mounted (9p, aname=drvfs)`);
    return null;
  }
  const rootNet = run(ctx, [WSLPATH, '-am', '/']);
  const instance = rootNet.replace(/\/+$/, '').split('/').pop() ?? '';
  if (instance === '') throw new DatasourceError(`${WSLPATH} -am /: no instance name in ${JSON.stringify(rootNet)}`);
  const home = profileDir(ctx);
  if (home === null) {
    ctx.log.debug(`${WHO}: no Windows drive holds Windows/System32/cmd.exe`);
    return null;
  }
  if (ctx.host.fs.isDir(`${home}/.ubuntupro/.cloud-init`)) {
    ctx.log.warn(`${WHO}: not supported: Ubuntu Pro for WSL data (agent.yaml, Landscape) in ${home}/.ubuntupro/.cloud-init; ignored`);
  }
  const seed = `${home}/.cloud-init`;
  if (!ctx.host.fs.isDir(seed)) {
    ctx.log.debug(`${WHO}: no ${seed}`);
    return null;
  }
  let metadata: Record<string, unknown> = { 'instance-id': WSL_DEFAULT_IID };
  const mdPath = `${seed}/${instance}.meta-data`;
  if (ctx.host.fs.stat(mdPath)?.isFile) {
    const md = yamlOf(readText(ctx, mdPath), mdPath);
    if (!isDict(md) || md['instance-id'] === undefined || md['instance-id'] === null) throw new DatasourceError(`${mdPath}: no key "instance-id"`);
    metadata = md;
  }
  const present = new Map(ctx.host.fs.list(seed).map((n) => [n.toLowerCase(), n]));
  const osRelease = parseOsRelease(ctx.host.fs.readText('/etc/os-release') ?? '');
  const name = userDataCandidates(instance, osRelease)
    .map((c) => present.get(c.toLowerCase()))
    .find((n) => n !== undefined);
  if (name === undefined) {
    ctx.log.info(`${WHO}: ${seed} holds none of ${userDataCandidates(instance, osRelease).join(', ')}`);
    return null;
  }
  const udPath = `${seed}/${name}`;
  const iid = metadata['instance-id'];
  const result: DatasourceResult = {
    dsname: 'WSL',
    description: `DataSourceWSL [seed=${udPath}]`,
    cloudName: 'wsl',
    platform: 'wsl',
    subplatform: `seed-dir (${seed})`,
    dsmode: 'net',
    instanceId: String(iid),
    publicKeys: [],
    metadata,
    userdata: new Uint8Array(Buffer.from(readText(ctx, udPath), 'utf8')),
    vendordata: null,
    networkConfig: null,
  };
  const hostname = metadata['local-hostname'];
  if (typeof hostname === 'string' && hostname !== '') result.localHostname = hostname;
  return result;
}

export const wslDatasource: Datasource = {
  name: 'WSL',
  aliases: ['DataSourceWSL'],
  needs: 'local',
  order: 29,
  detectedBy: 'a WSL kernel (`microsoft`/`WSL` in its release) with the Windows drives mounted (9p, `aname=drvfs`)',
  detect(f) {
    if (!isWslKernel(f.wsl.kernelRelease)) return { verdict: 'not-found', reason: 'not a WSL kernel' };
    if (f.wsl.drives.length === 0) return { verdict: 'not-found', reason: 'WSL, but no Windows drive is mounted (9p, aname=drvfs)' };
    return { verdict: 'found', reason: `WSL with the Windows drives at ${f.wsl.drives.join(', ')}` };
  },
  network: { formats: [], from: 'none: WSL manages the network' },
  options: [],
  async find(ctx) {
    if (ctx.host.exec.mode === 'record') {
      ctx.log.info(`${WHO}: commands are only recorded (--exec record), so Windows cannot be asked for the profile directory`);
      return null;
    }
    if (ctx.host.exec.mode === 'host' && ctx.host.root !== '/') {
      ctx.log.info(`${WHO}: read only on the running instance (root "/"): wslpath and cmd.exe answer for this machine, not for ${ctx.host.root}`);
      return null;
    }
    if (!ctx.host.fs.stat(WSLPATH)) {
      ctx.log.debug(`${WHO}: no ${WSLPATH}`);
      return null;
    }
    return readWsl(ctx);
  },
};
