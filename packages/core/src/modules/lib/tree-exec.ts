// Running commands for the tree being configured: the reason a command failed, the
// tree's own root for account commands, and whether commands that act on the running
// system concern the tree at all. Shared by every module that runs a command.
import type { ModuleContext } from '../types.js';

/** A failed command's reason, or null when it ran (or was recorded) fine. */
export function failure(r: { recorded: boolean; code: number; error?: string; stderr: string }): string | null {
  if (r.recorded) return null;
  if (r.error !== undefined) return r.error;
  if (r.code !== 0) return `exit ${r.code}${r.stderr.trim() !== '' ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`;
  return null;
}

/**
 * An account command (useradd, groupadd, usermod, chpasswd, passwd) for the tree:
 * with --exec host on a root other than "/", shadow-utils' --root makes it change the
 * tree's /etc/passwd, not this machine's.
 */
export function inTree(ctx: Pick<ModuleContext, 'host'>, argv: readonly string[]): string[] {
  if (ctx.host.exec.mode !== 'host' || ctx.host.root === '/') return [...argv];
  return [argv[0] as string, '--root', ctx.host.root, ...argv.slice(1)];
}

/**
 * Whether commands that act on the running system (hostname, mount -a, swapon,
 * systemctl, shutdown) concern the tree: it is "/" (or they are only recorded). For
 * an image tree under --root they would change this machine instead.
 */
export function treeIsRunning(ctx: Pick<ModuleContext, 'host'>): boolean {
  return ctx.host.root === '/' || ctx.host.exec.mode === 'record';
}
