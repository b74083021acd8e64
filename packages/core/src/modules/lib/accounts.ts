// Facts about accounts in the root's own /etc/passwd and /etc/group, and the
// password commands: passwords go to chpasswd on standard input only (never in an
// argv, a log line or a file), and messages name users, never passwords.
import type { ModuleContext } from '../types.js';
import { failure, inTree } from './tree-exec.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The /etc/passwd entry of `name` (pure). */
export function passwdEntry(text: string | null, name: string): PasswdEntry | null {
  for (const line of (text ?? '').split('\n')) {
    const c = line.split(':');
    if (c[0] === name && c.length >= 7) {
      const uid = Number(c[2]);
      const gid = Number(c[3]);
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { name, uid, gid, home: c[5] as string };
    }
  }
  return null;
}

export function groupExists(text: string | null, name: string): boolean {
  return (text ?? '').split('\n').some((l) => l.split(':')[0] === name);
}

/**
 * Accounts created during this run. Under --exec record, useradd and groupadd are only
 * recorded, so the tree's files never list them; later steps still treat them as present.
 */
export class Accounts {
  private readonly users = new Set<string>();
  private readonly groups = new Set<string>();
  constructor(private readonly ctx: Pick<ModuleContext, 'host'>) {}

  user(name: string): PasswdEntry | null {
    return passwdEntry(this.ctx.host.fs.readText('/etc/passwd'), name);
  }
  userExists(name: string): boolean {
    return this.users.has(name) || this.user(name) !== null;
  }
  groupExists(name: string): boolean {
    return this.groups.has(name) || groupExists(this.ctx.host.fs.readText('/etc/group'), name);
  }
  notedUser(name: string): void {
    this.users.add(name);
  }
  notedGroup(name: string): void {
    this.groups.add(name);
  }
}

/** A password that can go on a chpasswd line: no newline, no NUL. */
export function passwordProblem(p: unknown): string | null {
  if (typeof p !== 'string') return 'the password must be a string';
  if (p === '') return 'the password is empty';
  if (/[\n\r\0]/.test(p)) return 'the password contains a line break';
  return null;
}

/** crypt(3) hashes cloud-init recognises: $1$, $2a$, $2y$, $5$, $6$ (and yescrypt's $y$, which newer distros use). */
export function isHashedPassword(p: string): boolean {
  return /^\$(1|2a|2y|5|6|y)(\$[^$:]+){2,3}$/.test(p);
}

/** Runs chpasswd (-e for hashes) with "user:password" lines on stdin. Returns the failure reason, or null. */
export function chpasswd(ctx: Pick<ModuleContext, 'host'>, pairs: readonly [string, string][], hashed: boolean): string | null {
  if (pairs.length === 0) return null;
  const stdin = pairs.map(([u, p]) => `${u}:${p}`).join('\n') + '\n';
  return failure(ctx.host.exec.run(inTree(ctx, hashed ? ['chpasswd', '-e'] : ['chpasswd']), { stdin }));
}

// cloud-init's alphabet for RANDOM passwords: no characters that are easily confused.
const PW_SET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function randomPassword(randomInt: (max: number) => number, len = 20): string {
  let s = '';
  for (let i = 0; i < len; i++) s += PW_SET[randomInt(PW_SET.length)];
  return s;
}

/** Locks a password: `passwd -l`, or `usermod --lock` where the tree has no passwd. */
export function lockPasswordArgv(ctx: Pick<ModuleContext, 'host'>, name: string): string[] {
  return !ctx.host.exec.has('passwd') && ctx.host.exec.has('usermod') ? ['usermod', '--lock', name] : ['passwd', '-l', name];
}
